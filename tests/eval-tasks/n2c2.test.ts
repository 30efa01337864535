import { test } from "uvu";
import * as assert from "uvu/assert";
import { N2C2_CRITERIA as DATA_CRITERIA, readN2c2Dir } from "../../lib/src/data/index.js";
import { n2c2ScoreIntervals, N2C2_CRITERIA as SCORER_CRITERIA } from "../../lib/src/eval/n2c2-score.js";
import { runBaseline } from "../../lib/src/eval/tasks/baseline.js";
import { gradeItems } from "../../lib/src/eval/tasks/grade.js";
import { evaluateN2c2, n2c2CriteriaRows, n2c2Labels, n2c2SummaryRow } from "../../lib/src/eval/tasks/n2c2/evaluate.js";
import { n2c2ItemId, n2c2Items } from "../../lib/src/eval/tasks/n2c2/items.js";
import {
  DEFAULT_N2C2_THRESHOLDS,
  N2C2_QUESTIONS,
  n2c2LabelFromAnswer,
  n2c2Question,
} from "../../lib/src/eval/tasks/n2c2/questions.js";
import { resolveFromRoot } from "../../lib/src/paths.js";

const CRITERIA = [
  "ABDOMINAL",
  "ADVANCED-CAD",
  "ALCOHOL-ABUSE",
  "ASP-FOR-MI",
  "CREATININE",
  "DIETSUPP-2MOS",
  "DRUG-ABUSE",
  "ENGLISH",
  "HBA1C",
  "KETO-1YR",
  "MAJOR-DIABETES",
  "MAKES-DECISIONS",
  "MI-6MOS",
];

test("13 questions, one per official criterion; the two numeric ones ask for the highest value", () => {
  assert.equal(
    N2C2_QUESTIONS.map((q) => q.id),
    CRITERIA,
  );
  const numeric = N2C2_QUESTIONS.filter((q) => q.type === "numeric");
  assert.equal(
    numeric.map((q) => q.id),
    ["CREATININE", "HBA1C"],
  );
  for (const q of numeric) assert.match(q.text, /highest/);
  assert.throws(() => n2c2Question("BMI"), /unknown n2c2 criterion "BMI"/);
});

test("label mapping: yes = met, everything else not met", () => {
  assert.is(n2c2LabelFromAnswer("ABDOMINAL", true), "met");
  assert.is(n2c2LabelFromAnswer("ABDOMINAL", false), "not met");
  assert.is(n2c2LabelFromAnswer("ABDOMINAL", null), "not met");
  assert.is(n2c2LabelFromAnswer("ENGLISH", 1), "not met");
});

test("creatinine threshold is strict: > 1.3 mg/dL", () => {
  assert.is(n2c2LabelFromAnswer("CREATININE", 1.3), "not met");
  assert.is(n2c2LabelFromAnswer("CREATININE", 1.31), "met");
  assert.is(n2c2LabelFromAnswer("CREATININE", null), "not met");
  assert.is(n2c2LabelFromAnswer("CREATININE", true), "not met");
});

test("HbA1c range 6.5-9.5 includes both bounds; thresholds come from config", () => {
  assert.is(n2c2LabelFromAnswer("HBA1C", 6.4), "not met");
  assert.is(n2c2LabelFromAnswer("HBA1C", 6.5), "met");
  assert.is(n2c2LabelFromAnswer("HBA1C", 9.5), "met");
  assert.is(n2c2LabelFromAnswer("HBA1C", 9.6), "not met");
  const custom = { ...DEFAULT_N2C2_THRESHOLDS, creatinineAbove: 1.5, hba1cRange: { min: 7, max: 8 } };
  assert.is(n2c2LabelFromAnswer("CREATININE", 1.4, custom), "not met");
  assert.is(n2c2LabelFromAnswer("HBA1C", 6.8, custom), "not met");
});

test("items: 13 per patient, stable ids, gold lower-cased and trimmed", () => {
  const tags = Object.fromEntries(CRITERIA.map((c) => [c, c === "ENGLISH" ? " MET " : "not met"]));
  const items = n2c2Items([{ patientId: "100", tags }], "test");
  assert.is(items.length, 13);
  assert.is(items[0].itemId, n2c2ItemId("test", "100", "ABDOMINAL"));
  assert.is(items[0].itemId, "n2c2:test:100:ABDOMINAL");
  assert.is(items.find((item) => item.questionId === "ENGLISH")?.gold, "met");
  assert.ok(items.every((item) => item.split === "test" && item.noteId === "100"));
});

test("items: a missing or odd tag is an error naming patient and tag", () => {
  const tags = Object.fromEntries(CRITERIA.map((c) => [c, "met"]));
  delete tags["KETO-1YR"];
  assert.throws(() => n2c2Items([{ patientId: "205", tags }], "train"), /patient 205: tag KETO-1YR is missing/);
  assert.throws(
    () => n2c2Items([{ patientId: "205", tags: { ...tags, "KETO-1YR": "maybe" } }], "train"),
    /tag KETO-1YR has met="maybe"/,
  );
});

test("question ids match the data layer's and the scorer's criterion lists", () => {
  assert.equal(
    N2C2_QUESTIONS.map((q) => q.id),
    [...DATA_CRITERIA],
  );
  assert.equal(
    N2C2_QUESTIONS.map((q) => q.id),
    [...SCORER_CRITERIA],
  );
});

test("sample XML -> items -> baseline -> official and paper scores; CIs agree with the official point values", async () => {
  const patients = await readN2c2Dir(resolveFromRoot("data/sample/n2c2/train"));
  const items = n2c2Items(patients, "train");
  assert.is(items.length, patients.length * 13);
  const text = new Map(patients.map((patient) => [patient.patientId, patient.text]));
  const predictions = runBaseline(items, (id) => text.get(id));
  const graded = gradeItems(items, new Map(predictions.map((p) => [p.item_id, p])), {
    thresholds: DEFAULT_N2C2_THRESHOLDS,
  });
  const result = evaluateN2c2("baseline", graded, { bootstrap: { resamples: 50 } });
  assert.is(result.official.patients, patients.length);
  assert.is(result.official.criteria.length, 13);
  assert.ok(Math.abs(result.items.overall.macroF1.value - result.official.micro.f1) < 1e-12);
  for (const row of result.official.criteria) {
    assert.ok(Math.abs(result.items.byQuestion[row.criterion].macroF1.value - row.f1) < 1e-12, row.criterion);
  }
  assert.is(result.paper.criteria.length, 13);
});

test("n2c2 intervals resample patients: official micro and macro F both get one, wider than item-level", () => {
  // 60 patients; a patient's 13 answers are all right or all wrong (one record read well or badly).
  const patients = Array.from({ length: 60 }, (_, p) => ({
    patientId: String(100 + p),
    tags: Object.fromEntries(N2C2_QUESTIONS.map((q, c) => [q.id, (p + c) % 3 === 0 ? "met" : "not met"])),
  }));
  const items = n2c2Items(patients, "test");
  const wrongPatients = new Set(patients.filter((_, p) => p % 4 === 0).map((patient) => patient.patientId));
  const predictions = new Map(
    items.map((item) => {
      const flip = wrongPatients.has(item.noteId);
      const met = (item.gold === "met") !== flip;
      return [
        item.itemId,
        { item_id: item.itemId, model: "m", ok: true, text: JSON.stringify({ answer: met ? "yes" : "no" }) },
      ];
    }),
  );
  const graded = gradeItems(items, predictions);
  const bootstrap = { resamples: 1000, seed: 9 };
  const result = evaluateN2c2("m", graded, { bootstrap });
  const { intervals } = result;
  assert.is(intervals.bootstrap.label, "95% CI, 1,000 resamples of patients");
  assert.is(intervals.bootstrap.units, 60);
  assert.is(intervals.micro.value, result.official.micro.f1);
  assert.is(intervals.macro.value, result.official.macro.f1);
  assert.ok(intervals.macro.low < intervals.macro.value && intervals.macro.value < intervals.macro.high);
  // Same patients drawn everywhere: the item scores' micro-F1 interval, and the reference patient-level
  // scorer (n2c2ScoreIntervals, same seed) give the same intervals.
  const micro = result.items.overall.macroF1;
  assert.ok(Math.abs(micro.low - intervals.micro.low) < 1e-12 && Math.abs(micro.high - intervals.micro.high) < 1e-12);
  const reference = n2c2ScoreIntervals({ ...n2c2Labels(graded), bootstrap });
  for (const [mine, theirs] of [
    [intervals.micro, reference.officialMicroF1],
    [intervals.macro, reference.officialMacroF1],
  ] as const) {
    assert.ok(Math.abs(mine.low - theirs.low) < 1e-12 && Math.abs(mine.high - theirs.high) < 1e-12);
  }
  for (const row of result.official.criteria) {
    assert.is(intervals.criteria[row.criterion].value, row.f1);
  }
  const byItem = evaluateN2c2("m", graded, { bootstrap: { ...bootstrap, unit: "item" } });
  assert.is(byItem.intervals.bootstrap.label, "95% CI, 1,000 resamples of items");
  const width = (e: { low: number; high: number }) => e.high - e.low;
  assert.ok(width(intervals.micro) > 1.5 * width(byItem.intervals.micro), "patient-level micro interval is wider");
  assert.ok(width(intervals.macro) > 1.5 * width(byItem.intervals.macro), "patient-level macro interval is wider");
  // Tables say what the interval is.
  const summary = n2c2SummaryRow(result, "test");
  assert.is(summary.interval, "95% CI, 1,000 resamples of patients");
  assert.match(String(summary["macro-F1 CI"]), /^\[0\.\d{3}, [01]\.\d{3}\]$/);
  assert.is(n2c2CriteriaRows(result)[0].interval, "95% CI, 1,000 resamples of patients");
});

test.run();
