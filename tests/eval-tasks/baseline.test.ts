import { test } from "uvu";
import * as assert from "uvu/assert";
import { BASELINE_MODEL, baselineAnswer, baselineText, runBaseline } from "../../lib/src/eval/tasks/baseline.js";
import type { EvalItem } from "../../lib/src/eval/tasks/types.js";

const ask = (text: string, questionId: string, question = "", questionType: EvalItem["questionType"] = "boolean") =>
  baselineAnswer(text, { questionId, question, questionType }).answer;

const SEPARATOR = "*".repeat(100);
const record = (date: string, body: string) => `Record date: ${date}\n${body}`;

test("n2c2 keyword rules, with negation and family history ignored", () => {
  assert.is(ask("PSH: s/p appendectomy 2080.", "ABDOMINAL"), "yes");
  assert.is(ask("Denies prior abdominal surgery.", "ABDOMINAL"), "no");
  assert.is(ask("Father had a colectomy.", "ABDOMINAL"), "no");
  assert.is(ask("Hx of cocaine use in his 20s.", "DRUG-ABUSE"), "yes");
  assert.is(ask("No illicit drug use.", "DRUG-ABUSE"), "no");
  assert.is(ask("Drinks 4-5 shots of vodka every evening.", "ALCOHOL-ABUSE"), "yes");
  assert.is(ask("Drinks 1-2 beers on weekends.", "ALCOHOL-ABUSE"), "no");
  assert.is(ask("Takes aspirin 81 mg daily.", "ASP-FOR-MI"), "yes");
  assert.is(ask("Spanish-speaking, interpreter present.", "ENGLISH"), "no");
  assert.is(ask("Pleasant man, accompanied by wife.", "ENGLISH"), "yes");
  assert.is(ask("Advanced dementia; daughter is HCP.", "MAKES-DECISIONS"), "no");
  assert.is(ask("Diabetic retinopathy s/p laser.", "MAJOR-DIABETES"), "yes");
});

test("advanced CAD needs two of: 2+ CAD meds, MI, angina, ischemia", () => {
  assert.is(ask("History of MI. Stable angina on exertion.", "ADVANCED-CAD"), "yes");
  assert.is(ask("Meds: aspirin, metoprolol. No angina.", "ADVANCED-CAD"), "no");
  assert.is(ask("Meds: aspirin, metoprolol, atorvastatin. Prior NSTEMI.", "ADVANCED-CAD"), "yes");
});

test("time windows count back from the most recent record date", () => {
  const text = [
    record("2090-01-10", "Admitted with NSTEMI."),
    record("2090-05-01", "Doing well."),
    record("2091-03-01", "Routine visit. Takes fish oil."),
  ].join(`\n${SEPARATOR}\n`);
  assert.is(ask(text, "MI-6MOS"), "no"); // MI more than 6 months before 2091-03-01
  assert.is(ask(text, "DIETSUPP-2MOS"), "yes");
  const recent = [record("2090-12-20", "Admitted with NSTEMI."), record("2091-03-01", "Routine visit.")].join(
    `\n${SEPARATOR}\n`,
  );
  assert.is(ask(recent, "MI-6MOS"), "yes");
  assert.is(ask(recent, "DIETSUPP-2MOS"), "no");
  const vitaminD = record("2091-03-01", "Meds: vitamin D 1000 IU daily.");
  assert.is(ask(vitaminD, "DIETSUPP-2MOS"), "no"); // vitamin D is excluded by the criterion
});

test("lab values: highest creatinine and HbA1c, lowest platelets, hemoglobin and LVEF", () => {
  const text =
    "2131-04-27 CREAT-1.9 HGB-12.6 PLT-231\n%HbA1c-8.1\nCr 2.1 later, then creatinine of 1.7 mg/dL.\n" +
    "Hgb 11.9, platelets 95,000. TTE: LVEF 45%. Prior EF 35%. HbA1c 7.2% in 2129.";
  assert.is(ask(text, "CREATININE", "", "numeric"), "2.1");
  assert.is(ask(text, "HBA1C", "", "numeric"), "8.1");
  assert.is(ask(text, "apx-creatinine-max", "", "numeric"), "2.1");
  assert.is(ask(text, "apx-platelets-min", "", "numeric"), "95");
  assert.is(ask(text, "apx-hemoglobin-min", "", "numeric"), "11.9"); // HbA1c values are not hemoglobin
  assert.is(ask(text, "apx-lvef-min", "", "numeric"), "35");
  assert.is(ask("No labs drawn.", "CREATININE", "", "numeric"), "NA");
  // Ratios and clearances are not serum creatinine.
  assert.is(ask("creatinine 0.8, urine microalbumin/creatinine 14 (normal)", "CREATININE", "", "numeric"), "0.8");
  assert.is(ask("Creatinine 1.1 (CrCl 45). Creatinine clearance 38.", "CREATININE", "", "numeric"), "1.1");
});

test("apixaban rules: AF, dual antiplatelet, anticoagulant, age, weight, CHADS2", () => {
  assert.is(ask("New onset atrial fibrillation with RVR.", "apx-afib"), "yes");
  assert.is(ask("Mother with AF.", "apx-afib"), "no");
  assert.is(ask("On aspirin and clopidogrel after PCI.", "apx-dual-antiplatelet"), "yes");
  assert.is(ask("On aspirin.", "apx-dual-antiplatelet"), "no");
  assert.is(ask("Started apixaban 5 mg BID.", "apx-anticoagulant"), "yes");
  assert.is(ask("78 yo F with HTN.", "apx-age", "", "numeric"), "78");
  assert.is(ask("68 y/o M with T2DM.", "apx-age", "", "numeric"), "68");
  assert.is(ask("63M with alcohol use disorder.", "apx-age", "", "numeric"), "63");
  assert.is(ask("Ran 10 m with ease.", "apx-age", "", "numeric"), "NA");
  assert.is(ask("Weight 154 lb.", "apx-weight", "", "numeric"), "69.9");
  assert.is(ask("Wt 68 kg.", "apx-weight", "", "numeric"), "68");
  // CHF 1 + HTN 1 + age >= 75 1 + DM 0 + stroke 2
  assert.is(ask("80 year old man with CHF, HTN and prior stroke.", "apx-chads2", "", "numeric"), "5");
});

test("free-text questions route by their words; unknown ones answer NA", () => {
  assert.is(
    ask("Plt 140 on admission; Plt 122 at discharge.", "numeric", "What was the lowest platelet count?", "numeric"),
    "122",
  );
  assert.is(ask("Hx of atrial fibrillation.", "boolean", "Does the patient have atrial fibrillation?"), "yes");
  assert.is(ask("Text.", "boolean", "Is the patient left-handed?"), "NA");
});

test("runBaseline answers as JSON text, one prediction per item; a missing note is a failed prediction", () => {
  const item = (itemId: string, noteId: string): EvalItem => ({
    itemId,
    task: "apixaban",
    noteId,
    questionId: "apx-afib",
    questionType: "boolean",
    question: "AF?",
    gold: "yes",
  });
  const notes: Record<string, string> = { N1: "Atrial fibrillation." };
  const predictions = runBaseline([item("a", "N1"), item("b", "N2")], (id) => notes[id]);
  assert.is(predictions.length, 2);
  assert.is(predictions[0].model, BASELINE_MODEL);
  assert.equal(JSON.parse(predictions[0].text).answer, "yes");
  assert.is(predictions[1].ok, false);
  assert.is(predictions[1].reason, "no_content");
  assert.not.match(baselineText({ answer: "yes", rule: "afib" }), "Atrial");
});

test.run();
