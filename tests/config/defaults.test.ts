// Each default is written once, in the config schema: a library function called without an option
// behaves like an experiment whose section is empty. Compared against the schemas parsed here, not
// against `defaults`, so a library constant that drifts from its schema fails.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { defaults } from "../../lib/src/config/index.js";
import { evalSection } from "../../lib/src/config/sections/eval.js";
import { exportSection } from "../../lib/src/config/sections/export.js";
import { llmSection } from "../../lib/src/config/sections/llm.js";
import { nerSection } from "../../lib/src/config/sections/ner.js";
import { synthSection } from "../../lib/src/config/sections/synth.js";
import { DEFAULT_N2C2_THRESHOLDS } from "../../lib/src/eval/tasks/n2c2/questions.js";
import { type Backend, type ModelRequest, runRequests } from "../../lib/src/llm/index.js";
import { defaultRetryPolicy } from "../../lib/src/llm/retry-policy.js";
import { DEFAULT_NER_SAMPLING } from "../../lib/src/ner/llm-labeler.js";
import { DEFAULT_RXNORM_TERM_TYPES } from "../../lib/src/ner/rxnorm.js";
import { evalSampling } from "../../lib/src/prompts/eval.js";
import { DEFAULT_QUESTION_COUNTS } from "../../lib/src/prompts/teacher.js";
import { DEFAULT_GUARD_MIN_WORDS } from "../../lib/src/report/export-guard.js";
import { DEFAULT_TEACHER } from "../../lib/src/synth/generate.js";
import { DEFAULT_MAX_ELLIPSIS_GAP } from "../../lib/src/synth/source-check.js";

const llm = llmSection.parse({});
const synth = synthSection.parse({});
const evaluation = evalSection.parse({});
const ner = nerSection.parse({});

/** A backend that holds every call until `target` are in flight (or 2 s pass), recording the most at once. */
function gatedBackend(target: number) {
  let inFlight = 0;
  let most = 0;
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
    setTimeout(resolve, 2000).unref();
  });
  const backend: Backend = {
    kind: "custom",
    target: "gated",
    async complete() {
      inFlight++;
      most = Math.max(most, inFlight);
      if (inFlight >= target) open();
      await gate;
      inFlight--;
      return { text: "ok", finishReason: "stop" };
    },
  };
  return { backend, most: () => most };
}

test("runRequests without a concurrency keeps llm.concurrency's default in flight (64, not 16)", async () => {
  const { backend, most } = gatedBackend(llm.concurrency);
  const requests: ModelRequest[] = Array.from({ length: llm.concurrency * 2 }, (_, i) => ({
    id: `r${i}`,
    model: "m",
    messages: [{ role: "user", content: `question ${i}` }],
    sampling: { temperature: 0, top_p: 1, max_tokens: 8 },
  }));
  let answered = 0;
  for await (const result of runRequests(requests, { backend, health: false })) if (result.ok) answered++;
  assert.is(answered, requests.length);
  assert.is(most(), llm.concurrency);
});

test("library constants are the schemas' defaults", () => {
  assert.equal(defaultRetryPolicy, llm.retry);
  assert.equal(evalSampling(7), { ...evaluation.sampling, seed: 7 });
  assert.equal(DEFAULT_QUESTION_COUNTS, synth.counts);
  const { structuredOutput: _structured, seed: _seed, ...teacher } = synth.teacher;
  assert.equal(DEFAULT_TEACHER, teacher);
  assert.is(DEFAULT_MAX_ELLIPSIS_GAP, synth.postProcess.maxEllipsisGap);
  assert.equal(DEFAULT_N2C2_THRESHOLDS, {
    creatinineAbove: evaluation.n2c2.creatinineAbove,
    hba1cRange: evaluation.n2c2.hba1cRange,
  });
  assert.equal(DEFAULT_RXNORM_TERM_TYPES, ner.ontology.rxnormTermTypes);
  assert.is(DEFAULT_NER_SAMPLING.temperature, ner.teacher.temperature);
  assert.is(DEFAULT_NER_SAMPLING.max_tokens, ner.teacher.maxTokens);
  assert.is(DEFAULT_GUARD_MIN_WORDS, exportSection.parse({}).guard.minWords);
});

test("defaults is every section parsed from {}, frozen all the way down", () => {
  assert.equal(defaults.llm, llm);
  assert.equal(defaults.synth, synth);
  assert.equal(defaults.ner, ner);
  assert.ok(Object.isFrozen(defaults.llm.health));
  assert.ok(Object.isFrozen(defaults.synth.prepare.targetFields));
  assert.throws(() => {
    (defaults.llm as { concurrency: number }).concurrency = 1;
  });
});

test.run();
