import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createOpenAIBackend, type ModelResult, ResponseCache, runRequests } from "../../lib/src/llm/index.js";
import { FakeOpenAIServer, type FakeServerOptions } from "../../lib/src/testing/index.js";
import { collect, makeRequests, tempDir } from "./helpers.js";

const fast = { retry: { baseDelayMs: 5, maxDelayMs: 200, maxAttempts: 4 }, health: false as const };

async function withServer<T>(
  fn: (server: FakeOpenAIServer) => Promise<T>,
  options: FakeServerOptions = {},
): Promise<T> {
  const server = await FakeOpenAIServer.start(options);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

function byId<T>(results: ModelResult<T>[]): Map<string, ModelResult<T>> {
  return new Map(results.map((r) => [r.id, r]));
}

test("answers are parsed and validated; body uses response_format json_schema, never guided_*", () =>
  withServer(async (server) => {
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const results = await collect(runRequests(makeRequests(5), { backend, ...fast }));
    assert.is(results.length, 5);
    for (const r of results) {
      assert.ok(r.ok);
      if (r.ok) assert.equal(r.value, { answer: true, evidence: "x" });
    }
    const body = server.completionBodies()[0];
    assert.is(body.response_format?.type, "json_schema");
    assert.is(body.response_format?.json_schema?.name, "answer");
    assert.ok(body.response_format?.json_schema?.schema);
    assert.is(body.temperature, 0);
    assert.is(body.seed, 1);
    assert.not.ok(Object.keys(body).some((k) => k.startsWith("guided")));
  }));

test("each model fault maps to its reason; schema mismatch names the field", () =>
  withServer(
    async (server) => {
      const backend = createOpenAIBackend({ baseUrl: server.url });
      const run = runRequests(makeRequests(6), { backend, ...fast });
      const results = byId(await collect(run));
      const reason = (id: string) => {
        const r = results.get(id)!;
        return r.ok ? "ok" : r.reason;
      };
      assert.is(reason("q0"), "truncated");
      // A reply without choices is a server error (retried, then http_error), not an answer.
      assert.is(reason("q1"), "http_error");
      assert.is(reason("q2"), "unparseable");
      assert.is(reason("q3"), "no_content");
      assert.is(reason("q4"), "schema_mismatch");
      assert.is(reason("q5"), "ok");
      const mismatch = results.get("q4")!;
      assert.ok(!mismatch.ok && mismatch.detail.includes("evidence"));
      assert.ok(!mismatch.ok && mismatch.text?.includes("yes"), "raw text is kept");
      const summary = run.summary();
      assert.equal(summary.failuresByReason, {
        truncated: 1,
        http_error: 1,
        no_content: 1,
        unparseable: 1,
        schema_mismatch: 1,
      });
      assert.is(summary.ok, 1);
      assert.is(summary.stopped, "completed");
    },
    {
      fault: (body) => {
        const text = body.messages?.[1]?.content ?? "";
        if (text.includes("q0?")) return { kind: "length" };
        if (text.includes("q1?")) return { kind: "empty_choices" };
        if (text.includes("q2?")) return { kind: "invalid_json" };
        if (text.includes("q3?")) return { kind: "wrong_type" };
        return undefined;
      },
      respond: (body) =>
        body.messages?.[1]?.content.includes("q4?")
          ? JSON.stringify({ answer: "yes", evidence: 3 })
          : JSON.stringify({ answer: false, evidence: "none" }),
    },
  ));

test("429 with Retry-After is retried after the asked wait", () =>
  withServer(async (server) => {
    server.queueFaults({ kind: "status", status: 429, retryAfter: "1" });
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const started = Date.now();
    const run = runRequests(makeRequests(1), { backend, ...fast, retry: { baseDelayMs: 1, maxDelayMs: 5000 } });
    const [result] = await collect(run);
    const waited = Date.now() - started;
    assert.ok(result.ok);
    assert.ok(waited >= 950, `waited ${waited} ms, Retry-After said 1 s`);
    assert.is(server.completions, 2);
    assert.is(run.summary().retries, 1);
  }));

test("retry-after-ms is honoured too, and capped by maxDelayMs", () =>
  withServer(async (server) => {
    server.queueFaults(
      { kind: "status", status: 429, retryAfterMs: 120 },
      { kind: "status", status: 503, retryAfter: "3600" },
    );
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const started = Date.now();
    const [result] = await collect(
      runRequests(makeRequests(1), { backend, ...fast, retry: { baseDelayMs: 1, maxDelayMs: 300 } }),
    );
    const waited = Date.now() - started;
    assert.ok(result.ok);
    assert.ok(waited >= 110 && waited < 2000, `waited ${waited} ms`);
    assert.is(server.completions, 3);
  }));

test("500, dropped connection, truncated body and slow stream are retried to success", () =>
  withServer(async (server) => {
    server.queueFaults(
      { kind: "status", status: 500 },
      { kind: "drop" },
      { kind: "truncate" },
      { kind: "slow", chunkMs: 20 },
    );
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const run = runRequests(makeRequests(2), { backend, ...fast, concurrency: 1 });
    const results = await collect(run);
    assert.ok(results.every((r) => r.ok));
    assert.is(server.completions, 5, "4 faulty attempts + 1 clean for the first, the slow one answers the second");
    assert.is(run.summary().retries, 3);
  }));

test("retries exhausted: http_error with the status; 400 is not retried", () =>
  withServer(
    async (server) => {
      const backend = createOpenAIBackend({ baseUrl: server.url });
      const results = byId(await collect(runRequests(makeRequests(2), { backend, ...fast })));
      const q0 = results.get("q0")!;
      const q1 = results.get("q1")!;
      assert.ok(!q0.ok && q0.reason === "http_error" && q0.detail.includes("500") && q0.detail.includes("4 attempts"));
      assert.ok(!q1.ok && q1.reason === "http_error" && q1.detail.includes("400"));
      const asked = server.completionBodies().map((b) => b.messages?.[1]?.content.includes("q1?"));
      assert.is(asked.filter(Boolean).length, 1, "400 asked once");
      assert.is(asked.filter((x) => !x).length, 4, "500 asked maxAttempts times");
    },
    {
      fault: (body) =>
        body.messages?.[1]?.content.includes("q1?") ? { kind: "status", status: 400 } : { kind: "status", status: 500 },
    },
  ));

test("a hanging server ends in a timeout failure per request; the run goes on", () =>
  withServer(
    async (server) => {
      const backend = createOpenAIBackend({ baseUrl: server.url });
      const results = byId(
        await collect(
          runRequests(makeRequests(3), { backend, ...fast, timeoutMs: 150, retry: { maxAttempts: 2, baseDelayMs: 1 } }),
        ),
      );
      const q0 = results.get("q0")!;
      assert.ok(!q0.ok && q0.reason === "timeout", JSON.stringify(q0));
      assert.ok(results.get("q1")!.ok && results.get("q2")!.ok);
    },
    { fault: (body) => (body.messages?.[1]?.content.includes("q0?") ? { kind: "hang" } : undefined) },
  ));

test("cancellation stops the run and keeps every answer received (in the cache too)", () =>
  withServer(
    async (server) => {
      const dir = tempDir();
      const cache = ResponseCache.open(join(dir, "responses.jsonl"));
      const backend = createOpenAIBackend({ baseUrl: server.url });
      const controller = new AbortController();
      const results: ModelResult[] = [];
      const run = runRequests(makeRequests(200), {
        backend,
        cache,
        ...fast,
        concurrency: 4,
        signal: controller.signal,
      });
      for await (const result of run) {
        results.push(result);
        if (results.length === 10) controller.abort();
      }
      const answered = results.filter((r) => r.ok);
      assert.ok(answered.length >= 10, `${answered.length} answered`);
      assert.ok(results.length < 30, `stopped early (${results.length} results)`);
      assert.ok(results.slice(10).every((r) => r.ok || r.reason === "cancelled"));
      assert.is(run.summary().stopped, "cancelled");
      assert.is(cache.count, answered.length, "every answer received is stored");
      cache.close();
      // Re-running asks only what is missing.
      await new Promise((resolve) => setTimeout(resolve, 100)); // let aborted requests land server-side first
      const before = server.completions;
      const again = ResponseCache.open(join(dir, "responses.jsonl"));
      const rerun = runRequests(makeRequests(200), { backend, cache: again, ...fast, concurrency: 8 });
      const all = await collect(rerun);
      assert.is(all.length, 200);
      assert.is(server.completions - before, 200 - answered.length);
      const askedAgain = server
        .completionBodies()
        .slice(before)
        .map((b) => b.messages?.[1]?.content ?? "");
      for (const r of answered)
        assert.not.ok(
          askedAgain.some((text) => text.endsWith(`${r.id}?`)),
          `${r.id} asked twice`,
        );
      assert.is(rerun.summary().cached, answered.length);
      again.close();
    },
    { latencyMs: 5 },
  ));

test("re-running with a warm cache costs zero requests, even with the server gone", async () => {
  const server = await FakeOpenAIServer.start();
  const dir = tempDir();
  const cache = ResponseCache.open(join(dir, "responses.jsonl"));
  const backend = createOpenAIBackend({ baseUrl: server.url });
  await collect(runRequests(makeRequests(20), { backend, cache, retry: fast.retry }));
  await server.close();
  const run = runRequests(makeRequests(20), { backend, cache, retry: fast.retry });
  const results = await collect(run);
  assert.is(results.length, 20);
  assert.ok(results.every((r) => r.ok && r.cached));
  assert.is(run.summary().sent, 0);
  cache.close();
});

test("the same question twice in one run is asked once", () =>
  withServer(async (server) => {
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const one = makeRequests(1)[0];
    const results = await collect(runRequests([one, { ...one, id: "dup" }], { backend, ...fast, concurrency: 4 }));
    assert.is(results.length, 2);
    assert.is(server.completions, 1);
    assert.equal(results.map((r) => r.id).sort(), ["dup", "q0"]);
  }));

test("usage and cost are summed from the server's usage field", () =>
  withServer(async (server) => {
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const run = runRequests(makeRequests(4), {
      backend,
      ...fast,
      prices: { promptPer1M: 1_000_000, completionPer1M: 2_000_000 },
    });
    await collect(run);
    const s = run.summary();
    assert.ok(s.promptTokens > 0 && s.completionTokens > 0);
    assert.is(s.cost, s.promptTokens + 2 * s.completionTokens);
  }));

test("completions endpoint with a raw prompt", () =>
  withServer(async (server) => {
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const [result] = await collect(
      runRequests(
        [
          {
            id: "p",
            model: "test-model",
            messages: [],
            prompt: "Hello there",
            sampling: { temperature: 0, top_p: 1, max_tokens: 8 },
          },
        ],
        {
          backend,
          ...fast,
        },
      ),
    );
    assert.ok(result.ok && result.text.includes("Hello there"));
    assert.ok(server.requests.some((r) => r.path === "/v1/completions"));
  }));

test("rpm limit spaces requests out", () =>
  withServer(async (server) => {
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const started = Date.now();
    // The bucket holds one second's worth (2 at 120/min); the 3rd and 4th wait ~0.5 s each.
    await collect(runRequests(makeRequests(4), { backend, ...fast, rpm: 120 }));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 800, `elapsed ${elapsed} ms`);
  }));

test("a 200 reply with an error body or without choices is retried like a 5xx, to success", () =>
  withServer(async (server) => {
    server.queueFaults(
      { kind: "error_body" },
      { kind: "vllm_error" },
      { kind: "empty_choices" },
      { kind: "no_choices" },
    );
    const dir = tempDir();
    const cache = ResponseCache.open(join(dir, "responses.jsonl"));
    const backend = createOpenAIBackend({ baseUrl: server.url });
    const run = runRequests(makeRequests(1), {
      backend,
      cache,
      ...fast,
      retry: { ...fast.retry, maxAttempts: 5 },
      concurrency: 1,
    });
    const [result] = await collect(run);
    assert.ok(result.ok, JSON.stringify(result));
    assert.is(server.completions, 5);
    assert.is(run.summary().retries, 4);
    assert.is(cache.count, 1, "only the real answer is stored");
    cache.close();
  }));

test("200 with an error body, retries spent: http_error keeping the server's message", () =>
  withServer(
    async (server) => {
      const dir = tempDir();
      const cache = ResponseCache.open(join(dir, "responses.jsonl"));
      const backend = createOpenAIBackend({ baseUrl: server.url });
      const results = byId(await collect(runRequests(makeRequests(4), { backend, cache, ...fast })));
      const detail = (id: string) => {
        const r = results.get(id)!;
        assert.ok(!r.ok && r.reason === "http_error", JSON.stringify(r));
        return r.ok ? "" : r.detail;
      };
      assert.ok(detail("q0").includes("KV cache exhausted (openai style)"), detail("q0"));
      assert.ok(detail("q1").includes("engine overloaded (vllm style)"), detail("q1"));
      assert.ok(detail("q2").includes("no choices"), detail("q2"));
      assert.ok(detail("q3").includes("no choices"), detail("q3"));
      for (const id of ["q0", "q1", "q2", "q3"]) assert.ok(detail(id).includes("4 attempts"), detail(id));
      assert.is(server.completions, 16, "each asked maxAttempts (4) times");
      assert.is(cache.count, 0, "no error reply is stored as an answer");
      cache.close();
    },
    {
      fault: (body) => {
        const text = body.messages?.[1]?.content ?? "";
        if (text.endsWith("q0?")) return { kind: "error_body", message: "KV cache exhausted (openai style)" };
        if (text.endsWith("q1?")) return { kind: "vllm_error", message: "engine overloaded (vllm style)" };
        if (text.endsWith("q2?")) return { kind: "empty_choices" };
        return { kind: "no_choices" };
      },
    },
  ));

test.run();
