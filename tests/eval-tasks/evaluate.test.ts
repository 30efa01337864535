import { copyFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bootstrapSchema } from "../../lib/src/eval/index.js";
import { apixabanItems, readApixabanAnnotations } from "../../lib/src/eval/tasks/apixaban/annotations.js";
import { APIXABAN_QUESTIONS } from "../../lib/src/eval/tasks/apixaban/questions.js";
import { BASELINE_MODEL, runBaseline } from "../../lib/src/eval/tasks/baseline.js";
import { compareModels } from "../../lib/src/eval/tasks/compare.js";
import { evaluate, evaluateFile } from "../../lib/src/eval/tasks/evaluate.js";
import { gradeItem } from "../../lib/src/eval/tasks/grade.js";
import { writePredictions } from "../../lib/src/eval/tasks/predictions.js";
import { compareWithBaseline, flattenScore, makeSnapshot } from "../../lib/src/eval/tasks/snapshot.js";
import type { EvalItem, Prediction } from "../../lib/src/eval/tasks/types.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("eval-evaluate-");
const notes = new Map<string, string>(
  readFileSync(resolveFromRoot("data/sample/notes.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const note = JSON.parse(line) as { note_id: string; text: string };
      return [note.note_id, note.text];
    }),
);
const answer = (text: string) => JSON.stringify({ answer: text, explanation: "x" });
const item = (
  itemId: string,
  gold: string,
  questionId = "apx-afib",
  type: EvalItem["questionType"] = "boolean",
): EvalItem => ({
  itemId,
  task: "apixaban",
  noteId: itemId,
  questionId,
  questionType: type,
  question: "q",
  gold,
});
const prediction = (itemId: string, text: string, ok = true): Prediction => ({ item_id: itemId, model: "m", ok, text });

test("grading: yes/no, numbers with units and separators, NA, unparseable and failed answers", () => {
  assert.is(gradeItem(item("a", "yes"), prediction("a", "```json\n{'answer': 'Yes.',}\n```")).exact, true);
  const number = gradeItem(item("b", "1200", "apx-platelets-min", "numeric"), prediction("b", answer("1,200 K/uL")));
  assert.is(number.exact, true);
  assert.is(number.pred, "1200");
  const close = gradeItem(item("c", "2.1", "apx-creatinine-max", "numeric"), prediction("c", answer("2.2")), {
    tolerance: { relative: 0.05 },
  });
  assert.equal([close.exact, close.withinTolerance], [false, true]);
  const garbage = gradeItem(item("d", "yes"), prediction("d", "I am not sure what you mean"));
  assert.equal([garbage.pred, garbage.exact, garbage.answerKind], ["unparseable", false, "unparseable"]);
  assert.ok(garbage.problem);
  const failed = gradeItem(item("e", "no"), { ...prediction("e", ""), ok: false, reason: "truncated" });
  assert.equal(
    [failed.pred, failed.answerKind, failed.problem],
    ["unparseable", "failed", "request failed: truncated"],
  );
  assert.throws(() => gradeItem(item("f", "maybe"), prediction("f", answer("yes"))), /item f: gold answer "maybe"/);
});

test("numeric classes: value / NA / wrong value keep the class count small; accuracy is exact match", () => {
  const num = (id: string, gold: string) => item(id, gold, "apx-age", "numeric");
  const items = [num("a", "68"), num("b", "74"), num("c", "NA"), num("d", "NA")];
  const predictions = new Map([
    ["a", prediction("a", answer("68"))],
    ["b", prediction("b", answer("75"))],
    ["c", prediction("c", answer("NA"))],
    ["d", prediction("d", answer("80"))],
  ]);
  const result = evaluate("m", items, predictions, { bootstrap: { resamples: 20 } });
  assert.equal(
    result.graded.map((g) => [g.gold, g.pred, g.goldClass, g.predClass]),
    [
      ["68", "68", "value", "value"],
      ["74", "75", "value", "wrong value"],
      ["NA", "NA", "NA", "NA"],
      ["NA", "80", "NA", "wrong value"],
    ],
  );
  assert.is(result.score.overall.accuracy.value, 0.5);
  assert.is(result.score.overall.balancedAccuracy.value, 0.5); // recall value 1/2, recall NA 1/2
  assert.is(result.score.numeric.exact.value, 0.5);
});

test("n2c2 grading: yes = met, thresholds for the lab criteria, unparseable = not met but listed", () => {
  const n2c2 = (questionId: string, gold: string): EvalItem => ({
    ...item("p1", gold, questionId, questionId === "CREATININE" || questionId === "HBA1C" ? "numeric" : "boolean"),
    task: "n2c2",
  });
  assert.is(gradeItem(n2c2("ABDOMINAL", "met"), prediction("p1", answer("Yes"))).pred, "met");
  assert.is(gradeItem(n2c2("CREATININE", "met"), prediction("p1", answer("1.4 mg/dL"))).pred, "met");
  assert.is(gradeItem(n2c2("CREATININE", "met"), prediction("p1", answer("1.3"))).pred, "not met");
  assert.is(gradeItem(n2c2("HBA1C", "met"), prediction("p1", answer("7.1%"))).pred, "met");
  const garbage = gradeItem(n2c2("ABDOMINAL", "not met"), prediction("p1", "???"));
  assert.equal([garbage.pred, garbage.exact], ["not met", true]);
  assert.ok(garbage.problem);
});

test("apixaban balanced accuracy takes gold as gold (the original swapped them)", () => {
  // 4 gold yes (3 predicted yes), 6 gold no (2 predicted yes): recall yes 3/4, recall no 4/6.
  const gold = ["yes", "yes", "yes", "yes", "no", "no", "no", "no", "no", "no"];
  const pred = ["yes", "yes", "yes", "no", "yes", "yes", "no", "no", "no", "no"];
  const items = gold.map((label, i) => item(`n${i}`, label));
  const predictions = new Map(pred.map((label, i) => [`n${i}`, prediction(`n${i}`, answer(label))]));
  const result = evaluate("m", items, predictions, { questions: APIXABAN_QUESTIONS, bootstrap: { resamples: 50 } });
  const afib = result.rows.find((row) => row.questionId === "apx-afib")!;
  const correct = (3 / 4 + 4 / 6) / 2; // mean recall over gold classes: 0.7083
  const swapped = (3 / 5 + 4 / 5) / 2; // what swapping gold and pred gives: 0.7 (mean precision)
  assert.ok(Math.abs(afib.value - correct) < 1e-12, `balanced accuracy ${afib.value}, expected ${correct}`);
  assert.ok(Math.abs(afib.value - swapped) > 1e-3);
  assert.is(afib.metric, "balancedAccuracy");
  assert.is(result.rows.length, 23);
  assert.is(result.rows.find((row) => row.questionId === "apx-age")!.n, 0);
  assert.is(result.averages.questions, 1);
});

test("baseline on the apixaban sample: predictions file -> evaluation, 23 question rows, averages", () => {
  const annotations = readApixabanAnnotations(resolveFromRoot("data/sample/apixaban/annotations.csv"));
  const items = apixabanItems(annotations, new Set(notes.keys()));
  const file = join(dir, "baseline.jsonl");
  writePredictions(
    file,
    runBaseline(items, (id) => notes.get(id)),
  );
  const result = evaluateFile(file, items, { questions: APIXABAN_QUESTIONS, bootstrap: { resamples: 100, seed: 1 } });
  assert.is(result.model, BASELINE_MODEL);
  assert.is(result.score.n, 92);
  assert.is(result.rows.length, 23);
  assert.ok(result.rows.every((row) => row.n === 4));
  const accuracy = result.score.overall.accuracy;
  assert.ok(
    accuracy.value > 0 && accuracy.value <= 1 && accuracy.low <= accuracy.value && accuracy.value <= accuracy.high,
  );
  assert.ok(Number.isFinite(result.averages.all));
  // The same file evaluated twice gives identical numbers (seeded bootstrap).
  const again = evaluateFile(file, items, { questions: APIXABAN_QUESTIONS, bootstrap: { resamples: 100, seed: 1 } });
  assert.equal(again.score.overall.accuracy, accuracy);
});

test("annotation fix: edit one label in a copy, re-evaluate: the item and the metrics move, zero model calls", () => {
  const annotationsFile = join(dir, "annotations.csv");
  copyFileSync(resolveFromRoot("data/sample/apixaban/annotations.csv"), annotationsFile);
  const snapshotFile = join(dir, "snapshot.json");
  const predictionsFile = join(dir, "fix-predictions.jsonl");
  let modelCalls = 0;
  const firstItems = apixabanItems(readApixabanAnnotations(annotationsFile));
  writePredictions(
    predictionsFile,
    runBaseline(firstItems, (id) => {
      modelCalls++;
      return notes.get(id);
    }),
  );
  const callsAfterInference = modelCalls;
  const writtenAt = statSync(predictionsFile).mtimeMs;
  const evaluateOnce = () => {
    const items = apixabanItems(readApixabanAnnotations(annotationsFile));
    const result = evaluateFile(predictionsFile, items, {
      questions: APIXABAN_QUESTIONS,
      bootstrap: { resamples: 50 },
    });
    const metrics = flattenScore(result.score, { "average.all": result.averages.all });
    return compareWithBaseline(snapshotFile, makeSnapshot("apixaban", result.model, result.graded, metrics));
  };
  assert.is(evaluateOnce().hadPrevious, false);
  const unchanged = evaluateOnce();
  assert.equal([unchanged.hadPrevious, unchanged.changedItems, unchanged.metricChanges], [true, [], []]);
  // A reviewer decides S033 has heart failure after all.
  const text = readFileSync(annotationsFile, "utf8");
  const edited = text.replace(
    /^S033:apx-heart-failure,S033,apx-heart-failure,no,/m,
    "S033:apx-heart-failure,S033,apx-heart-failure,yes,",
  );
  assert.is.not(edited, text);
  writeFileSync(annotationsFile, edited);
  const diff = evaluateOnce();
  assert.equal(diff.changedItems, [{ itemId: "S033:apx-heart-failure", before: "no", after: "yes" }]);
  const names = diff.metricChanges.map((change) => change.metric);
  assert.ok(names.includes("overall.accuracy"), names.join(", "));
  assert.ok(names.includes("question.apx-heart-failure.balancedAccuracy"));
  assert.ok(!names.includes("question.apx-afib.accuracy"), "an untouched question must not move");
  assert.is(modelCalls, callsAfterInference, "re-evaluation must not call the model");
  assert.is(statSync(predictionsFile).mtimeMs, writtenAt);
});

test("comparison: paired tests against the reference on the same items; misaligned items refused", () => {
  const items = ["yes", "no", "yes", "no", "yes", "no"].map((gold, i) => item(`c${i}`, gold));
  const perfect = new Map(items.map((it) => [it.itemId, prediction(it.itemId, answer(it.gold))]));
  const allYes = new Map(items.map((it) => [it.itemId, prediction(it.itemId, answer("yes"))]));
  const a = evaluate("teacher", items, perfect, { bootstrap: { resamples: 50 } });
  const b = evaluate("baseline", items, allYes, { bootstrap: { resamples: 50 } });
  const rows = compareModels([a, b], { reference: "baseline", bootstrap: { resamples: 50 } });
  assert.is(rows[0].accuracy, 1);
  assert.is(rows[1].accuracy, 0.5);
  assert.is(rows[0].vsReference, "baseline");
  assert.is(rows[0].accuracyDifference, 0.5);
  assert.is(rows[1].vsReference, undefined);
  assert.ok(rows[0].mcnemarP! > 0 && rows[0].mcnemarP! <= 1);
  // 3 discordant items: the exact test, named in the column beside the p-value.
  assert.is(rows[0].mcnemarMethod, "exact binomial");
  assert.equal(Object.keys(rows[0]).slice(-2), ["mcnemarP", "mcnemarMethod"]);
  const c = evaluate("other", items.slice(1), perfect, { bootstrap: { resamples: 10 } });
  assert.throws(() => compareModels([c, b], { reference: "baseline" }), /not evaluated on the same items/);
});

test("apixaban intervals resample notes (23 questions each) by default, items only when asked; tables say which", () => {
  const annotations = readApixabanAnnotations(resolveFromRoot("data/sample/apixaban/annotations.csv"));
  const items = apixabanItems(annotations, new Set(notes.keys()));
  const predictions = new Map(runBaseline(items, (id) => notes.get(id)).map((p) => [p.item_id, p]));
  const options = { questions: APIXABAN_QUESTIONS, bootstrap: { resamples: 200, seed: 2 } };
  const byNote = evaluate("baseline", items, predictions, options);
  const noteCount = new Set(items.map((it) => it.noteId)).size;
  assert.is(byNote.score.bootstrap.unit, "cluster");
  assert.is(byNote.score.bootstrap.units, noteCount);
  assert.is(byNote.score.bootstrap.label, "95% CI, 200 resamples of notes");
  assert.ok(byNote.rows.every((row) => row.interval === "95% CI, 200 resamples of notes"));
  const byItem = evaluate("baseline", items, predictions, {
    ...options,
    bootstrap: { ...options.bootstrap, unit: "item" },
  });
  assert.is(byItem.score.bootstrap.units, items.length);
  assert.is(byItem.score.bootstrap.label, "95% CI, 200 resamples of items");
  assert.is.not(byNote.score.overall.accuracy.low, byItem.score.overall.accuracy.low);
  // Comparison rows reuse the unit: the same notes resampled for both models, and the label in the row.
  const perfect = new Map(items.map((it) => [it.itemId, prediction(it.itemId, answer(it.gold))]));
  const teacher = evaluate("teacher", items, perfect, options);
  const rows = compareModels([teacher, byNote], { reference: "baseline" });
  assert.ok(rows.every((row) => row.interval === "95% CI, 200 resamples of notes"));
  const self = compareModels([byNote, { ...byNote, model: "copy" }], { reference: "copy" });
  assert.equal([self[0].differenceLow, self[0].differenceHigh], [0, 0]);
});

test("one scoring path from raw outputs: exact beside tolerance, unparseable counted wrong and listed, per type", () => {
  // Six items (hand-written sample outputs, not model results): the cases scoreAnswers covered.
  const cases: [string, EvalItem["questionType"], string, string][] = [
    ["a1", "boolean", "yes", '{"answer": "Yes"}'],
    ["a2", "boolean", "no", "yes"],
    ["a3", "numeric", "35", "35 %"],
    ["a4", "numeric", "40", "41"],
    ["a5", "na_numeric", "NA", "not documented"],
    ["a6", "boolean", "yes", "I am not sure."],
  ];
  const items = cases.map(([id, type, gold]) => item(id, gold, type.endsWith("numeric") ? "lvef" : "af", type));
  const predictions = new Map(cases.map(([id, , , output]) => [id, prediction(id, output)]));
  const result = evaluate("m", items, predictions, { tolerance: { absolute: 1 }, bootstrap: { resamples: 50 } });
  assert.is(result.score.n, 6);
  // Exact: a1, a3, a5 right; a2 wrong, a4 wrong (41 vs 40), a6 unparseable -> 3/6
  assert.is(result.score.overall.accuracy.value, 0.5);
  assert.equal(
    result.graded.map((graded) => [graded.itemId, graded.exact, graded.withinTolerance]),
    [
      ["a1", true, true],
      ["a2", false, false],
      ["a3", true, true],
      ["a4", false, true],
      ["a5", true, true],
      ["a6", false, false],
    ],
  );
  // Within 1: a4 also right -> all 3 numeric items, beside the exact 2/3.
  assert.is(result.score.numeric.exact.value, 2 / 3);
  assert.is(result.score.numeric.withinTolerance.value, 1);
  assert.equal(
    result.score.unusable.map((row) => row.itemId),
    ["a6"],
  );
  // Per type: boolean a1 right, a2 wrong, a6 wrong -> 1/3; gold classes yes (a1 right, a6 wrong), no (wrong)
  // -> balanced accuracy (1/2 + 0)/2 = 1/4
  assert.is(result.score.byType.boolean.accuracy.value, 1 / 3);
  assert.is(result.score.byType.boolean.balancedAccuracy.value, 0.25);
  assert.equal(Object.keys(result.score.byQuestion).sort(), ["af", "lvef"]);
  assert.equal(bootstrapSchema.parse({}), { resamples: 1000, seed: 0, confidence: 0.95 });
  assert.throws(() => bootstrapSchema.parse({ resample: 10 }));
});

test.run();
