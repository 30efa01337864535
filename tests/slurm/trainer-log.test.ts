import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import { lossCurveFigure, parseTrainerLog } from "../../lib/src/slurm/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const fixtures = join(import.meta.dirname, "fixtures");

test("TRAIN_LOG lines from finetune.py keep their steps; other lines are ignored", () => {
  const points = parseTrainerLog(join(import.meta.dirname, "..", "..", "slurm", "samples", "finetune-sample.log"));
  assert.equal(points.length, 20);
  assert.deepEqual(
    points.map((point) => point.step),
    Array.from({ length: 20 }, (_, i) => (i + 1) * 10),
  );
  assert.equal(points[0].learningRate, 0.0002);
  assert.ok(points[0].loss > points[19].loss);
});

test("transformers' printed dicts: nan tolerated, cut lines and summaries skipped, eval loss kept apart", () => {
  const points = parseTrainerLog(join(fixtures, "hf-printed.log"));
  assert.equal(points.length, 3);
  assert.deepEqual(
    points.map((point) => [point.step, point.loss, point.evalLoss]),
    [
      [1, 2.1, undefined],
      [2, 1.8, undefined],
      [3, Number.NaN, 1.9],
    ],
  );
  assert.equal(points[1].gradNorm, undefined);
});

test("trainer_state.json log_history", () => {
  const points = parseTrainerLog(join(fixtures, "trainer_state.json"));
  assert.deepEqual(
    points.map((point) => [point.step, point.loss, point.evalLoss]),
    [
      [10, 2.0, undefined],
      [10, Number.NaN, 1.95],
      [20, 1.4, undefined],
    ],
  );
  const dir = tempDir("trainer-log-");
  writeFileSync(join(dir, "other.json"), "{}");
  assert.throws(() => parseTrainerLog(join(dir, "other.json")), /no log_history/);
  assert.throws(() => parseTrainerLog(join(dir, "missing.log")), /ENOENT/);
});

test("loss figure: a plain plotly value, sample runs labelled in the title", () => {
  const points = parseTrainerLog(join(fixtures, "trainer_state.json"));
  const figure = lossCurveFigure(points, { sample: true });
  assert.equal(figure.data.length, 2);
  assert.deepEqual(figure.data[0].x, [10, 20]);
  assert.deepEqual(figure.data[0].y, [2.0, 1.4]);
  assert.deepEqual(figure.data[1].y, [1.95]);
  assert.match(JSON.stringify(figure.layout), /SAMPLE log, not a real run/);
  assert.doesNotMatch(JSON.stringify(lossCurveFigure(points).layout), /SAMPLE/);
  assert.doesNotThrow(() => JSON.stringify(figure));
});

test.run();
