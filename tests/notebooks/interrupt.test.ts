// The kernel interrupt in a real tslab kernel, driven through jupyter_client as a notebook UI drives it:
// a long LLM run against the fake server is interrupted mid-run; it stops, keeps what finished, says
// how to resume, and the rerun asks only the missing requests. The run's progress is one display
// updated in place.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FakeOpenAIServer } from "../../lib/src/testing/index.js";
import {
  findJupyterPython,
  kernelSpecStartable,
  pathWithNodeBin,
  readKernelSpec,
} from "../../scripts/internal/jupyter-env.js";
import { root } from "../foundation/helpers.js";
import { missing } from "../helpers/skip.js";
import { tempDir } from "../helpers/temp-dir.js";

const scratch = tempDir("kernel-interrupt-");

function ready(): string | undefined {
  const python = findJupyterPython();
  const kernel = python ? readKernelSpec(python) : undefined;
  if (!python || !kernel || !kernelSpecStartable(kernel)) {
    missing("Jupyter with the tslab kernel", "npm run setup:jupyter");
    return undefined;
  }
  if (!existsSync(join(root, "lib", "dist", "llm", "interrupt.js")))
    throw new Error("lib/dist is missing or stale: the kernel imports the built library; run `npm run build`");
  return python;
}

interface Message {
  type: string;
  content: { name?: string; text?: string; data?: Record<string, string>; transient?: { display_id?: string } };
}
interface Phase {
  phase: string;
  status: string;
  messages: Message[];
}

async function until(condition: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function storedIds(file: string): Set<string> {
  if (!existsSync(file)) return new Set();
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim());
  return new Set(lines.map((line) => (JSON.parse(line) as { id: string }).id));
}

const streamText = (phase: Phase, name: string) =>
  phase.messages
    .filter((m) => m.type === "stream" && m.content.name === name)
    .map((m) => m.content.text)
    .join("");

test("a kernel interrupt stops an LLM run: no more requests, finished answers cached, the cell says what was kept and how to resume; the rerun asks only the missing; progress is one display updated in place", async () => {
  const python = ready();
  if (!python) return;
  const n = 60;
  const server = await FakeOpenAIServer.start({ latencyMs: 150 });
  const cacheFile = join(scratch, "cache", "responses.jsonl");
  const out = join(scratch, "results.jsonl");
  // The run cell is self-contained (as a user re-runs it); the cache stays open across runs, as it
  // would when a setup cell opened it.
  const cells = {
    setup: `import { llm } from "clinical-distill";\nconsole.log(typeof llm.runToFile);`,
    run: [
      `import { llm } from "clinical-distill";`,
      `const state = globalThis as { testCache?: llm.ResponseCache };`,
      `state.testCache ??= llm.ResponseCache.open(${JSON.stringify(cacheFile)});`,
      `const backend = llm.createOpenAIBackend({ baseUrl: ${JSON.stringify(server.url)} });`,
      `const requests = Array.from({ length: ${n} }, (_, i) => ({ id: \`q\${i}\`, model: "test-model",`,
      `  messages: [{ role: "user" as const, content: \`Question q\${i}?\` }],`,
      `  sampling: { temperature: 0, top_p: 1, max_tokens: 16, seed: 1 } }));`,
      `const summary = await llm.runToFile(requests, ${JSON.stringify(out)},`,
      `  { backend, cache: state.testCache, concurrency: 3, total: requests.length, progress: true, health: false });`,
      `console.log("cell finished:", summary.stopped);`,
    ].join("\n"),
  };
  const cellsFile = join(scratch, "cells.json");
  writeFileSync(cellsFile, JSON.stringify(cells));
  const child = spawn(python, [join(root, "tests", "notebooks", "kernel_interrupt.py"), cellsFile], {
    cwd: root,
    env: { ...process.env, PATH: pathWithNodeBin() },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const phases: Phase[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith("{")) phases.push(JSON.parse(line) as Phase);
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const phase = (name: string) => phases.find((p) => p.phase === name);
  try {
    await until(() => !!phase("started") || !!phase("setup-failed") || child.exitCode !== null, "the run cell");
    assert.ok(phase("started"), `the setup cell ran: ${JSON.stringify(phases).slice(0, 2000)} ${stderr.slice(-2000)}`);
    await until(() => server.completions >= 12 || child.exitCode !== null, "12 requests").catch((error) => {
      throw new Error(`${error.message}; server saw ${server.completions}; driver: ${stderr.slice(-3000)}`);
    });
    child.stdin.write("interrupt\n");
    await until(() => !!phase("interrupted"), "the interrupted cell's reply");
    const interrupted = phase("interrupted")!;
    // The run stopped: the server's count settles (aborted requests may land just after) and stays.
    await new Promise((r) => setTimeout(r, 400));
    const hits = server.completions;
    await new Promise((r) => setTimeout(r, 1000));
    assert.is(server.completions, hits, "no requests after the interrupt");
    assert.ok(hits < n, `${hits} of ${n} requests were sent`);

    // The cell ended in an error (so queued cells do not run on a partial result), naming what was kept.
    assert.is(interrupted.status, "error");
    const errText = streamText(interrupted, "stderr");
    const stored = storedIds(cacheFile);
    assert.ok(stored.size >= 5 && stored.size < n, `${stored.size} answers in the cache`);
    assert.match(errText, `Run stopped by the kernel interrupt: ${stored.size} of ${n} requests answered`);
    assert.match(errText, cacheFile);
    assert.match(errText, `re-run the cell: stored answers are not asked again, only the ${n - stored.size} missing`);
    assert.match(errText, `${out}.partial`);
    assert.not.match(errText, "Interrupted asynchronously", "the cell waited for the run to stop");
    assert.not.ok(streamText(interrupted, "stdout").includes("cell finished"), "the rest of the cell did not run");
    const partial = readFileSync(`${out}.partial`, "utf8").trim().split("\n");
    for (const line of partial) {
      const result = JSON.parse(line) as { id: string; ok: boolean };
      if (result.ok) assert.ok(stored.has(result.id), `${result.id} is in the cache`);
    }

    // Progress: one display_data with an id, then updates of that same id; no progress lines as text.
    const displays = interrupted.messages.filter((m) => m.type === "display_data");
    assert.is(displays.length, 1, "one display for the run");
    const id = displays[0].content.transient?.display_id;
    assert.ok(id, "the display has an id");
    const updates = interrupted.messages.filter((m) => m.type === "update_display_data");
    assert.ok(updates.length >= 1, "the display is updated in place");
    assert.ok(
      updates.every((m) => m.content.transient?.display_id === id),
      "every update names the same display",
    );
    assert.not.match(streamText(interrupted, "stdout"), /\d+\/60 \d+%/, "no progress lines in the cell's text");
    const last = updates[updates.length - 1].content.data!["text/plain"];
    assert.match(last, /requests: \d+ of 60 \(cancelled\)/, "the display ends on the final summary");

    // Re-running the cell asks exactly the missing requests and completes.
    const before = server.completions;
    child.stdin.write("rerun\n");
    await until(() => !!phase("rerun"), "the rerun cell");
    const rerun = phase("rerun")!;
    assert.is(rerun.status, "ok", streamText(rerun, "stderr"));
    assert.match(streamText(rerun, "stdout"), "cell finished: completed");
    assert.is(server.completions - before, n - stored.size, "the rerun asked only the missing requests");
    assert.is(storedIds(cacheFile).size, n);
    assert.is(readFileSync(out, "utf8").trim().split("\n").length, n);
    const rerunDisplays = rerun.messages.filter((m) => m.type === "display_data");
    assert.is(rerunDisplays.length, 1);
    const rerunUpdates = rerun.messages.filter((m) => m.type === "update_display_data");
    assert.match(rerunUpdates[rerunUpdates.length - 1].content.data!["text/plain"], /requests: 60 of 60 \(completed\)/);
    assert.is(await exited, 0, stderr.slice(-2000));
  } finally {
    if (child.exitCode === null) child.kill();
    await server.close();
  }
});

test.run();
