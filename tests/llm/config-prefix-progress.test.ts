import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { validateConfig } from "../../lib/src/config/load.js";
import { llmSection } from "../../lib/src/config/sections/llm.js";
import {
  createProgress,
  layoutForPrefixCache,
  llmFromConfig,
  type ModelRequest,
  sharedPrefixStats,
} from "../../lib/src/llm/index.js";
import { formatProgressLine } from "../../lib/src/llm/run-summary.js";
import { FakeOpenAIServer } from "../../lib/src/testing/index.js";
import { collect, makeRequests, tempDir } from "./helpers.js";

test("config: all defaults, strict keys, clear errors", () => {
  const section = llmSection.parse({});
  assert.is(section.backend, "openai");
  assert.is(section.baseUrl, "http://127.0.0.1:8000/v1");
  assert.is(section.retry.maxAttempts, 5);
  assert.is(section.health.startupWaitMs, 0);
  const bad = (value: unknown) => {
    try {
      validateConfig(value, llmSection, "exp.yaml");
      return "";
    } catch (error) {
      return (error as Error).message;
    }
  };
  assert.ok(bad({ concurency: 3 }).includes("concurency"));
  assert.ok(bad({ baseUrl: "ftp://x" }).includes("baseUrl"));
  assert.ok(bad({ backend: "local" }).includes("modelPath"));
  assert.ok(bad({ backend: "replay" }).includes("replayFrom"));
  assert.ok(bad({ retry: { maxAttempts: 0 } }).includes("retry.maxAttempts"));
  assert.ok(bad({ apiKeyEnv: "not a name" }).includes("apiKeyEnv"));
});

test("llmFromConfig runs against a server with the cache under cacheDir", async () => {
  const server = await FakeOpenAIServer.start();
  const dir = tempDir();
  try {
    const client = await llmFromConfig(
      llmSection.parse({ baseUrl: server.url, model: "test-model", cacheDir: join(dir, "cache"), concurrency: 4 }),
    );
    const summary = await client.runToFile(makeRequests(6), join(dir, "results.jsonl"));
    assert.is(summary.ok, 6);
    const [again] = await collect(client.run(makeRequests(1)));
    assert.ok(again.ok && again.cached);
    assert.equal(again.ok && again.value, { answer: true, evidence: "x" });
    await client.close();
    assert.is(server.completions, 6);
  } finally {
    await server.close();
  }
});

test("prefix layout: system + note first, question last; shared fraction counted per note", () => {
  const note = "Discharge summary. ".repeat(50);
  const requests: ModelRequest[] = ["Q1?", "Q2?", "Q3?"].map((question, i) => ({
    id: `n1-${i}`,
    model: "m",
    messages: layoutForPrefixCache({ system: "You extract facts.", shared: note, question }),
    sampling: { temperature: 0, top_p: 1, max_tokens: 8 },
  }));
  const stats = sharedPrefixStats(requests, (r) => r.id.split("-")[0]);
  assert.is(stats.requests, 3);
  // Two of three requests share all but the question with the one before.
  assert.ok(stats.fraction > 0.6 && stats.fraction < 0.67, String(stats.fraction));
  const questionFirst = requests.map((r) => ({
    ...r,
    messages: [{ role: "user" as const, content: `${r.id} ${note}` }],
  }));
  assert.ok(sharedPrefixStats(questionFirst).fraction < 0.01);
});

test("progress: one redrawn line in a terminal, throttled lines elsewhere, summary at the end", async () => {
  const written: string[] = [];
  const server = await FakeOpenAIServer.start({ latencyMs: 2 });
  try {
    const progress = createProgress({
      mode: "lines",
      intervalMs: 0,
      write: (t) => written.push(t),
      label: "[teacher]",
    });
    const client = await llmFromConfig(
      llmSection.parse({ baseUrl: server.url, model: "test-model", cacheDir: tempDir() }),
    );
    await collect(client.run(makeRequests(5), { progress, total: 5 }));
    await client.close();
  } finally {
    await server.close();
  }
  const text = written.join("");
  assert.ok(text.includes("[teacher] "));
  assert.ok(text.includes("ok 5, failed 0"), text);
  const line = formatProgressLine({
    total: 100,
    done: 25,
    ok: 24,
    cached: 5,
    sent: 20,
    retries: 1,
    failed: 1,
    failuresByReason: { truncated: 1 },
    promptTokens: 0,
    completionTokens: 500,
    elapsedMs: 5000,
    ratePerSecond: 5,
    tokensPerSecond: 100,
    etaMs: 15000,
    pausedMs: 0,
  });
  assert.is(line, "25/100 25% | 5.0/s | 100 tok/s | ETA 15s | cached 5 | retries 1 | failed 1");
  const terminal: string[] = [];
  const tty = createProgress({ mode: "terminal", write: (t) => terminal.push(t) });
  tty.update({ ...JSON.parse("{}"), done: 1, failed: 0, cached: 0, ratePerSecond: 1, tokensPerSecond: 1, pausedMs: 0 });
  assert.ok(terminal.join("").length > 0 && !terminal.join("").includes("\n"));
});

test.run();
