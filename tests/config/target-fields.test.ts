import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError, loadExperiment } from "../../lib/src/config/index.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { EVAL_ANSWER_FIELDS, EVAL_SYSTEM_PROMPT } from "../../lib/src/prompts/eval.js";
import { tempDir } from "../helpers/temp-dir.js";

const scratch = tempDir("target-fields-");
let counter = 0;
function recipe(targetFields: string): string {
  const file = join(scratch, `recipe-${++counter}.yaml`);
  writeFileSync(file, `name: t\nsynth:\n  prepare:\n    targetFields: ${targetFields}\n`);
  return file;
}

function configError(file: string): ConfigError {
  try {
    loadExperiment(file);
  } catch (error) {
    assert.instance(error, ConfigError);
    return error as ConfigError;
  }
  assert.unreachable("expected a ConfigError");
  throw new Error("unreachable");
}

test("the evaluation prompt's JSON shape lists exactly EVAL_ANSWER_FIELDS", () => {
  const shape = EVAL_SYSTEM_PROMPT.match(/\{"[^}]*\}/)?.[0] ?? "";
  const keys = [...shape.matchAll(/"(\w+)":/g)].map((m) => m[1]);
  assert.equal(keys, [...EVAL_ANSWER_FIELDS]);
});

test("the shipped sample config loads, and training targets match the evaluation prompt", () => {
  const experiment = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
  assert.equal([...experiment.synth.prepare.targetFields].sort(), [...EVAL_ANSWER_FIELDS].sort());
});

test("a field trained but never asked for is a config error naming both lists and the file", () => {
  const file = recipe("[answer, explanation, source]");
  const error = configError(file);
  assert.ok(error.message.includes(file));
  const issue = error.issues.find((i) => i.path === "synth.prepare.targetFields");
  assert.ok(issue, error.message);
  assert.match(issue!.message, "training targets [answer, explanation, source]");
  assert.match(issue!.message, "asks for [answer, explanation]");
  assert.match(issue!.message, "trained but not asked for: source");
  assert.match(issue!.message, "lib/src/prompts/eval.ts");
});

test("a field asked for but never trained is a config error too", () => {
  const error = configError(recipe("[answer]"));
  assert.match(error.message, "asked for but not trained: explanation");
});

test("a repeated field is an error; another order of the same fields is not", () => {
  assert.match(configError(recipe("[answer, explanation, answer]")).message, "listed twice: answer");
  const experiment = loadExperiment(recipe("[explanation, answer]"));
  assert.equal(experiment.synth.prepare.targetFields, ["explanation", "answer"]);
});

test("eval.trainingOverlap.allow needs a reason", () => {
  const file = join(scratch, "overlap.yaml");
  writeFileSync(file, "name: t\neval:\n  trainingOverlap: { allow: true }\n");
  const error = configError(file);
  assert.ok(
    error.issues.some((i) => i.path === "eval.trainingOverlap.reason"),
    error.message,
  );
});

test.run();
