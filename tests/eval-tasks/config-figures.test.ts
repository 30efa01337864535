import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { main } from "../../lib/src/cli/main.js";
import { ConfigError, validateConfig } from "../../lib/src/config/load.js";
import { evalSection } from "../../lib/src/config/sections/eval.js";
import { evaluate } from "../../lib/src/eval/tasks/evaluate.js";
import {
  calibrationFigure,
  calibrationPoints,
  n2c2CriteriaFigure,
  questionBarsFigure,
  typeAccuracyFigure,
} from "../../lib/src/eval/tasks/figures.js";
import { gradeItems } from "../../lib/src/eval/tasks/grade.js";
import { evaluateN2c2 } from "../../lib/src/eval/tasks/n2c2/evaluate.js";
import { n2c2Items } from "../../lib/src/eval/tasks/n2c2/items.js";
import { N2C2_QUESTIONS } from "../../lib/src/eval/tasks/n2c2/questions.js";
import { writePredictions } from "../../lib/src/eval/tasks/predictions.js";
import type { EvalItem, Prediction } from "../../lib/src/eval/tasks/types.js";
import { tempDir } from "../helpers/temp-dir.js";

test("eval config: every field has a default matching the paper; unknown keys are named", () => {
  const section = validateConfig({}, evalSection, "test.yaml");
  assert.equal(section.sampling, {
    temperature: 0,
    top_p: 1,
    max_tokens: 256,
    stop_token_ids: [128000, 128001, 128007, 128008, 128009],
  });
  // No seed of its own: a loaded experiment fills in its "eval.sampling" sub-seed (docs/seeds.md).
  assert.is(section.sampling.seed, undefined);
  assert.is(section.n2c2.creatinineAbove, 1.3);
  assert.equal(section.n2c2.hba1cRange, { min: 6.5, max: 9.5 });
  assert.is(section.n2c2.referenceMicroF1, 0.91);
  assert.is(section.bootstrap.resamples, 1000);
  try {
    validateConfig({ n2c2: { creatinine: 1.5 } }, evalSection, "test.yaml");
    assert.unreachable();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.match((error as Error).message, "n2c2");
    assert.match((error as Error).message, "creatinine");
  }
  assert.throws(
    () => validateConfig({ n2c2: { hba1cRange: { min: 9, max: 7 } } }, evalSection, "t.yaml"),
    /min must not exceed max/,
  );
  assert.throws(() => validateConfig({ models: { "bad label": "x" } }, evalSection, "t.yaml"), /file-name safe/);
});

const answer = (text: string) => JSON.stringify({ answer: text });

test("figures: plain {data, layout}, CIs as asymmetric error bars, SAMPLE in the title when asked", () => {
  const items: EvalItem[] = ["yes", "no", "yes", "no"].map((gold, i) => ({
    itemId: `i${i}`,
    task: "synthetic",
    noteId: "n",
    questionId: "boolean",
    questionType: "boolean",
    question: "q",
    gold,
    difficulty: String(i + 1),
  }));
  const predictions = new Map<string, Prediction>(
    items.map((item) => [item.itemId, { item_id: item.itemId, model: "m", ok: true, text: answer("yes") }]),
  );
  const result = evaluate("m", items, predictions, { bootstrap: { resamples: 20 } });
  const types = typeAccuracyFigure([result], { title: "T", sample: true });
  // The title's second line says what the error bars are: unit and count.
  assert.equal(types.layout?.title, {
    text: "SAMPLE DATA, NOT A RESULT: T<br><sub>error bars: 95% CI, 20 resamples of notes</sub>",
  });
  const bar = types.data[0] as { y: number[]; error_y: { array: number[]; arrayminus: number[] } };
  assert.equal(bar.y, [0.5]);
  assert.ok(bar.error_y.array[0] >= 0 && bar.error_y.arrayminus[0] >= 0);
  assert.not.throws(() => JSON.stringify(types));
  const points = calibrationPoints([result], { bootstrap: { resamples: 20 } });
  assert.equal(
    points.map((point) => [point.difficulty, point.errorRate.value]),
    [
      [1, 0],
      [2, 1],
      [3, 0],
      [4, 1],
    ],
  );
  assert.is(calibrationFigure(points, { title: "C" }).data.length, 1);
  assert.is(questionBarsFigure([result], { title: "Q" }).data.length, 1);
});

test("n2c2 figure: 13 criteria plus the overall micro bar, and the 0.91 reference line", () => {
  const tags = Object.fromEntries(N2C2_QUESTIONS.map((q) => [q.id, "not met"]));
  const items = n2c2Items(
    [
      { patientId: "1", tags },
      { patientId: "2", tags: { ...tags, ABDOMINAL: "met" } },
    ],
    "test",
  );
  const predictions = new Map(
    items.map((item) => [item.itemId, { item_id: item.itemId, model: "m", ok: true, text: answer("no") }]),
  );
  const evaluation = evaluateN2c2("m", gradeItems(items, predictions), { bootstrap: { resamples: 20 } });
  const figure = n2c2CriteriaFigure([evaluation], { title: "n2c2", referenceMicroF1: 0.91 });
  const trace = figure.data[0] as { x: string[]; y: number[] };
  assert.is(trace.x.length, 14);
  assert.is(trace.x[13], "OVERALL (micro)");
  assert.is(trace.y[13], evaluation.official.micro.f1);
  const shapes = figure.layout?.shapes as { y0: number }[];
  assert.is(shapes[0].y0, 0.91);
  assert.match(JSON.stringify(figure.layout?.annotations), "best 2018 system: micro-F1 0.91");
});

test("CLI: eval score names the file and the missing ids and exits 1; baseline + score succeed", async () => {
  const dir = tempDir("eval-cli-");
  const partial = join(dir, "partial.jsonl");
  writePredictions(partial, [{ item_id: "S033:apx-afib", model: "m", ok: true, text: answer("no") }]);
  const errors: string[] = [];
  const originalError = console.error;
  const originalLog = console.log;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  console.log = () => {};
  try {
    assert.is(await main(["eval", "score", "--task", "apixaban", "--predictions", partial]), 1);
    assert.match(errors.join("\n"), `${partial}: missing predictions for 91 of 92 items`);
    const baseline = join(dir, "baseline.jsonl");
    assert.is(await main(["eval", "baseline", "--task", "apixaban", "--out", baseline]), 0);
    assert.is(
      await main(["eval", "score", "--task", "apixaban", "--predictions", baseline, "--json", join(dir, "s.json")]),
      0,
    );
    assert.is(await main(["eval", "score", "--task", "nope"]), 2); // a usage error: nothing ran
  } finally {
    console.error = originalError;
    console.log = originalLog;
  }
});

test.run();
