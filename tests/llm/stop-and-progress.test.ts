// The shared stop path (interrupt.ts: kernel interrupt, CLI Ctrl-C) and the one progress display per run.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  createOpenAIBackend,
  createProgress,
  ResponseCache,
  RunInterrupted,
  type RunSummary,
  runRequests,
  runToFile,
} from "../../lib/src/llm/index.js";
import { activeRuns, stopActiveRuns } from "../../lib/src/llm/interrupt.js";
import { FakeOpenAIServer } from "../../lib/src/testing/index.js";
import { makeRequests, tempDir } from "./helpers.js";

const root = resolve(import.meta.dirname, "../..");
const dirs: string[] = [];
const scratch = (prefix: string) => {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return dir;
};

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("stopActiveRuns ends a run with RunInterrupted: finished answers cached, the message says how to resume, a rerun asks only the missing", async () => {
  const n = 60;
  const server = await FakeOpenAIServer.start({ latencyMs: 40 });
  const dir = scratch("stop-path-");
  const cacheFile = join(dir, "responses.jsonl");
  try {
    const backend = createOpenAIBackend({ baseUrl: server.url });
    let cache = ResponseCache.open(cacheFile);
    const run = runRequests(makeRequests(n), { backend, cache, concurrency: 4, total: n, health: false });
    let received = 0;
    let caught: unknown;
    let stopped: number | undefined;
    try {
      for await (const result of run) {
        if (result.ok) received++;
        if (received === 10 && stopped === undefined) stopped = stopActiveRuns("the kernel interrupt");
      }
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof RunInterrupted, `the run ends with RunInterrupted, got ${caught}`);
    const error = caught as RunInterrupted;
    assert.is(stopped, 1, "one active run stopped");
    assert.is(activeRuns(), 0, "the run unregistered");
    assert.is(run.summary().stopped, "cancelled");
    // Requests aborted in flight may still land server-side just after the stop; then nothing more.
    await new Promise((r) => setTimeout(r, 300));
    const hits = server.completions;
    await new Promise((r) => setTimeout(r, 500));
    assert.is(server.completions, hits, "nothing is sent after the stop");
    assert.ok(hits < n, `${hits} of ${n} asked`);
    cache.close();
    cache = ResponseCache.open(cacheFile);
    const stored = cache.count;
    assert.ok(stored >= 10 && stored < n, `${stored} answers stored`);
    assert.is(error.kept.ok, stored, "the report counts what is stored");
    assert.match(error.message, `${stored} of ${n} requests answered`);
    assert.match(error.message, cacheFile);
    assert.match(error.message, `re-run the cell`);
    assert.match(error.message, `only the ${n - stored} missing`);
    assert.is(error.exitCode, 130);
    // The rerun: exactly the missing ones go to the server.
    const before = server.completions;
    const rerun = runRequests(makeRequests(n), { backend, cache, concurrency: 8, total: n, health: false });
    for await (const _ of rerun);
    assert.is(rerun.summary().stopped, "completed");
    assert.is(server.completions - before, n - stored, "the rerun asked only the missing requests");
    assert.is(rerun.summary().cached, stored);
    cache.close();
  } finally {
    await server.close();
  }
});

test("a caller's own signal still ends the stream quietly (cancelled summary, no error); runToFile names the .partial file on an interrupt", async () => {
  const server = await FakeOpenAIServer.start({ latencyMs: 30 });
  const dir = scratch("stop-path-file-");
  try {
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const controller = new AbortController();
    const run = runRequests(makeRequests(40), { backend, concurrency: 4, signal: controller.signal, health: false });
    let count = 0;
    for await (const _ of run) if (++count === 5) controller.abort();
    assert.is(run.summary().stopped, "cancelled");

    const out = join(dir, "results.jsonl");
    const cache = ResponseCache.open(join(dir, "cache.jsonl"));
    const running = runToFile(makeRequests(40, "f"), out, { backend, cache, concurrency: 4, total: 40, health: false });
    const start = server.completions;
    await until(() => server.completions >= start + 8, "8 requests");
    stopActiveRuns("SIGTERM");
    const error = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof RunInterrupted, String(error));
    assert.is((error as RunInterrupted).exitCode, 143);
    assert.match((error as RunInterrupted).message, `${out}.partial`);
    assert.match((error as RunInterrupted).message, "run the same command again");
    assert.not.ok(existsSync(out), "no final file after a stop");
    const lines = readFileSync(`${out}.partial`, "utf8").trim().split("\n");
    assert.ok(lines.length >= 1, "results so far are in the .partial file");
    cache.close();
  } finally {
    await server.close();
  }
});

test("without a stop nothing changes: stopActiveRuns with no run active stops nothing", () => {
  assert.is(activeRuns(), 0);
  assert.is(stopActiveRuns("SIGINT"), 0);
});

const loader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;

test("CLI stop path: SIGINT stops a run started by any command (here eval's predictWithLlm), exit 130 with what was kept; the second SIGINT is not needed", async () => {
  const server = await FakeOpenAIServer.start({ latencyMs: 50 });
  const dir = scratch("stop-path-cli-");
  const script = join(dir, "run.mts");
  writeFileSync(
    script,
    `import { stopRunsOnSignals, createOpenAIBackend, ResponseCache, RunInterrupted } from ${JSON.stringify(join(root, "lib/src/llm/index.ts"))};
import { predictWithLlm } from ${JSON.stringify(join(root, "lib/src/eval/tasks/infer.ts"))};
import { makeRequests } from ${JSON.stringify(join(root, "tests/llm/helpers.ts"))};
stopRunsOnSignals();
const cache = ResponseCache.open(${JSON.stringify(join(dir, "cache.jsonl"))});
try {
  await predictWithLlm(makeRequests(80), { backend: createOpenAIBackend({ baseUrl: ${JSON.stringify(server.url)} }), cache, concurrency: 4, health: false }, "m");
  console.log("completed");
} catch (error) {
  console.error(String((error as Error).message));
  process.exit(error instanceof RunInterrupted ? error.exitCode : 1);
}
`,
  );
  try {
    const child = spawn(process.execPath, ["--import", loader, script], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c));
    child.stderr.on("data", (c: Buffer) => (output += c));
    const exit = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    await until(() => server.completions >= 10 || child.exitCode !== null, "10 requests");
    child.kill("SIGINT");
    const code = await exit;
    assert.is(code, 130, output);
    assert.match(output, /SIGINT received: stopping the run/);
    assert.match(output, /Run stopped by SIGINT: \d+ of 80 requests answered/);
    assert.match(output, /run the same command again/);
    const hits = server.completions;
    await new Promise((r) => setTimeout(r, 200));
    assert.is(server.completions, hits, "nothing sent after the child exited");
    assert.ok(hits < 80);
  } finally {
    await server.close();
  }
});

function summaryAt(done: number, total = 100): RunSummary {
  return {
    total,
    done,
    ok: done,
    cached: 2,
    sent: done,
    retries: 1,
    failed: 0,
    failuresByReason: {},
    promptTokens: 10 * done,
    completionTokens: 5 * done,
    cost: 0.001 * done,
    elapsedMs: 1000 * done,
    ratePerSecond: 1,
    tokensPerSecond: 5,
    etaMs: 1000 * (total - done),
    pausedMs: 0,
  };
}

test("notebook progress: one display, updated in place, ending on the final summary; lines shows rate, ETA, retries, cache hits, cost", () => {
  const shown: { text: string; fraction?: number }[] = [];
  const written: string[] = [];
  const progress = createProgress({
    mode: "notebook",
    intervalMs: 0,
    display: { show: (text, fraction) => shown.push({ text, fraction }) },
    write: (t) => written.push(t),
  });
  for (let i = 1; i <= 50; i++) progress.update(summaryAt(i));
  progress.finish({ ...summaryAt(100), stopped: "completed" });
  assert.is(written.join(""), "", "nothing goes to the cell as text lines");
  assert.is(shown.length, 51, "every update replaces the one display");
  assert.match(shown[0].text, "1/100 1% | 1.0/s | 5 tok/s | ETA 1m39s | cached 2 | retries 1 | failed 0 | cost 0.0010");
  assert.is(shown[49].fraction, 0.5);
  assert.match(shown[50].text, /requests: 100 of 100 \(completed\)/);
  assert.match(shown[50].text, /cost: 0\.1000/);
});

test("non-TTY progress: plain lines (no carriage returns), at most one per interval (30 s by default), summary at the end", () => {
  const written: string[] = [];
  const progress = createProgress({ mode: "lines", write: (t) => written.push(t) });
  for (let i = 1; i <= 200; i++) progress.update(summaryAt(i, 200));
  progress.finish({ ...summaryAt(200, 200), stopped: "completed" });
  const text = written.join("");
  assert.not.ok(text.includes("\r"), "no carriage returns in a log");
  assert.is(text.split("\n").filter((line) => line.includes("/200 ")).length, 1, "one progress line within 30 s");
  assert.match(text, /requests: 200 of 200 \(completed\)/);
  // auto outside a notebook and off a TTY (this test's stdout is a pipe or a TTY; force the pipe case)
  const saved = process.stdout.isTTY;
  process.stdout.isTTY = false as never;
  try {
    const lines: string[] = [];
    const auto = createProgress({ write: (t) => lines.push(t), intervalMs: 0 });
    auto.update(summaryAt(3));
    assert.is(
      lines.join(""),
      `${"3/100 3% | 1.0/s | 5 tok/s | ETA 1m37s | cached 2 | retries 1 | failed 0 | cost 0.0030"}\n`,
    );
  } finally {
    process.stdout.isTTY = saved;
  }
});

test.after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
test.run();
