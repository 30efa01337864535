// Crash: SIGKILL a run at 20 random moments and resume each time. At the end every request has exactly
// one answer (results file and cache), and the server never saw again a question that had been answered
// and stored before the run that asked it.

import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashExperiment } from "../lib/src/testing/index.js";
import { quick, report, root, tsxLoader } from "./llm-support.js";

const requests = quick ? 500 : 2000;
const kills = quick ? 5 : 20;
const dir = join(tmpdir(), `llm-crash-${process.pid}`);
let seed = 20261124;
const random = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
try {
  const started = performance.now();
  const r = await crashExperiment({
    childScript: join(root, "tests/llm/fixtures/crash-child.ts"),
    nodeArgs: ["--import", tsxLoader],
    requests,
    kills,
    cacheFile: join(dir, "responses.jsonl"),
    resultsFile: join(dir, "results.jsonl"),
    latencyMs: 5,
    concurrency: 16,
    jitterMs: 3,
    random,
  });
  console.log(
    `${requests} requests, ${kills} SIGKILLs at random moments, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(`answers stored when each kill landed: ${r.storedAtKill.join(", ")}`);
  console.log(
    `server received ${r.serverRequests} requests for ${requests} questions (in-flight ones at a kill are asked again)`,
  );
  const met = report([
    ["kills that landed mid-run", `${r.killedMidRun}`, `${kills}`, r.killedMidRun === kills],
    [
      "results lines / distinct ids",
      `${r.resultLines} / ${r.distinctIds}`,
      `${requests} / ${requests}`,
      r.resultLines === requests && r.distinctIds === requests,
    ],
    [
      "cache lines / distinct answers",
      `${r.storedLines} / ${r.storedKeys}`,
      `${requests} / ${requests}`,
      r.storedLines === requests && r.storedKeys === requests,
    ],
    ["stored questions asked again", `${r.reaskedStored}`, "0", r.reaskedStored === 0],
  ]);
  process.exitCode = met ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
