import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadExperiment } from "../../lib/src/config/experiment.js";
import { runBaseline } from "../../lib/src/eval/tasks/baseline.js";
import { questionBarsFigure } from "../../lib/src/eval/tasks/figures.js";
import { evaluateN2c2 } from "../../lib/src/eval/tasks/n2c2/evaluate.js";
import { EVAL_TASKS, evalTask } from "../../lib/src/eval/tasks/registry.js";
import { resolveFromRoot } from "../../lib/src/paths.js";

const experiment = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
const predictionsOf = (loaded: Awaited<ReturnType<typeof EVAL_TASKS.n2c2.load>>) =>
  new Map(runBaseline(loaded.items, loaded.noteText).map((prediction) => [prediction.item_id, prediction]));

test("registry: one object per task, named as the task; an unknown name lists the known ones", () => {
  assert.equal(Object.keys(EVAL_TASKS), ["synthetic", "n2c2", "apixaban"]);
  for (const [name, task] of Object.entries(EVAL_TASKS)) assert.is(task.name, name);
  assert.is(evalTask("n2c2"), EVAL_TASKS.n2c2);
  assert.throws(() => evalTask("toString"), /unknown evaluation task "toString" \(known: synthetic, n2c2, apixaban\)/);
});

test("n2c2 evaluate: the official view shares the item scores (one bootstrap) and equals evaluateN2c2", async () => {
  const task = EVAL_TASKS.n2c2;
  const loaded = await task.load(experiment, { subset: "train" });
  const result = task.evaluate(loaded, predictionsOf(loaded), "baseline");
  assert.ok(result.n2c2, "n2c2 view");
  assert.is(result.n2c2.items, result.score, "the item scores are computed once");
  const separate = evaluateN2c2("baseline", result.graded, loaded.evaluateOptions);
  assert.equal(JSON.stringify(result.n2c2), JSON.stringify(separate));
  const [figure] = task.figures(loaded, [result], { referenceMicroF1: 0.91 });
  assert.match(JSON.stringify(figure.layout?.title), "n2c2 train split (zero-shot): official F1 per criterion");
  assert.equal(task.requests(loaded, experiment, "m").length, loaded.items.length);
});

test("apixaban figures are the notebook's figure; other tasks carry no n2c2 view", async () => {
  const task = EVAL_TASKS.apixaban;
  const loaded = await task.load(experiment);
  const result = task.evaluate(loaded, predictionsOf(loaded), "baseline");
  assert.is(result.n2c2, undefined);
  assert.is(result.rows.length, 23);
  assert.equal(task.figures(loaded, [result], { sample: true }), [
    questionBarsFigure([result], {
      title: "Apixaban questions: balanced accuracy (yes/no) and accuracy (numeric)",
      sample: true,
    }),
  ]);
});

test.run();
