import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { llmSection } from "../../lib/src/config/sections/llm.js";
import { resolveApiKey } from "../../lib/src/llm/from-config.js";
import { createOpenAIBackend, LlmError, ResponseCache, runRequests, runToFile } from "../../lib/src/llm/index.js";
import { FakeOpenAIServer } from "../../lib/src/testing/index.js";
import { collect, makeRequests, tempDir } from "./helpers.js";

const KEY = "sk-test-7f3a9c1e55d0b2aa-SECRET";

test("the key is sent to the server but never lands in cache, results, errors or logs", async () => {
  const server = await FakeOpenAIServer.start({ apiKey: KEY });
  const dir = tempDir();
  const cacheFile = join(dir, "responses.jsonl");
  const resultsFile = join(dir, "results.jsonl");
  const logged: string[] = [];
  const progress = {
    update: () => {},
    note: (m: string) => logged.push(m),
    finish: (s: object) => logged.push(JSON.stringify(s)),
  };
  try {
    const cache = ResponseCache.open(cacheFile);
    const good = createOpenAIBackend({ baseUrl: server.url, apiKey: KEY });
    const summary = await runToFile(makeRequests(5), resultsFile, { backend: good, cache, progress });
    assert.is(summary.ok, 5);
    cache.close();
    // A wrong key: this server echoes the Authorization header it got into its 401 body.
    const bad = createOpenAIBackend({ baseUrl: server.url, apiKey: `${KEY}-wrong` });
    let healthError = "";
    try {
      await collect(runRequests(makeRequests(2, "w"), { backend: bad, progress }));
    } catch (error) {
      healthError = (error as Error).message;
    }
    assert.ok(healthError.includes("401"), `the health check refuses a wrong key first: ${healthError}`);
    const failed = await collect(runRequests(makeRequests(2, "w"), { backend: bad, progress, health: false }));
    assert.ok(failed.every((r) => !r.ok && r.reason === "http_error" && r.detail.includes("401")));
    const texts = [
      readFileSync(cacheFile, "utf8"),
      readFileSync(resultsFile, "utf8"),
      JSON.stringify(failed),
      healthError,
      logged.join("\n"),
    ];
    for (const text of texts) {
      assert.not.ok(text.includes(KEY), "key leaked");
      assert.not.ok(text.includes("7f3a9c1e55d0b2aa"), "part of the key leaked");
    }
    assert.ok(JSON.stringify(failed).includes("Bearer ***"), "the echoed header is masked");
  } finally {
    await server.close();
  }
});

test("a key comes from the env var or a key file, never from config", () => {
  const dir = tempDir();
  const keyFile = join(dir, "key.txt");
  writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 }); // a key file others may read is refused
  assert.is(resolveApiKey({ apiKeyEnv: "MY_KEY", apiKeyFile: keyFile }, {}), KEY);
  assert.is(resolveApiKey({ apiKeyEnv: "MY_KEY" }, { MY_KEY: "from-env" }), "from-env");
  assert.is(resolveApiKey({ apiKeyEnv: "MY_KEY" }, {}), undefined);
  try {
    resolveApiKey({ apiKeyEnv: "MY_KEY", apiKeyFile: join(dir, "absent.txt") }, {});
    assert.unreachable();
  } catch (error) {
    assert.ok(LlmError.isInstance(error) && error.message.includes("absent.txt"));
  }
  const literal = llmSection.safeParse({ apiKey: KEY });
  assert.not.ok(literal.success);
  assert.ok(!literal.success && literal.error.issues[0].message.includes("apiKeyEnv"));
  assert.not.ok(JSON.stringify(literal.error).includes(KEY.slice(8)), "the rejected literal is not echoed");
});

test("requests go only to the configured URL: redirects are refused", async () => {
  const target = await FakeOpenAIServer.start();
  const redirector = createServer((req, res) => {
    res.writeHead(307, { location: `http://127.0.0.1:${target.port}${req.url}` });
    res.end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
  const port = (redirector.address() as { port: number }).port;
  try {
    const backend = createOpenAIBackend({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: KEY });
    const [result] = await collect(
      runRequests(makeRequests(1), { backend, health: false, retry: { maxAttempts: 2, baseDelayMs: 1 } }),
    );
    assert.ok(!result.ok && result.reason === "http_error");
    assert.is(target.completions, 0, "the redirect target saw nothing");
  } finally {
    redirector.close();
    await target.close();
  }
});

test.run();
