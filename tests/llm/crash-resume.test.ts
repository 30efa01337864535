import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { crashExperiment } from "../../lib/src/testing/index.js";
import { tempDir } from "./helpers.js";

const root = resolve(import.meta.dirname, "../..");

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test("SIGKILL mid-run, resume: every request answered once, nothing stored asked again", async () => {
  const dir = tempDir("llm-crash-");
  const report = await crashExperiment({
    childScript: join(root, "tests/llm/fixtures/crash-child.ts"),
    nodeArgs: ["--import", pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href],
    requests: 150,
    kills: 3,
    cacheFile: join(dir, "responses.jsonl"),
    resultsFile: join(dir, "results.jsonl"),
    latencyMs: 20,
    concurrency: 8,
    jitterMs: 3,
    random: seeded(7),
  });
  console.log(`  crash test: ${JSON.stringify(report)}`);
  assert.is(report.finalExit, 0);
  assert.ok(
    report.storedAtKill.some((n) => n > 0 && n < 150),
    "at least one kill landed mid-run",
  );
  assert.ok(report.serverRequests < 150 * 2, "resumed runs did not start over");
  assert.is(report.resultLines, 150);
  assert.is(report.distinctIds, 150);
  assert.is(report.storedKeys, 150);
  assert.is(report.storedLines, 150, "no answer stored twice");
  assert.is(report.reaskedStored, 0, "the server never saw a stored question again");
  assert.ok(report.serverRequests >= 150);
});

test.run();
