// `llm run` as a real child process, stopped by SIGTERM and SIGINT mid-run, then resumed; and exit statuses
// of runs whose requests failed.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { main } from "../../lib/src/cli/main.js";
import { writeRequestsJsonl } from "../../lib/src/llm/index.js";
import { FakeOpenAIServer } from "../../lib/src/testing/index.js";
import { makeRequests, quietly, tempDir } from "./helpers.js";

const root = resolve(import.meta.dirname, "../..");
const loader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;

function writeConfig(dir: string, url: string, extra = ""): string {
  const file = join(dir, "exp.yaml");
  writeFileSync(
    file,
    `name: interrupt-test\nllm:\n  baseUrl: ${url}\n  model: test-model\n  cacheDir: ${join(dir, "cache")}\n` +
      `  retry: {maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5}\n${extra}`,
  );
  return file;
}

interface Child {
  process: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startCli(args: string[]): Child {
  const child = spawn(process.execPath, ["--import", loader, join(root, "lib/src/cli/main.ts"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  return { process: child, output: () => output, exit };
}

/** Requests aborted by a stopped run may still land server-side just after it exits. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Request ids (q0, q1, ...) the server was asked from `from` on; the question text ends with "<id>?". */
function askedIds(server: FakeOpenAIServer, from: number): string[] {
  return server
    .completionBodies()
    .slice(from)
    .map((body) => /(q\d+)\?$/.exec(body.messages?.[1]?.content ?? "")?.[1] ?? "?");
}

function storedIds(cacheFile: string): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(cacheFile)) return ids;
  for (const line of readFileSync(cacheFile, "utf8").split("\n")) {
    if (line.trim()) ids.add((JSON.parse(line) as { id: string }).id);
  }
  return ids;
}

test("SIGTERM then SIGINT stop `llm run` cleanly (143, 130): no final file, .partial kept; a rerun completes without re-asking", async () => {
  const n = 80;
  const server = await FakeOpenAIServer.start({ latencyMs: 60 });
  const dir = tempDir("llm-interrupt-");
  const config = writeConfig(dir, server.url);
  const requestsFile = join(dir, "requests.jsonl");
  await writeRequestsJsonl(makeRequests(n), requestsFile);
  const out = join(dir, "results.jsonl");
  const cacheFile = join(dir, "cache", "responses.jsonl");
  const args = ["llm", "run", "--config", config, "--requests", requestsFile, "--out", out, "--concurrency", "4"];
  try {
    for (const [signal, expected] of [
      ["SIGTERM", 143],
      ["SIGINT", 130],
    ] as const) {
      await settle();
      const storedBefore = storedIds(cacheFile);
      const from = server.completions;
      const child = startCli(args);
      await until(() => server.completions >= from + 12 || child.process.exitCode !== null, "12 requests");
      child.process.kill(signal);
      const { code } = await child.exit;
      const output = child.output();
      assert.is(code, expected, `exit after ${signal}: ${output.slice(-1500)}`);
      assert.ok(output.includes(`stopped by ${signal}`), output.slice(-1500));
      assert.ok(output.includes(`${out}.partial`) && /run the same command again/.test(output), output.slice(-1500));
      assert.not.ok(existsSync(out), "no results file under the final name after a stop");
      const partial = readFileSync(`${out}.partial`, "utf8").trim().split("\n").filter(Boolean);
      const answered = partial.map((line) => JSON.parse(line) as { id: string; ok: boolean }).filter((r) => r.ok);
      assert.ok(answered.length >= 8 && answered.length < n, `${answered.length} answered before the stop`);
      const stored = storedIds(cacheFile);
      for (const r of answered) assert.ok(stored.has(r.id), `${r.id} in the .partial file is in the cache`);
      assert.ok(stored.size > storedBefore.size && stored.size < n, `stored ${stored.size}`);
      for (const id of askedIds(server, from)) assert.not.ok(storedBefore.has(id), `${id} was stored and asked again`);
    }
    await settle();
    const storedBefore = storedIds(cacheFile);
    const from = server.completions;
    const child = startCli(args);
    const { code } = await child.exit;
    assert.is(code, 0, child.output().slice(-1500));
    const asked = askedIds(server, from);
    for (const id of asked) assert.not.ok(storedBefore.has(id), `${id} was stored and asked again`);
    assert.is(asked.length, n - storedBefore.size, "the rerun asked exactly what was not stored");
    assert.is(new Set(asked).size, asked.length, "nothing asked twice");
    const lines = readFileSync(out, "utf8").trim().split("\n");
    assert.is(lines.length, n);
    const results = lines.map((line) => JSON.parse(line) as { id: string; ok: boolean });
    assert.is(new Set(results.map((r) => r.id)).size, n);
    assert.ok(results.every((r) => r.ok));
    assert.not.ok(existsSync(`${out}.partial`), "the .partial file was renamed");
  } finally {
    await server.close();
  }
});

test("`llm run` exits non-zero when every request failed, and when some did; counts by reason are printed", async () => {
  const server = await FakeOpenAIServer.start({
    fault: (body) =>
      /q[0-2]\?$/.test(body.messages?.[1]?.content ?? "")
        ? { kind: "status", status: 400, message: "bad request" }
        : undefined,
  });
  const dir = tempDir("llm-failed-");
  const config = writeConfig(dir, server.url);
  try {
    const allFailed = join(dir, "all-failed.jsonl");
    await writeRequestsJsonl(makeRequests(3), allFailed);
    const out = join(dir, "results-a.jsonl");
    const run = await quietly(() => main(["llm", "run", "--config", config, "--requests", allFailed, "--out", out]));
    assert.is.not(run.value, 0, run.out);
    assert.ok(run.out.includes("ok 0, failed 3 (http_error 3)"), run.out);
    assert.ok(/3 of 3 requests failed/.test(run.out), run.out);
    assert.is(readFileSync(out, "utf8").trim().split("\n").length, 3, "a completed run's file is complete");

    const some = join(dir, "some-failed.jsonl");
    await writeRequestsJsonl(makeRequests(6), some);
    const out2 = join(dir, "results-b.jsonl");
    const run2 = await quietly(() => main(["llm", "run", "--config", config, "--requests", some, "--out", out2]));
    assert.is(run2.value, 1, run2.out);
    assert.ok(run2.out.includes("ok 3, failed 3 (http_error 3)"), run2.out);
    assert.is(readFileSync(out2, "utf8").trim().split("\n").length, 6);
  } finally {
    await server.close();
  }
});

test.run();
