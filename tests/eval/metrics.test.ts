import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  accuracy,
  balancedAccuracy,
  binaryF1,
  binaryScores,
  classificationReport,
  confusionMatrix,
  macroF1,
  mcnemar,
  microF1,
  precisionRecallF1,
} from "../../lib/src/eval/index.js";
import { UNPARSEABLE } from "../../lib/src/eval/labels.js";
import { MCNEMAR_METHOD_LABELS } from "../../lib/src/eval/paired.js";

interface SklearnCase {
  gold: string[];
  pred: string[];
  labels: string[] | null;
  accuracy: number;
  balancedAccuracy: number;
  balancedAccuracyWarned: boolean;
  microF1: number;
  macroF1: number;
  weightedF1: number;
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
}

const close = (actual: number, expected: number, what: string, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual} != ${expected}`);

test("hand-computed binary case", () => {
  // gold: yes yes no no no yes no yes no no   (4 yes, 6 no)
  // pred: yes no  no yes no yes no yes no no
  // yes: tp 3 (items 1,6,8), fn 1 (item 2), fp 1 (item 4) -> P 3/4, R 3/4, F1 6/8 = 0.75
  // no:  tp 5, fn 1 (item 4), fp 1 (item 2)               -> P 5/6, R 5/6, F1 10/12
  // accuracy 8/10; balanced (3/4 + 5/6)/2 = 19/24; macro F1 (0.75 + 10/12)/2 = 19/24; micro F1 = accuracy
  const gold = ["yes", "yes", "no", "no", "no", "yes", "no", "yes", "no", "no"];
  const pred = ["yes", "no", "no", "yes", "no", "yes", "no", "yes", "no", "no"];
  close(accuracy({ gold, pred }), 0.8, "accuracy");
  close(balancedAccuracy({ gold, pred }), 19 / 24, "balanced");
  close(macroF1({ gold, pred }), 19 / 24, "macro");
  close(microF1({ gold, pred }), 0.8, "micro");
  close(binaryF1({ gold, pred, positive: "yes" }), 0.75, "binary yes");
  const rows = precisionRecallF1({ gold, pred });
  assert.equal(
    rows.map((row) => [row.label, row.tp, row.fp, row.fn, row.tn, row.support]),
    [
      ["no", 5, 1, 1, 3, 6],
      ["yes", 3, 1, 1, 5, 4],
    ],
  );
  const matrix = confusionMatrix({ gold, pred });
  assert.equal(matrix.classes, ["no", "yes"]);
  assert.equal(Array.from(matrix.counts), [5, 1, 1, 3]);
});

test("matches sklearn 1.2.1 on every fixture case (numbers computed once, see fixtures/)", () => {
  const fixture = JSON.parse(readFileSync(new URL("./fixtures/sklearn-values.json", import.meta.url), "utf8"));
  for (const [name, expected] of Object.entries<SklearnCase>(fixture.classification)) {
    const args = { gold: expected.gold, pred: expected.pred, labels: expected.labels ?? undefined };
    const report = classificationReport(args);
    for (const key of ["accuracy", "balancedAccuracy", "microF1", "macroF1", "weightedF1"] as const) {
      close(report[key], expected[key], `${name}.${key}`);
    }
    assert.is(report.predOnlyClasses.length > 0, expected.balancedAccuracyWarned, `${name}: warning case`);
    assert.equal(
      report.perClass.map((row) => row.label),
      expected.perClass.map((row) => row.label),
      `${name}: label order`,
    );
    expected.perClass.forEach((row, i) => {
      close(report.perClass[i].precision, row.precision, `${name}.${row.label}.precision`);
      close(report.perClass[i].recall, row.recall, `${name}.${row.label}.recall`);
      close(report.perClass[i].f1, row.f1, `${name}.${row.label}.f1`);
      assert.is(report.perClass[i].support, row.support);
    });
  }
});

test("balanced accuracy skips classes predicted but never gold (sklearn's warning case)", () => {
  // gold yes yes yes yes; pred yes no yes NA: only gold class yes, recall 2/4 -> 0.5 (no and NA left out)
  // macro F1 over {NA, no, yes}: yes tp 2, fn 2, fp 0 -> 4/6; NA and no 0 -> (2/3)/3 = 2/9
  const report = classificationReport({ gold: ["yes", "yes", "yes", "yes"], pred: ["yes", "no", "yes", "NA"] });
  close(report.balancedAccuracy, 0.5, "balanced");
  close(report.macroF1, 2 / 9, "macro");
  assert.equal(report.predOnlyClasses, ["NA", "no"]);
});

test("one class only, all correct: every metric is 1", () => {
  const report = classificationReport({ gold: ["no", "no"], pred: ["no", "no"] });
  assert.equal(
    [report.accuracy, report.balancedAccuracy, report.microF1, report.macroF1, report.weightedF1],
    [1, 1, 1, 1, 1],
  );
});

test("empty input: defined output, every metric NaN and n = 0", () => {
  const report = classificationReport({ gold: [], pred: [] });
  assert.is(report.n, 0);
  for (const value of [report.accuracy, report.balancedAccuracy, report.microF1, report.macroF1]) {
    assert.ok(Number.isNaN(value));
  }
  assert.ok(Number.isNaN(binaryF1({ gold: [], pred: [], positive: "yes" })));
});

test("fixed labels: P/R/F1 over exactly those classes; an absent class scores 0 and counts in the mean", () => {
  // labels [maybe, yes]: maybe never occurs -> F1 0; yes tp 1 fp 0 fn 1 -> 2/3; macro (0 + 2/3)/2 = 1/3
  // micro over the set: TP 1, FP 0, FN 1 -> 2/3 (not accuracy 1/2: the no/no item is outside the set)
  const report = classificationReport({
    gold: ["yes", "yes", "no"],
    pred: ["yes", "no", "no"],
    labels: ["maybe", "yes"],
  });
  close(report.macroF1, 1 / 3, "macro");
  close(report.microF1, 2 / 3, "micro");
  close(report.accuracy, 2 / 3, "accuracy uses every item");
  assert.throws(() => classificationReport({ gold: ["a"], pred: ["a"], labels: ["a", "a"] }), /duplicates/);
  assert.throws(() => classificationReport({ gold: ["a"], pred: ["a"], labels: "a" as unknown as string[] }), /array/);
});

test("argument order: positional calls are refused, a swapped call is detected, order changes the value", () => {
  const gold = ["yes", "no", "no", "no"];
  const pred = ["yes", "yes", "yes", "no"];
  // @ts-expect-error: the metrics take one {gold, pred} object, never two arrays
  assert.throws(() => balancedAccuracy(gold, pred), /pass one object \{gold, pred\}/);
  // A prediction-only marker on the gold side means the caller swapped the arguments.
  assert.throws(() => accuracy({ gold: [UNPARSEABLE, "yes"], pred: ["yes", "yes"] }), /swapped/);
  // Why it matters (the original apixaban code swapped them): balanced accuracy is not symmetric.
  const g = ["yes", "no", "no", "no", "no"];
  const p = ["yes", "yes", "no", "no", "no"];
  // gold-first: yes 1/1, no 3/4 -> 7/8. Swapped (pred as gold): yes 1/2, no 3/3 -> 3/4.
  close(balancedAccuracy({ gold: g, pred: p }), 7 / 8, "gold first");
  close(balancedAccuracy({ gold: p, pred: g }), 3 / 4, "swapped");
});

test("bad input: different lengths and non-string labels name the problem", () => {
  assert.throws(() => accuracy({ gold: ["a", "b"], pred: ["a"] }), /gold has 2 labels but pred has 1/);
  assert.throws(() => accuracy({ gold: ["a", 1 as unknown as string], pred: ["a", "b"] }), /gold\[1\]/);
  assert.throws(() => accuracy({ gold: "ab" as unknown as string[], pred: ["a", "b"] }), /must both be arrays/);
});

// The example of sklearn's confusion_matrix docstring: labels=["ant", "bird", "cat"] gives
// [[2, 0, 0], [0, 0, 1], [1, 0, 2]].
const animalsGold = ["cat", "ant", "cat", "cat", "ant", "bird"];
const animalsPred = ["ant", "ant", "cat", "cat", "ant", "cat"];

test("confusionMatrix honours labels: order, absent labels as zero rows, pairs outside labels left out", () => {
  const docs = confusionMatrix({ gold: animalsGold, pred: animalsPred, labels: ["ant", "bird", "cat"] });
  assert.equal(docs.classes, ["ant", "bird", "cat"]);
  assert.equal(Array.from(docs.counts), [2, 0, 0, 0, 0, 1, 1, 0, 2]);
  // Reordered subset: rows/columns cat, ant. cat->cat 2, cat->ant 1, ant->ant 2; the bird item is left out.
  const subset = confusionMatrix({ gold: animalsGold, pred: animalsPred, labels: ["cat", "ant"] });
  assert.equal(subset.classes, ["cat", "ant"]);
  assert.equal(Array.from(subset.counts), [2, 1, 0, 2]);
  assert.is(subset.excluded, 1);
  // A label the data never has gets a zero row and column; only cat->cat stays.
  const absent = confusionMatrix({ gold: animalsGold, pred: animalsPred, labels: ["dog", "cat"] });
  assert.equal(Array.from(absent.counts), [0, 0, 0, 2]);
  assert.is(absent.excluded, 4);
  // sklearn's errors: empty labels, and labels none of which is a gold label.
  assert.throws(() => confusionMatrix({ gold: animalsGold, pred: animalsPred, labels: [] }), /labels is empty/);
  assert.throws(
    () => confusionMatrix({ gold: animalsGold, pred: animalsPred, labels: ["dog"] }),
    /none of labels \["dog"\] is a gold label/,
  );
});

test("binary metrics refuse three or more classes and a positive class that is not one of two", () => {
  assert.throws(
    () => binaryF1({ gold: animalsGold, pred: animalsPred, positive: "cat" }),
    /3 classes \("ant", "bird", "cat"\).*multiclass/,
  );
  assert.throws(
    () => binaryF1({ gold: ["yes", "no"], pred: ["yes", "yes"], positive: "Yes" }),
    /"Yes" is not a valid label.*"no", "yes"/,
  );
  // One class present, positive absent: 0, as sklearn (zero_division=0).
  assert.is(binaryF1({ gold: ["no", "no"], pred: ["no", "no"], positive: "yes" }), 0);
  // pos_label picks the class: gold 1 1 0 0, pred 1 0 0 0 -> class 1 P 1, R 1/2, F1 2/3; class 0 P 2/3, R 1, F1 4/5.
  const gold = [1, 1, 0, 0];
  const pred = [1, 0, 0, 0];
  const one = binaryScores({ gold, pred, positive: 1 });
  close(one.precision, 1, "P(1)");
  close(one.recall, 0.5, "R(1)");
  close(one.f1, 2 / 3, "F1(1)");
  close(binaryF1({ gold, pred, positive: 0 }), 0.8, "F1(0)");
});

test("numeric labels: accepted, sorted numerically; numbers and strings mixed are refused", () => {
  // Classes 2, 10, 100 sort numerically (as string they would sort 10, 100, 2).
  const report = classificationReport({ gold: [10, 2, 100, 2], pred: [10, 2, 2, 2] });
  assert.equal(report.classes, [2, 10, 100]);
  close(report.accuracy, 0.75, "accuracy");
  // Class 2: tp 2, fp 1 -> F1 4/5; 10: 1; 100: 0 -> macro (0.8 + 1 + 0) / 3.
  close(report.macroF1, 1.8 / 3, "macro");
  assert.equal(Array.from(confusionMatrix({ gold: [1, 0, 1], pred: [1, 1, 1], labels: [1, 0] }).counts), [2, 0, 1, 0]);
  assert.throws(
    () => accuracy({ gold: [1, 0], pred: ["1", "0"] }),
    /mix numbers and strings \(gold\[0\] is 1, pred\[0\] is "1"\)/,
  );
  assert.throws(() => classificationReport({ gold: [1, 0], pred: [1, 0], labels: ["1"] }), /mix numbers and strings/);
  assert.throws(() => accuracy({ gold: [Number.NaN], pred: [1] }), /gold\[0\] is not a label/);
});

test("McNemar names its method beside the p-value", () => {
  // 3 discordant pairs -> exact binomial; 30 -> chi-square with continuity correction.
  const few = mcnemar({ correctA: [1, 1, 1, 0], correctB: [0, 0, 0, 0] });
  assert.is(few.methodLabel, "exact binomial");
  const correctA = Array.from({ length: 30 }, (_, i) => i < 20);
  const correctB = Array.from({ length: 30 }, (_, i) => i >= 20);
  const many = mcnemar({ correctA, correctB });
  assert.is(many.methodLabel, "chi-square, continuity-corrected");
  assert.equal(MCNEMAR_METHOD_LABELS, {
    exact: "exact binomial",
    "chi-square-corrected": "chi-square, continuity-corrected",
  });
});

test.run();
