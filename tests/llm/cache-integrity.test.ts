// Torn and glued cache lines, quarantine, cache-info, and a full disk (a tiny tmpfs) under `llm run`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { main } from "../../lib/src/cli/main.js";
import {
  createOpenAIBackend,
  type ModelRequest,
  ResponseCache,
  requestKey,
  runRequests,
  writeRequestsJsonl,
} from "../../lib/src/llm/index.js";
import { FakeOpenAIServer } from "../../lib/src/testing/index.js";
import { missing } from "../helpers/skip.js";
import { collect, makeRequests, quietly, tempDir } from "./helpers.js";

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 }, health: false as const };

/** Run `requests` against `server` with the cache at `file`; returns the ids the server was asked. */
async function runOnce(server: FakeOpenAIServer, file: string, requests: ModelRequest[]): Promise<string[]> {
  const from = server.completions;
  const cache = ResponseCache.open(file);
  const results = await collect(
    runRequests(requests, { backend: createOpenAIBackend({ baseUrl: server.url }), cache, ...fast }),
  );
  cache.close();
  assert.ok(
    results.every((r) => r.ok),
    "every request answered",
  );
  return server
    .completionBodies()
    .slice(from)
    .map((body) => /(q\d+)\?$/.exec(body.messages?.[1]?.content ?? "")?.[1] ?? "?");
}

function quarantined(file: string): { line: number; reason: string; text?: string }[] {
  const q = `${file}.quarantine`;
  if (!existsSync(q)) return [];
  return readFileSync(q, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function withServer(fn: (server: FakeOpenAIServer) => Promise<void>): Promise<void> {
  const server = await FakeOpenAIServer.start();
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

test("a truncated last line is quarantined with its line number, not counted, and its key asked again once", () =>
  withServer(async (server) => {
    const file = join(tempDir(), "responses.jsonl");
    const requests = makeRequests(3);
    assert.is((await runOnce(server, file, requests)).length, 3);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const tornId = (JSON.parse(lines[2]) as { id: string }).id;
    writeFileSync(file, `${lines[0]}\n${lines[1]}\n${lines[2].slice(0, 90)}`);
    const cache = ResponseCache.open(file);
    assert.is(cache.count, 2);
    assert.is(cache.loadReport.badLineCount, 1);
    assert.equal(
      cache.loadReport.badLines.map((t) => t.line),
      [3],
    );
    cache.close();
    const q = quarantined(file);
    assert.is(q.length, 1);
    assert.is(q[0].line, 3);
    assert.is(q[0].text, lines[2].slice(0, 90), "the torn bytes are kept in the quarantine file");
    assert.equal(await runOnce(server, file, requests), [tornId], "only the torn one asked again");
    assert.equal(await runOnce(server, file, requests), [], "and only once");
    assert.is(quarantined(file).length, 1, "quarantined once, not on every open");
  }));

test("two records glued on one line (a short write, then the next append): torn part quarantined, the whole record kept", () =>
  withServer(async (server) => {
    const file = join(tempDir(), "responses.jsonl");
    const requests = makeRequests(4);
    await runOnce(server, file, requests);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const ids = lines.map((line) => (JSON.parse(line) as { id: string }).id);
    // Line 2 is cut mid-record (no newline) and the next record was appended right after it.
    writeFileSync(file, `${lines[0]}\n${lines[1].slice(0, 100)}${lines[2]}\n${lines[3]}\n`);
    const cache = ResponseCache.open(file);
    assert.is(cache.count, 3, "records 1, 3 (salvaged from the glued line) and 4");
    assert.is(cache.loadReport.badLineCount, 1);
    assert.is(cache.loadReport.badLines[0].line, 2);
    assert.ok(cache.get(requestKey(requests.find((r) => r.id === ids[2])!)), "the glued, complete record is readable");
    assert.not.ok(cache.has(requestKey(requests.find((r) => r.id === ids[1])!)));
    cache.close();
    assert.is(quarantined(file)[0].text, lines[1].slice(0, 100));
    assert.equal(await runOnce(server, file, requests), [ids[1]], "only the torn record asked again");
    assert.equal(await runOnce(server, file, requests), [], "and never again");
    assert.is(quarantined(file).length, 1);
    // The file is clean again: every non-blank line is one record.
    for (const line of readFileSync(file, "utf8").split("\n")) if (line.trim()) JSON.parse(line);
  }));

test("an unreadable line in the middle is quarantined; an unreadable stored line is stored again when re-asked", () =>
  withServer(async (server) => {
    const file = join(tempDir(), "responses.jsonl");
    const requests = makeRequests(3);
    await runOnce(server, file, requests);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const ids = lines.map((line) => (JSON.parse(line) as { id: string }).id);
    // Line 2 keeps its key prefix and closing brace but its middle is damaged (not JSON).
    const damaged = `${lines[1].slice(0, 80)}\u0000\u0000${lines[1].slice(82)}`;
    writeFileSync(file, `${lines[0]}\n${damaged}\nnot a record {\n${lines[2]}\n`);
    const cache = ResponseCache.open(file);
    assert.is(cache.loadReport.badLineCount, 1, "'not a record' is unreadable");
    cache.close();
    // Whether the damaged record is caught on open or on read, it is asked again once and then stored.
    assert.equal(await runOnce(server, file, requests), [ids[1]]);
    assert.equal(await runOnce(server, file, requests), []);
  }));

function writeConfig(dir: string, url: string, cacheDir: string): string {
  const file = join(dir, "exp.yaml");
  writeFileSync(
    file,
    `name: cache-test\nllm:\n  baseUrl: ${url}\n  model: test-model\n  cacheDir: ${cacheDir}\n  concurrency: 8\n` +
      "  retry: {maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5}\n",
  );
  return file;
}

test("cache-info reports torn and glued lines with their line numbers, and does not count them", () =>
  withServer(async (server) => {
    const dir = tempDir();
    const cacheDir = join(dir, "cache");
    const file = join(cacheDir, "responses.jsonl");
    await runOnce(server, file, makeRequests(4));
    const lines = readFileSync(file, "utf8").trim().split("\n");
    writeFileSync(file, `${lines[0]}\n${lines[1].slice(0, 120)}${lines[2]}\n${lines[3].slice(0, 50)}`);
    const config = writeConfig(dir, server.url, cacheDir);
    const info = await quietly(() => main(["llm", "cache-info", "--config", config]));
    assert.is(info.value, 0, info.out);
    assert.ok(info.out.includes(`${file}: 2 answers`), info.out);
    assert.ok(info.out.includes("2 torn or unreadable lines"), info.out);
    assert.ok(/line 2\b/.test(info.out) && /line 3\b/.test(info.out), info.out);
    assert.ok(info.out.includes(`${file}.quarantine`), info.out);
    // Already quarantined: a second look finds the file clean and says what the quarantine holds.
    const again = await quietly(() => main(["llm", "cache-info", "--config", config]));
    assert.ok(again.out.includes(`${file}: 2 answers`), again.out);
    assert.ok(again.out.includes("0 torn or unreadable lines"), again.out);
    assert.ok(again.out.includes("2 lines quarantined earlier"), again.out);
  }));

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

function mountTinyTmpfs(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "pipe" });
    return true;
  } catch (error) {
    missing(
      `permission to mount a tmpfs (${String((error as Error).message).split("\n")[0]})`,
      "run as root, as CI does",
    );
    return false;
  }
}

test("full disk (64 KiB tmpfs holding the cache): error names the file, no torn line stored, rerun asks each missing one once", async () => {
  const dir = tempDir("llm-full-disk-");
  const cacheDir = join(dir, "cache");
  if (!mountTinyTmpfs(cacheDir)) return;
  const server = await FakeOpenAIServer.start({
    // Answers of varying length, so records straddle page boundaries of the tmpfs.
    respond: (_body, index) => JSON.stringify({ answer: true, evidence: "e".repeat(index % 37) }),
  });
  try {
    const file = join(cacheDir, "responses.jsonl");
    const n = 600;
    const requestsFile = join(dir, "requests.jsonl");
    await writeRequestsJsonl(makeRequests(n), requestsFile);
    const config = writeConfig(dir, server.url, cacheDir);
    const out = join(dir, "results.jsonl");
    const args = ["llm", "run", "--config", config, "--requests", requestsFile, "--out", out];
    const first = await quietly(() => main(args));
    assert.is.not(first.value, 0, "a run that could not store its answers fails");
    assert.ok(first.out.includes(file) && first.out.includes("ENOSPC"), first.out.slice(-2000));
    assert.not.ok(existsSync(out), "no final results file");
    // No torn line: the file ends with a newline and every line is a record.
    const text = readFileSync(file, "utf8");
    assert.ok(text.endsWith("\n"), "no torn tail left in the cache");
    const stored = new Set(
      text
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { id: string }).id),
    );
    assert.ok(stored.size > 50 && stored.size < n, `${stored.size} stored before the disk filled`);
    // Every answer reported as received (ok, not from the cache) is really stored.
    const partial = readFileSync(`${out}.partial`, "utf8").trim().split("\n").filter(Boolean);
    for (const line of partial) {
      const result = JSON.parse(line) as { id: string; ok: boolean };
      if (result.ok) assert.ok(stored.has(result.id), `${result.id} reported answered but not stored`);
    }
    const info = await quietly(() => main(["llm", "cache-info", "--config", config]));
    assert.ok(info.out.includes(`${file}: ${stored.size} answers`), info.out);
    assert.ok(info.out.includes("0 torn or unreadable lines"), info.out);
    // Room again: the rerun asks exactly what is not stored, each once, then nothing.
    execFileSync("mount", ["-o", "remount,size=4m", cacheDir]);
    await settle(); // requests aborted when the first run failed may still land server-side
    const from = server.completions;
    const second = await quietly(() => main(args));
    assert.is(second.value, 0, second.out.slice(-2000));
    const asked = server
      .completionBodies()
      .slice(from)
      .map((body) => /(q\d+)\?$/.exec(body.messages?.[1]?.content ?? "")?.[1] ?? "?");
    for (const id of asked) assert.not.ok(stored.has(id), `${id} was stored and asked again`);
    const dup = asked.filter((id, i) => asked.indexOf(id) !== i);
    assert.is(asked.length, n - stored.size, `asked twice: ${dup.join(",")}`);
    assert.is(new Set(asked).size, asked.length);
    const from3 = server.completions;
    assert.is((await quietly(() => main(args))).value, 0);
    assert.is(server.completions - from3, 0, "third run: everything from the cache");
  } finally {
    await server.close();
    execFileSync("umount", [cacheDir]);
  }
});

test.run();
