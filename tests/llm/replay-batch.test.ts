import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type BatchReadReport,
  createOpenAIBackend,
  createReplayBackend,
  missingFromBatch,
  ResponseCache,
  readBatchOutput,
  readRequestsJsonl,
  requestKey,
  runRequests,
  runToFile,
  writeBatchFile,
  writeRequestsJsonl,
} from "../../lib/src/llm/index.js";
import { FakeOpenAIServer } from "../../lib/src/testing/index.js";
import { collect, makeRequests, tempDir } from "./helpers.js";

test("replay answers from a cache file; a miss is replay_miss naming the id and key", async () => {
  const server = await FakeOpenAIServer.start();
  const dir = tempDir();
  const cacheFile = join(dir, "responses.jsonl");
  try {
    const cache = ResponseCache.open(cacheFile);
    await collect(runRequests(makeRequests(3), { backend: createOpenAIBackend({ baseUrl: server.url }), cache }));
    cache.close();
  } finally {
    await server.close();
  }
  const replay = await createReplayBackend([cacheFile]);
  assert.is(replay.report.answers, 3);
  const requests = makeRequests(4);
  const results = await collect(runRequests(requests, { backend: replay }));
  const miss = results.find((r) => r.id === "q3")!;
  assert.ok(!miss.ok && miss.reason === "replay_miss");
  assert.ok(!miss.ok && miss.detail.includes("q3") && miss.detail.includes(requestKey(requests[3])));
  assert.is(results.filter((r) => r.ok).length, 3);
});

test("replay reads a folder of results files too", async () => {
  const server = await FakeOpenAIServer.start();
  const dir = tempDir();
  try {
    await runToFile(makeRequests(2), join(dir, "recorded", "a.jsonl"), {
      backend: createOpenAIBackend({ baseUrl: server.url }),
    });
  } finally {
    await server.close();
  }
  writeFileSync(join(dir, "recorded", "b.jsonl"), "not json\n");
  const replay = await createReplayBackend([join(dir, "recorded")]);
  assert.is(replay.report.answers, 2);
  assert.equal(replay.report.badLines, [{ file: join(dir, "recorded", "b.jsonl"), line: 1 }]);
  const results = await collect(runRequests(makeRequests(2), { backend: replay }));
  assert.ok(results.every((r) => r.ok));
});

test("batch file: OpenAI Batch envelope with response_format, unique custom_ids", async () => {
  const dir = tempDir();
  const file = join(dir, "batch.jsonl");
  const { written } = await writeBatchFile(makeRequests(3), file);
  assert.is(written, 3);
  const lines = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(Object.keys(lines[0]).sort(), ["body", "custom_id", "method", "url"]);
  assert.is(lines[0].custom_id, "q0");
  assert.is(lines[0].method, "POST");
  assert.is(lines[0].url, "/v1/chat/completions");
  assert.is(lines[0].body.response_format.type, "json_schema");
  assert.is(lines[0].body.temperature, 0);
  assert.not.ok(Object.keys(lines[0].body).some((k) => k.startsWith("guided")));
  const [a] = makeRequests(1);
  try {
    await writeBatchFile([a, a], join(dir, "dup.jsonl"));
    assert.unreachable();
  } catch (error) {
    assert.ok((error as Error).message.includes('"q0" appears twice'));
  }
});

test("batch output read back into results and the cache; missing and failed ones listed for resubmission", async () => {
  const dir = tempDir();
  const requests = makeRequests(5);
  const output = [
    {
      custom_id: "q0",
      response: {
        status_code: 200,
        body: {
          choices: [{ message: { content: '{"answer":true,"evidence":"e"}' }, finish_reason: "stop" }],
          usage: { prompt_tokens: 9, completion_tokens: 4 },
        },
      },
      error: null,
    },
    {
      custom_id: "q1",
      response: {
        status_code: 200,
        body: { choices: [{ message: { content: '{"answer":"maybe"}' }, finish_reason: "stop" }] },
      },
      error: null,
    },
    { custom_id: "q2", response: null, error: { code: "server_error", message: "engine died" } },
    {
      custom_id: "q4",
      response: {
        status_code: 200,
        body: { choices: [{ message: { content: '{"answer":false,"evid' }, finish_reason: "length" }] },
      },
      error: null,
    },
  ];
  const outFile = join(dir, "out.jsonl");
  writeFileSync(outFile, `${output.map((o) => JSON.stringify(o)).join("\n")}\nbroken line\n`);
  const cache = ResponseCache.open(join(dir, "responses.jsonl"));
  const report: BatchReadReport = { badLines: [], missing: 0 };
  const results = await collect(readBatchOutput(outFile, requests, { cache, report }));
  assert.equal(
    results.map((r) => (r.ok ? "ok" : r.reason)),
    ["ok", "schema_mismatch", "http_error", "truncated"],
  );
  assert.is(report.missing, 1);
  assert.equal(report.badLines, [5]);
  assert.is(cache.count, 3, "answers (valid or not) stored; the errored one not");
  // An editor's byte order mark and blank lines: the first line still reads, bad lines keep their file line numbers.
  const edited = join(dir, "out-edited.jsonl");
  const [first, ...rest] = output.map((o) => JSON.stringify(o));
  writeFileSync(edited, `\uFEFF${first}\n\n${rest.join("\n")}\n\nbroken line\n`);
  const editedReport: BatchReadReport = { badLines: [], missing: 0 };
  const editedCache = ResponseCache.open(join(dir, "responses-edited.jsonl"));
  const again = await collect(readBatchOutput(edited, requests, { cache: editedCache, report: editedReport }));
  assert.equal(
    again.map((r) => (r.ok ? "ok" : r.reason)),
    ["ok", "schema_mismatch", "http_error", "truncated"],
  );
  assert.equal(editedReport.badLines, [7]);
  const missing = await collect(missingFromBatch(outFile, requests));
  assert.equal(
    missing.map((r) => r.id),
    ["q2", "q3"],
  );
  // A later live run asks only what the batch did not answer.
  const server = await FakeOpenAIServer.start();
  try {
    const run = runRequests(requests, { backend: createOpenAIBackend({ baseUrl: server.url }), cache });
    await collect(run);
    assert.is(server.completions, 2);
    assert.is(run.summary().cached, 3);
  } finally {
    await server.close();
    cache.close();
  }
});

test("request files round-trip with the same keys; a bad line names file, line and field", async () => {
  const dir = tempDir();
  const file = join(dir, "requests.jsonl");
  const requests = makeRequests(3);
  assert.is(await writeRequestsJsonl(requests, file), 3);
  const read = await collect(readRequestsJsonl(file));
  assert.equal(read.map(requestKey), requests.map(requestKey));
  writeFileSync(
    file,
    `${readFileSync(file, "utf8")}{"id":"x","model":"m","messages":[{"role":"user","content":"hi"}],"sampling":{"temperature":0,"top_p":1,"max_tokens":"many"}}\n`,
  );
  try {
    await collect(readRequestsJsonl(file));
    assert.unreachable();
  } catch (error) {
    const message = (error as Error).message;
    assert.ok(message.includes(`${file}:4`) && message.includes("sampling.max_tokens"), message);
  }
  // In a run, the bad line ends the run with that error after the good ones.
  const server = await FakeOpenAIServer.start();
  try {
    await collect(runRequests(readRequestsJsonl(file), { backend: createOpenAIBackend({ baseUrl: server.url }) }));
    assert.unreachable();
  } catch (error) {
    assert.ok((error as Error).message.includes(`${file}:4`));
  } finally {
    await server.close();
  }
});

test("a byte order mark at the start of a request file or a replay file is skipped, as in notes files", async () => {
  const dir = tempDir();
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const requestsFile = join(dir, "requests.jsonl");
  const requests = makeRequests(2);
  await writeRequestsJsonl(requests, requestsFile);
  writeFileSync(requestsFile, Buffer.concat([bom, readFileSync(requestsFile)]));
  assert.equal((await collect(readRequestsJsonl(requestsFile))).map(requestKey), requests.map(requestKey));

  const cacheFile = join(dir, "responses.jsonl");
  const server = await FakeOpenAIServer.start();
  try {
    const cache = ResponseCache.open(cacheFile);
    await collect(runRequests(requests, { backend: createOpenAIBackend({ baseUrl: server.url }), cache }));
    cache.close();
  } finally {
    await server.close();
  }
  writeFileSync(cacheFile, Buffer.concat([bom, readFileSync(cacheFile)]));
  const replay = await createReplayBackend([cacheFile]);
  assert.equal(replay.report.badLines, []);
  assert.is(replay.report.answers, 2, "the first line's answer is read too");
});

test("batch output: a 200 whose body is an error or has no choices is a failure keeping the message, resubmitted", async () => {
  const dir = tempDir();
  const requests = makeRequests(3);
  const line = (id: string, body: unknown) =>
    JSON.stringify({ custom_id: id, response: { status_code: 200, body }, error: null });
  const outFile = join(dir, "out.jsonl");
  writeFileSync(
    outFile,
    [
      line("q0", { error: { message: "prompt too long for this server", type: "invalid_request_error" } }),
      line("q1", { object: "error", message: "vllm engine overloaded", type: "InternalServerError", code: 500 }),
      line("q2", { id: "x", choices: [] }),
      "",
    ].join("\n"),
  );
  const cache = ResponseCache.open(join(dir, "responses.jsonl"));
  const results = await collect(readBatchOutput(outFile, requests, { cache }));
  const details = results.map((r) => (r.ok ? "ok" : `${r.reason}: ${r.detail}`));
  assert.ok(details[0].startsWith("http_error") && details[0].includes("prompt too long for this server"), details[0]);
  assert.ok(details[1].startsWith("http_error") && details[1].includes("vllm engine overloaded"), details[1]);
  assert.ok(details[2].startsWith("http_error") && details[2].includes("no choices"), details[2]);
  assert.is(cache.count, 0, "an error reply is not stored as an answer");
  cache.close();
  const missing = await collect(missingFromBatch(outFile, requests));
  assert.equal(
    missing.map((r) => r.id),
    ["q0", "q1", "q2"],
  );
});

test.run();
