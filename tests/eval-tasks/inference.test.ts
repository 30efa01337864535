import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadExperiment } from "../../lib/src/config/experiment.js";
import { deriveSeed } from "../../lib/src/config/seeds.js";
import { evaluateFile } from "../../lib/src/eval/tasks/evaluate.js";
import { predictWithLlm } from "../../lib/src/eval/tasks/infer.js";
import { loadEvalTask } from "../../lib/src/eval/tasks/load-task.js";
import { writePredictions } from "../../lib/src/eval/tasks/predictions.js";
import { evalRequests } from "../../lib/src/eval/tasks/requests.js";
import { SAMPLE_REPLAY_MODEL } from "../../lib/src/eval/tasks/sample-replay.js";
import { createOpenAIBackend } from "../../lib/src/llm/backends/openai-backend.js";
import { createReplayBackend } from "../../lib/src/llm/backends/replay-backend.js";
import { ResponseCache } from "../../lib/src/llm/response-cache.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { evalSampling } from "../../lib/src/prompts/eval.js";
import { FakeOpenAIServer } from "../../lib/src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const experiment = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
const dir = tempDir("eval-inference-");

for (const [task, file] of [
  ["apixaban", "data/sample/apixaban/sample-responses.jsonl"],
  ["synthetic", "data/sample/synthetic-eval/sample-responses.jsonl"],
] as const) {
  test(`${task}: the shipped SAMPLE replay answers every current request through the LLM layer`, async () => {
    const loaded = await loadEvalTask(experiment, task);
    const requests = evalRequests(loaded.items, loaded.noteText, SAMPLE_REPLAY_MODEL, {
      ...evalSampling(),
      ...experiment.eval.sampling,
    });
    assert.is(requests.length, loaded.items.length);
    const backend = await createReplayBackend([resolveFromRoot(file)]);
    const { predictions, summary } = await predictWithLlm(requests, { backend, health: false }, SAMPLE_REPLAY_MODEL);
    const misses = predictions.filter((p) => !p.ok);
    assert.is(
      misses.length,
      0,
      `replay misses (${misses.length}): regenerate with npm run cli -- eval sample-replay --task ${task} --out ${file}`,
    );
    assert.ok(summary);
    const out = join(dir, `${task}.jsonl`);
    writePredictions(out, predictions);
    const result = evaluateFile(out, loaded.items, { ...loaded.evaluateOptions, bootstrap: { resamples: 20 } });
    assert.is(result.model, SAMPLE_REPLAY_MODEL);
    // Every fifth sample answer is wrong on purpose, the rest equal gold in various formats.
    const wrong = result.graded.filter((item) => !item.exact).length;
    assert.is(wrong, Math.floor(loaded.items.length / 5));
  });
}

test("a request without a recorded answer becomes a failed prediction (replay_miss), not a crash", async () => {
  const loaded = await loadEvalTask(experiment, "apixaban");
  const requests = evalRequests(loaded.items.slice(0, 2), loaded.noteText, "some-other-model");
  const backend = await createReplayBackend([resolveFromRoot("data/sample/apixaban/sample-responses.jsonl")]);
  const { predictions } = await predictWithLlm(requests, { backend, health: false, retry: { maxAttempts: 1 } }, "x");
  assert.equal(
    predictions.map((p) => [p.ok, p.reason]),
    [
      [false, "replay_miss"],
      [false, "replay_miss"],
    ],
  );
});

test("requests: one per item, note before question, sorted by note for the prefix cache; missing note is an error", async () => {
  const loaded = await loadEvalTask(experiment, "apixaban");
  const requests = evalRequests(loaded.items, loaded.noteText, "m");
  const noteIds = requests.map((r) => r.id.split(":")[0]);
  assert.ok(
    requests.every((r) =>
      r.messages[1].content.endsWith(`Question: ${loaded.items.find((i) => i.itemId === r.id)!.question}`),
    ),
  );
  assert.equal(noteIds, [...noteIds].sort());
  assert.throws(() => evalRequests(loaded.items, () => undefined, "m"), /no note text for 4 note\(s\)/);
});

test("server path: eval sampling on the wire, a truncated answer is a listed failure, a re-run asks nothing", async () => {
  const loaded = await loadEvalTask(experiment, "apixaban");
  const items = loaded.items.slice(0, 3);
  const server = await FakeOpenAIServer.start({
    respond: (_body, index) =>
      index === 1 ? { content: '{"answer": "ye', finishReason: "length" } : '{"answer": "no", "explanation": "x"}',
  });
  try {
    const backend = createOpenAIBackend({ baseUrl: server.url, apiKey: "EMPTY" });
    const requests = evalRequests(items, loaded.noteText, "student", {
      ...evalSampling(),
      ...experiment.eval.sampling,
    });
    const cache = ResponseCache.open(join(dir, "cache.jsonl"));
    const options = { backend, cache, health: false as const, concurrency: 1, retry: { maxAttempts: 1 } };
    const first = await predictWithLlm(requests, options, "student");
    const body = server.completionBodies()[0];
    assert.is(body.temperature, 0);
    assert.is(body.top_p, 1);
    assert.is(body.max_tokens, 256);
    assert.equal(body.stop_token_ids, [128000, 128001, 128007, 128008, 128009]);
    // The experiment seed reaches the request through its "eval.sampling" sub-seed (docs/seeds.md).
    assert.is(body.seed, deriveSeed(experiment.seed, "eval.sampling"));
    assert.is(body.messages?.[0].role, "system");
    assert.not.match(JSON.stringify(body), "difficulty");
    assert.equal(
      first.predictions.map((p) => [p.ok, p.reason]),
      [
        [true, undefined],
        [false, "truncated"],
        [true, undefined],
      ],
    );
    const calls = server.completions;
    const again = await predictWithLlm(requests, options, "student");
    // The layer caches every answer it got, truncated ones too: a re-run asks the server nothing.
    assert.is(server.completions, calls, "a re-run calls no model");
    assert.ok(again.predictions.every((p) => p.cached));
    assert.equal(
      again.predictions.map((p) => p.ok),
      [true, false, true],
    );
    cache.close();
  } finally {
    await server.stop();
  }
});

test.run();
