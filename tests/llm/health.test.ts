import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  createOpenAIBackend,
  LlmError,
  type ModelResult,
  runRequests,
  waitUntilReady,
} from "../../lib/src/llm/index.js";
import { FakeOpenAIServer } from "../../lib/src/testing/index.js";
import { collect, makeRequests } from "./helpers.js";

test("a server that is down fails fast with its URL and the error", async () => {
  const server = await FakeOpenAIServer.start();
  const url = server.url;
  await server.close();
  const backend = createOpenAIBackend({ baseUrl: url });
  const started = Date.now();
  try {
    await collect(runRequests(makeRequests(3), { backend }));
    assert.unreachable("should have thrown");
  } catch (error) {
    assert.ok(LlmError.isInstance(error), String(error));
    assert.ok((error as Error).message.includes(url.replace(/\/v1$/, "")), (error as Error).message);
    assert.ok(/ECONNREFUSED|refused/i.test((error as Error).message), (error as Error).message);
  }
  assert.ok(Date.now() - started < 3000, "fast");
});

test("a server serving another model is a clear error before any request", async () => {
  const server = await FakeOpenAIServer.start({ models: ["other-model"] });
  try {
    const backend = createOpenAIBackend({ baseUrl: server.url });
    await collect(runRequests(makeRequests(2), { backend }));
    assert.unreachable();
  } catch (error) {
    assert.ok((error as Error).message.includes('not the requested model "test-model"'), (error as Error).message);
    assert.ok((error as Error).message.includes("other-model"));
  } finally {
    assert.is(server.completions, 0);
    await server.close();
  }
});

test("waitUntilReady waits for a starting server (503 on /health)", async () => {
  const server = await FakeOpenAIServer.start();
  server.healthy = false;
  setTimeout(() => {
    server.healthy = true;
  }, 300);
  try {
    const status = await waitUntilReady(createOpenAIBackend({ baseUrl: server.url }), {
      waitMs: 5000,
      probeEveryMs: 50,
    });
    assert.ok(status?.ok);
    assert.equal(status?.models, ["test-model"]);
  } finally {
    await server.close();
  }
});

test("a server dying mid-run pauses the run (no retries burnt) and it resumes when back", async () => {
  const server = await FakeOpenAIServer.start({ latencyMs: 5 });
  const notes: string[] = [];
  const progress = { update: () => {}, finish: () => {}, note: (m: string) => notes.push(m) };
  try {
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const results: ModelResult[] = [];
    const run = runRequests(makeRequests(60), {
      backend,
      concurrency: 4,
      progress,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      health: { intervalMs: 0, probeEveryMs: 50, pauseMaxMs: 10_000 },
    });
    for await (const result of run) {
      results.push(result);
      if (results.length === 15) {
        await server.stop();
        setTimeout(() => void server.restart(), 400);
      }
    }
    assert.is(results.length, 60);
    assert.ok(
      results.every((r) => r.ok),
      JSON.stringify(results.find((r) => !r.ok)),
    );
    assert.ok(run.summary().pausedMs >= 200, `paused ${run.summary().pausedMs} ms`);
    assert.ok(notes.some((n) => n.includes("paused") && n.includes(server.url)));
    assert.ok(notes.some((n) => n.includes("resumed")));
  } finally {
    await server.close();
  }
});

test("a server that stays down past pauseMaxMs stops the run with a clear error", async () => {
  const server = await FakeOpenAIServer.start();
  const progress = { update: () => {}, finish: () => {}, note: () => {} };
  try {
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const results: ModelResult[] = [];
    try {
      for await (const result of runRequests(makeRequests(30), {
        backend,
        concurrency: 2,
        progress,
        health: { intervalMs: 0, probeEveryMs: 30, pauseMaxMs: 200 },
      })) {
        results.push(result);
        if (results.length === 5) server.healthy = false;
      }
      assert.unreachable();
    } catch (error) {
      assert.ok((error as Error).message.includes("unhealthy for more than"), (error as Error).message);
    }
    assert.ok(results.length >= 5 && results.length < 30);
  } finally {
    await server.close();
  }
});

test.run();
