import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { ResponseCache, requestKey } from "../../lib/src/llm/index.js";
import { KeyIndex } from "../../lib/src/llm/internal/key-index.js";
import { canonicalJson, keyMaterial } from "../../lib/src/llm/request-key.js";
import { answerSchema, makeRequests, tempDir } from "./helpers.js";

const key = (n: number) => n.toString(16).padStart(64, "0");

test("put, get, reopen: answers survive and are indexed by key", () => {
  const file = join(tempDir(), "responses.jsonl");
  const cache = ResponseCache.open(file);
  cache.put({
    key: key(1),
    id: "a",
    text: '{"x":1}',
    finishReason: "stop",
    usage: { promptTokens: 3, completionTokens: 2 },
  });
  cache.put({ key: key(2), id: "b", text: "héllo ✓ unicode", finishReason: "length" });
  cache.put({ key: key(1), id: "again", text: "ignored", finishReason: "stop" });
  cache.close();
  const reopened = ResponseCache.open(file);
  assert.is(reopened.count, 2);
  assert.is(reopened.get(key(1))?.text, '{"x":1}');
  assert.is(reopened.get(key(2))?.text, "héllo ✓ unicode");
  assert.is(reopened.get(key(3)), undefined);
  assert.is(readFileSync(file, "utf8").trim().split("\n").length, 2, "a stored key is not written twice");
  reopened.close();
});

test("a torn last line (killed mid-write) is cut off, reported, and appends continue cleanly", () => {
  const file = join(tempDir(), "responses.jsonl");
  const cache = ResponseCache.open(file);
  cache.put({ key: key(1), text: "one", finishReason: "stop" });
  cache.close();
  appendFileSync(file, `{"key":"${key(2)}","text":"tw`);
  const reopened = ResponseCache.open(file);
  assert.is(reopened.count, 1);
  assert.ok(reopened.loadReport.tornBytes > 0);
  assert.not.ok(reopened.has(key(2)));
  reopened.put({ key: key(3), text: "three", finishReason: "stop" });
  reopened.close();
  const lines = readFileSync(file, "utf8").trim().split("\n");
  assert.is(lines.length, 2);
  for (const line of lines) JSON.parse(line);
  assert.is(ResponseCache.open(file).get(key(3))?.text, "three");
});

test("a corrupt line in the middle is counted with its line number, the rest loads", () => {
  const file = join(tempDir(), "responses.jsonl");
  writeFileSync(
    file,
    [
      JSON.stringify({ key: key(1), text: "a", finishReason: "stop", at: 0 }),
      "garbage {",
      JSON.stringify({ finishReason: "stop", text: "key last", key: key(2), at: 0 }),
      "",
    ].join("\n"),
  );
  const cache = ResponseCache.open(file);
  assert.is(cache.count, 2);
  assert.is(cache.loadReport.badLineCount, 1);
  assert.equal(cache.loadReport.badLines[0].line, 2);
  assert.is(cache.get(key(2))?.text, "key last");
  cache.close();
});

test("a byte order mark (the file saved by an editor) leaves the first record readable, nothing quarantined", () => {
  const file = join(tempDir(), "responses.jsonl");
  const cache = ResponseCache.open(file);
  cache.put({ key: key(1), text: "first", finishReason: "stop" });
  cache.put({ key: key(2), text: "second", finishReason: "stop" });
  cache.close();
  writeFileSync(file, `\uFEFF${readFileSync(file, "utf8")}`);
  const reopened = ResponseCache.open(file);
  assert.is(reopened.loadReport.badLineCount, 0);
  assert.is(reopened.count, 2);
  assert.is(reopened.get(key(1))?.text, "first");
  reopened.put({ key: key(3), text: "third", finishReason: "stop" });
  reopened.close();
  assert.is(ResponseCache.open(file).get(key(3))?.text, "third");
});

test("keys: content-addressed, id and key order do not matter, sampling and schema do", () => {
  const [a] = makeRequests(1);
  assert.is(requestKey(a), requestKey({ ...a, id: "other" }));
  assert.is(requestKey(a), requestKey({ ...a, sampling: { seed: 1, max_tokens: 64, top_p: 1, temperature: 0 } }));
  assert.is.not(requestKey(a), requestKey({ ...a, sampling: { ...a.sampling, temperature: 0.5 } }));
  assert.is.not(requestKey(a), requestKey({ ...a, schema: undefined }));
  assert.is.not(requestKey(a), requestKey({ ...a, model: "other" }));
  // A zod schema and its JSON-schema form (requests read from files) give the same key.
  const json = JSON.parse(JSON.stringify({ ...a, schema: undefined }));
  const schema = z.toJSONSchema(answerSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
  delete schema.$schema;
  assert.is(requestKey({ ...json, jsonSchema: schema }), requestKey(a));
  assert.is(canonicalJson({ b: 1, a: [1, { d: undefined, c: 2 }] }), '{"a":[1,{"c":2}],"b":1}');
  // The fast key builder hashes exactly the canonical material (committed sample files rely on the keys).
  const sha = (text: string) => createHash("sha256").update(text).digest("hex");
  const variants = [
    a,
    { ...a, schema: undefined },
    { ...a, schemaName: "other" },
    { ...a, messages: [], prompt: "raw prompt" },
    { ...a, messages: [{ content: "c first", role: "user" as const }] },
    {
      ...a,
      sampling: { temperature: 0, top_p: 1, max_tokens: 5, stop: ["x"], stop_token_ids: [1, 2], seed: undefined },
    },
  ];
  for (const variant of variants) assert.is(requestKey(variant), sha(keyMaterial(variant)));
});

test("the compact key index holds many keys through growth", () => {
  const index = new KeyIndex(16);
  const keys = Array.from({ length: 5000 }, (_, i) => createHash("sha256").update(String(i)).digest("hex"));
  for (const [i, k] of keys.entries()) index.set(k, i * 10);
  assert.is(index.size, 5000);
  for (const [i, k] of keys.entries()) assert.is(index.get(k), i * 10);
  assert.is(index.get(createHash("sha256").update("absent").digest("hex")), undefined);
  index.set(keys[0], 7);
  assert.is(index.size, 5000);
  assert.is(index.get(keys[0]), 7);
});

test.run();
