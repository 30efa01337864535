/**
 * The scoring benchmark compares like with like: on the same files, the project's scores and the numpy/sklearn
 * reference (bench/reference/score_reference.py) agree exactly on the point estimates (accuracy, balanced
 * accuracy, micro- and macro-F1, overall and per type; numeric exact match), and their bootstrap intervals
 * (different generators, same method) agree closely, for item and note resampling.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { referencePython } from "../../bench/reference/python.js";
import { writeScoringInput } from "../../bench/reference/scoring-input.js";
import { evaluateFile } from "../../lib/src/eval/tasks/evaluate.js";
import { readSyntheticItems } from "../../lib/src/eval/tasks/synthetic/items.js";
import { missing } from "../helpers/skip.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = resolve(import.meta.dirname, "../..");
const scratch = tempDir("score-reference-");
const files = {
  heldOut: join(scratch, "held-out.csv"),
  predictions: join(scratch, "predictions.jsonl"),
  notes: join(scratch, "notes.jsonl"),
};
writeScoringInput(files, 4000, 10);

interface Interval {
  value: number;
  low: number;
  high: number;
}
type Metrics = Record<"accuracy" | "balanced_accuracy" | "micro_f1" | "macro_f1", Interval>;

for (const [unit, referenceUnit] of [
  ["item", "item"],
  ["cluster", "note"],
] as const) {
  test(`project and numpy/sklearn agree on the same files (resampling ${referenceUnit}s)`, async () => {
    const python = referencePython();
    if (!python) {
      missing("python3 with numpy and scikit-learn", "apt-get install python3-numpy python3-sklearn");
      return;
    }
    const run = spawnSync(
      python,
      [
        "bench/reference/score_reference.py",
        files.heldOut,
        files.predictions,
        "--unit",
        referenceUnit,
        "--resamples",
        "400",
      ],
      { cwd: root, encoding: "utf8" },
    );
    assert.is(run.status, 0, run.stderr);
    const reference = JSON.parse(run.stdout) as {
      overall: Metrics;
      by_type: Record<string, Metrics>;
      numeric_exact: Interval;
    };
    const items = await readSyntheticItems(files.heldOut);
    const { score } = evaluateFile(files.predictions, items, { bootstrap: { unit, resamples: 400, seed: 1 } });
    const pairs: [string, Interval, Interval][] = [["numeric exact", score.numeric.exact, reference.numeric_exact]];
    for (const [name, group] of [["overall", score.overall], ...Object.entries(score.byType)] as const) {
      const theirs = name === "overall" ? reference.overall : reference.by_type[name];
      pairs.push(
        [`${name} accuracy`, group.accuracy, theirs.accuracy],
        [`${name} balanced accuracy`, group.balancedAccuracy, theirs.balanced_accuracy],
        [`${name} micro-F1`, group.microF1, theirs.micro_f1],
        [`${name} macro-F1`, group.macroF1, theirs.macro_f1],
      );
    }
    for (const [what, ours, theirs] of pairs) {
      assert.ok(Math.abs(ours.value - theirs.value) < 1e-12, `${what}: ${ours.value} vs ${theirs.value}`);
      // Interval ends from two generators: equal up to Monte Carlo error (about 0.003 here).
      assert.ok(Math.abs(ours.low - theirs.low) < 0.02, `${what} low: ${ours.low} vs ${theirs.low}`);
      assert.ok(Math.abs(ours.high - theirs.high) < 0.02, `${what} high: ${ours.high} vs ${theirs.high}`);
    }
  });
}

test.run();
