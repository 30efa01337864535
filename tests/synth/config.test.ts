import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { experimentSchema } from "../../lib/src/config/experiment.js";
import { ConfigError, validateConfig } from "../../lib/src/config/load.js";
import { synthSection } from "../../lib/src/config/sections/synth.js";
import { QUESTION_TYPES, teacherResponseSchema } from "../../lib/src/prompts/teacher.js";

test("synth section: every field has a default matching the method", () => {
  const section = synthSection.parse({});
  assert.equal(section.counts, { boolean: 10, numeric: 10, na_numeric: 5, na_boolean: 5 });
  assert.is(section.teacher.model, "meta-llama/Llama-3.1-70B-Instruct");
  assert.is(section.teacher.temperature, 0.7);
  assert.is(section.teacher.top_p, 0.95);
  assert.is(section.teacher.max_tokens, 4096);
  assert.equal(section.prepare.variants, ["boolean", "numeric", "all"]);
  assert.is(section.prepare.maxSeqTokens, 12_000);
  assert.is(experimentSchema.parse({ name: "x" }).synth.postProcess.dedupe, "normalized");
});

test("synth section: unknown keys and bad values name the field", () => {
  try {
    validateConfig(
      { name: "x", synth: { counts: { boolen: 3 }, prepare: { testFraction: 2 } } },
      experimentSchema,
      "exp.yaml",
    );
    assert.unreachable();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const paths = (error as ConfigError).issues.map((i) => i.path);
    assert.ok(paths.includes("synth.counts"), paths.join());
    assert.ok(paths.includes("synth.prepare.testFraction"), paths.join());
  }
});

test("teacher schemas convert to JSON schema for structured output and check answers by type", () => {
  for (const type of QUESTION_TYPES) {
    const json = z.toJSONSchema(teacherResponseSchema(type, 5)) as unknown as {
      properties: { questions: { maxItems: number } };
    };
    assert.is(json.properties.questions.maxItems, 5);
  }
  const item = {
    question: "q",
    type: "boolean",
    answer: "Yes",
    section: "s",
    source: "",
    difficulty: 3,
    explanation: "",
  };
  assert.ok(teacherResponseSchema("boolean").safeParse({ questions: [item] }).success);
  assert.not.ok(teacherResponseSchema("boolean").safeParse({ questions: [{ ...item, answer: "NA" }] }).success);
  assert.ok(
    teacherResponseSchema("na_boolean").safeParse({ questions: [{ ...item, type: "na_boolean", answer: "NA" }] })
      .success,
  );
});

test.run();
