import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { main } from "../../lib/src/cli/main.js";
import { writeRequestsJsonl } from "../../lib/src/llm/index.js";
import { FakeOpenAIServer } from "../../lib/src/testing/index.js";
import { makeRequests, tempDir } from "./helpers.js";

async function quietly<T>(fn: () => Promise<T>): Promise<{ value: T; out: string; err: string }> {
  const log = console.log;
  const error = console.error;
  const write = process.stdout.write.bind(process.stdout);
  let out = "";
  let err = "";
  console.log = (...args: unknown[]) => {
    out += `${args.join(" ")}\n`;
  };
  console.error = (...args: unknown[]) => {
    err += `${args.join(" ")}\n`;
  };
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await fn(), out, err };
  } finally {
    console.log = log;
    console.error = error;
    process.stdout.write = write;
  }
}

test("llm run / batch-write / cache-info / health from an experiment YAML", async () => {
  const server = await FakeOpenAIServer.start();
  const dir = tempDir();
  const configFile = join(dir, "exp.yaml");
  writeFileSync(
    configFile,
    `name: cli-test\nllm:\n  baseUrl: ${server.url}\n  model: test-model\n  cacheDir: ${join(dir, "cache")}\n`,
  );
  const requestsFile = join(dir, "requests.jsonl");
  await writeRequestsJsonl(makeRequests(4), requestsFile);
  try {
    const health = await quietly(() => main(["llm", "health", "--config", configFile]));
    assert.is(health.value, 0);
    assert.ok(health.out.includes("test-model"));
    const run = await quietly(() =>
      main(["llm", "run", "--config", configFile, "--requests", requestsFile, "--out", join(dir, "results.jsonl")]),
    );
    assert.is(run.value, 0, run.err);
    assert.is(readFileSync(join(dir, "results.jsonl"), "utf8").trim().split("\n").length, 4);
    assert.ok(run.out.includes("ok 4, failed 0"));
    const info = await quietly(() => main(["llm", "cache-info", "--config", configFile]));
    assert.ok(info.out.includes("4 answers"));
    const batch = await quietly(() =>
      main(["llm", "batch-write", "--requests", requestsFile, "--out", join(dir, "batch.jsonl")]),
    );
    assert.is(batch.value, 0);
    assert.is(JSON.parse(readFileSync(join(dir, "batch.jsonl"), "utf8").split("\n")[0]).custom_id, "q0");
    const missingArg = await quietly(() => main(["llm", "run", "--config", configFile]));
    assert.is(missingArg.value, 2);
    assert.ok(missingArg.err.includes("--requests"));
  } finally {
    await server.close();
  }
  // Server down: a non-zero exit with the URL in the message.
  const down = await quietly(() => main(["llm", "health", "--config", configFile]));
  assert.is(down.value, 1);
  assert.ok(down.err.includes(server.url.replace(/\/v1$/, "")), down.err);
});

test.run();
