import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { ConfigError, loadExperiment, loadYamlConfig, validateConfig } from "../../lib/src/config/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const scratch = tempDir("config-test-");
let counter = 0;
function yamlFile(text: string): string {
  const file = join(scratch, `recipe-${++counter}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** The error a load throws (fails the test when none is thrown). */
function errorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    assert.instance(error, ConfigError);
    return error as ConfigError;
  }
  assert.unreachable("expected a ConfigError");
  throw new Error("unreachable");
}

// A schema shaped like a section: nested strict objects whose fields all have defaults.
const sectionLike = z
  .object({
    name: z.string().min(1),
    training: z
      .object({
        optimizer: z
          .object({ learningRate: z.number().positive().default(2e-4), warmupSteps: z.number().int().default(0) })
          .strict()
          .prefault({}),
        epochs: z.number().int().min(1).default(1),
      })
      .strict()
      .prefault({}),
  })
  .strict();

test("a file that is not valid YAML: message names the file and the line", () => {
  const file = yamlFile("name: demo\nllm:\n  model: [unclosed\n  other: 1\n");
  const error = errorOf(() => loadExperiment(file));
  assert.ok(error.message.includes(file), error.message);
  assert.match(error.message, /not valid YAML at line \d+/);
  assert.is(error.file, file);
});

test("a missing file: message names the file and says it cannot be read", () => {
  const file = join(scratch, "does-not-exist.yaml");
  const error = errorOf(() => loadExperiment(file));
  assert.ok(error.message.includes(file));
  assert.match(error.message, /cannot read the file/);
});

test("a wrong type deep in a section: message names the dotted field path and the expected type", () => {
  const file = yamlFile("name: demo\ntraining:\n  optimizer:\n    learningRate: fast\n");
  const error = errorOf(() => loadYamlConfig(file, sectionLike));
  assert.ok(error.message.includes(file));
  assert.equal(
    error.issues.map((issue) => issue.path),
    ["training.optimizer.learningRate"],
  );
  assert.match(error.message, /training\.optimizer\.learningRate: .*expected number/i);
});

test("a wrong type deep in the real experiment schema (llm.retry.maxAttempts)", () => {
  const file = yamlFile("name: demo\nllm:\n  retry:\n    maxAttempts: five\n");
  const error = errorOf(() => loadExperiment(file));
  assert.ok(error.message.includes(file));
  assert.match(error.message, /llm\.retry\.maxAttempts: .*expected number/i);
});

test("an unknown key: message names the enclosing path and the unknown key", () => {
  const file = yamlFile("name: demo\ntraining:\n  optimizer:\n    learningRat: 0.1\n");
  const error = errorOf(() => loadYamlConfig(file, sectionLike));
  assert.is(error.issues[0].path, "training.optimizer");
  assert.match(error.message, /learningRat/);
  assert.match(error.message, /unrecognized key/i);
});

test("an unknown top-level key and an unknown section key in the real experiment schema", () => {
  const top = errorOf(() => loadExperiment(yamlFile("name: demo\nsed: 3\n")));
  assert.match(top.message, /\(top level\): .*sed/);
  const nested = errorOf(() => loadExperiment(yamlFile("name: demo\nllm:\n  modle: x\n")));
  assert.match(nested.message, /llm: .*modle/);
});

test("a required field missing and several problems at once are all listed", () => {
  const file = yamlFile("training:\n  epochs: 0\n  optimizer:\n    warmupSteps: 1.5\n");
  const error = errorOf(() => loadYamlConfig(file, sectionLike));
  const paths = error.issues.map((issue) => issue.path).sort();
  assert.equal(paths, ["name", "training.epochs", "training.optimizer.warmupSteps"]);
  assert.is(error.message.split("\n").length, 4, error.message);
});

test("defaults fill every section; a valid recipe loads", () => {
  const loaded = loadYamlConfig(yamlFile("name: demo\n"), sectionLike);
  assert.equal(loaded, { name: "demo", training: { optimizer: { learningRate: 2e-4, warmupSteps: 0 }, epochs: 1 } });
  const experiment = loadExperiment(yamlFile("name: demo\n"));
  assert.is(experiment.name, "demo");
  assert.is(experiment.seed, 42);
});

test("validateConfig names the source it was given", () => {
  const error = errorOf(() => validateConfig({ name: 3 }, sectionLike, "--set name=3"));
  assert.match(error.message, /^Invalid config --set name=3:/);
  assert.match(error.message, /name: .*expected string/i);
});

test("the shipped sample recipe is valid", () => {
  const experiment = loadExperiment(join(import.meta.dirname, "..", "..", "configs", "experiments", "sample.yaml"));
  assert.is(experiment.name, "sample");
});

test.run();
