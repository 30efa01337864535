/**
 * The baseline's scope rules and lab reading on short note fragments written in the styles real notes
 * use (dictated US notes, telegraphic Australian / UK GP notes). Each case is a kind of mistake the
 * first version of the rules made.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { baselineAnswer } from "../../lib/src/eval/tasks/baseline.js";
import { splitRecords, textWithinDays } from "../../lib/src/eval/tasks/internal/text-rules.js";
import type { EvalItem } from "../../lib/src/eval/tasks/types.js";

const answer = (text: string, questionId: string, question = "", type: EvalItem["questionType"] = "boolean") =>
  baselineAnswer(text, { questionId, question, questionType: type });
const ask = (text: string, questionId: string, question = "", type: EvalItem["questionType"] = "boolean") =>
  answer(text, questionId, question, type).answer;
const num = (text: string, questionId: string, question = "") => ask(text, questionId, question, "numeric");

test("a GP note: 'Nil' negates, an allergy list is not use, creatinine in µmol/L converts", () => {
  const note = "Nil chest pain. Nil MI. Allergies: aspirin (rash). Cr 120 umol/L";
  assert.is(ask(note, "MI-6MOS"), "no");
  assert.is(answer(note, "MI-6MOS").rule, "MI-6MOS:negated");
  assert.is(ask(note, "ASP-FOR-MI"), "no");
  assert.is(answer(note, "ASP-FOR-MI").rule, "ASP-FOR-MI:allergy");
  assert.is(num(note, "CREATININE"), "1.36"); // 120 / 88.4
});

test("negation cues: nil, denies, no, negative for, without, no evidence of, ruled out, never", () => {
  assert.is(ask("nil known history of diabetes", "apx-diabetes"), "no");
  assert.is(ask("Denies any history of diabetes.", "apx-diabetes"), "no");
  assert.is(ask("No hx of AF.", "apx-afib"), "no");
  assert.is(ask("Negative for hematemesis.", "apx-bleeding-6mo"), "no");
  assert.is(ask("Presented without melena.", "apx-bleeding-6mo"), "no");
  assert.is(ask("No evidence of cirrhosis on imaging.", "apx-liver-disease"), "no");
  assert.is(ask("Troponins flat, MI ruled out.", "MI-6MOS"), "no");
  assert.is(ask("Illicit drug use: Never.", "DRUG-ABUSE"), "no");
  assert.is(ask("Recreational drugs: none.", "DRUG-ABUSE"), "no");
  assert.is(ask("He doesn't take aspirin.", "ASP-FOR-MI"), "no");
  // The positive counterparts still count.
  assert.is(ask("Long history of diabetes.", "apx-diabetes"), "yes");
  assert.is(ask("Illicit drug use: cocaine weekly.", "DRUG-ABUSE"), "yes");
});

test("negation scope: a comma list after the cue stays negated; but / however / reports / a new line end it", () => {
  assert.is(ask("Denies chest pain, SOB, palpitations or MI.", "MI-6MOS"), "no");
  assert.is(ask("The patient denies fever, chills, melena, or hematochezia.", "apx-bleeding-6mo"), "no");
  assert.is(ask("Denies chest pain but had an NSTEMI in March.", "MI-6MOS"), "yes");
  assert.is(ask("No angina; however, an MI was diagnosed last week.", "MI-6MOS"), "yes");
  assert.is(ask("Denies fever, reports melena x2 days.", "apx-bleeding-6mo"), "yes");
  assert.is(ask("No fever\nMelena since Monday", "apx-bleeding-6mo"), "yes");
  // "no change" is not a negation.
  assert.is(ask("No change in his atrial fibrillation.", "apx-afib"), "yes");
});

test("allergy sections and inline allergies are not use of the drug", () => {
  assert.is(ask("ALLERGIES:\nAspirin - hives\nPenicillin\n\nMEDICATIONS:\nmetoprolol", "ASP-FOR-MI"), "no");
  assert.is(ask("Adverse reactions: warfarin (bleeding)", "apx-anticoagulant"), "no");
  assert.is(ask("Allergic to clopidogrel. On aspirin 81 mg daily.", "apx-dual-antiplatelet"), "no");
  assert.is(ask("Aspirin allergy.", "ASP-FOR-MI"), "no");
  // The medication list after the allergy section is read again.
  assert.is(ask("ALLERGIES\n\nPenicillin.\n\nMEDICATIONS\n\nAspirin 81 mg daily.", "ASP-FOR-MI"), "yes");
  assert.is(ask("Allergies: penicillin (rash)\nMeds: aspirin 100mg mane", "ASP-FOR-MI"), "yes");
});

test("family history and other people are not the patient", () => {
  assert.is(ask("FH: mother with DM, father with MI at 50.", "MI-6MOS"), "no");
  assert.is(
    ask("FAMILY HISTORY\n\nMyocardial infarction.\nDiabetes.\n\nSOCIAL HISTORY\n\nRetired.", "apx-diabetes"),
    "no",
  );
  assert.is(ask("Family history of atrial fibrillation.", "apx-afib"), "no");
  assert.is(ask("Her ex-husband used cocaine.", "DRUG-ABUSE"), "no");
  assert.is(ask("Partner drinks heavily; patient is abstinent.", "ALCOHOL-ABUSE"), "no");
  assert.is(ask("Mother has dementia.", "MAKES-DECISIONS"), "yes");
  assert.is(ask("Diabetes in her mother and sister.", "apx-diabetes"), "no");
  // The patient, beside another person, still counts.
  assert.is(ask("Lives with his wife and drinks a six pack a day.", "ALCOHOL-ABUSE"), "yes");
  assert.is(ask("Wife reports he drinks 6 beers daily.", "ALCOHOL-ABUSE"), "yes");
  assert.is(ask("Has 3 children. Heroin use in the past.", "DRUG-ABUSE"), "yes");
});

test("word boundaries: nonalcoholic, alcoholic beverages, pre-diabetes, CrCl are not the concept", () => {
  assert.is(ask("Nonalcoholic fatty liver disease.", "ALCOHOL-ABUSE"), "no");
  assert.is(ask("Non-alcoholic steatohepatitis.", "ALCOHOL-ABUSE"), "no");
  assert.is(ask("Drinks 2 alcoholic beverages per week.", "ALCOHOL-ABUSE"), "no");
  assert.is(ask("Pre-diabetes, diet controlled.", "apx-diabetes"), "no");
  assert.is(ask("Antianginal therapy reviewed.", "ADVANCED-CAD"), "no");
  assert.is(ask("Recent dermatitis; topical steroid.", "apx-diabetes"), "no");
  assert.is(num("CrCl 45 mL/min.", "CREATININE"), "NA");
  assert.is(ask("Alcoholic cirrhosis, still drinking daily.", "ALCOHOL-ABUSE"), "yes");
});

test("current vs past: ALCOHOL-ABUSE is current only; DRUG-ABUSE counts the past; stopped medications do not count", () => {
  assert.is(ask("Former heavy drinker, quit 2010.", "ALCOHOL-ABUSE"), "no");
  assert.is(ask("History of alcohol abuse, sober for 10 years.", "ALCOHOL-ABUSE"), "no");
  assert.is(ask("Alcohol use disorder in sustained remission.", "ALCOHOL-ABUSE"), "no");
  assert.is(ask("Ongoing alcohol abuse, drinks daily.", "ALCOHOL-ABUSE"), "yes");
  assert.is(ask("Remote cocaine use, quit 1990.", "DRUG-ABUSE"), "yes");
  assert.is(ask("Stopped aspirin because of a GI bleed.", "ASP-FOR-MI"), "no");
  assert.is(ask("Warfarin discontinued in 2019.", "apx-anticoagulant"), "no");
});

test("alcohol amounts are read against the weekly limit", () => {
  assert.is(ask("Drinks 4-5 shots of vodka every evening.", "ALCOHOL-ABUSE"), "yes");
  assert.is(ask("Drinks 2 beers a week.", "ALCOHOL-ABUSE"), "no");
  assert.is(ask("EtOH: 30 units/week.", "ALCOHOL-ABUSE"), "yes");
  assert.is(ask("Drinks two glasses of wine a day.", "ALCOHOL-ABUSE"), "no"); // 14 a week: at the limit
  assert.is(ask("Drinks three glasses of wine a day.", "ALCOHOL-ABUSE"), "yes");
  assert.is(ask("Drinks a bottle of wine nightly.", "ALCOHOL-ABUSE"), "yes");
});

test("ABDOMINAL: resections of the bowel or another abdominal organ, not of the lung or prostate", () => {
  assert.is(ask("s/p small bowel resection 2005.", "ABDOMINAL"), "yes");
  assert.is(ask("Underwent resection of the sigmoid colon.", "ABDOMINAL"), "yes");
  assert.is(ask("Crohn's, ileocecal resection.", "ABDOMINAL"), "yes");
  assert.is(ask("Admitted with SBO, managed conservatively.", "ABDOMINAL"), "yes");
  assert.is(ask("Lung wedge resection 2015.", "ABDOMINAL"), "no");
  assert.is(ask("Transurethral resection of the prostate.", "ABDOMINAL"), "no");
});

test("hypothetical mentions (risks explained, 'felt like') are not events", () => {
  assert.is(ask("Risks of surgery including heart attack and stroke were explained.", "MI-6MOS"), "no");
  assert.is(ask("Risks of surgery including heart attack and stroke were explained.", "apx-prior-stroke"), "no");
  assert.is(ask("She states it felt like a heart attack.", "MI-6MOS"), "no");
  assert.is(ask("Aspirin to prevent a heart attack.", "MI-6MOS"), "no");
});

test("unit-aware labs: µmol/L and mmol/mol convert, a unitless value gets the unit its size implies", () => {
  assert.is(num("Creatinine 150 µmol/L", "CREATININE"), "1.7");
  assert.is(num("Cr 177", "CREATININE"), "2"); // unitless above 20: µmol/L
  assert.is(num("Cr 1.4 mg/dL", "CREATININE"), "1.4");
  assert.is(num("HbA1c 58 mmol/mol", "HBA1C"), "7.46");
  assert.is(num("HbA1c 58", "HBA1C"), "7.46");
  assert.is(num("HbA1c 7.2%", "HBA1C"), "7.2");
  assert.is(num("Hb 118 g/L", "apx-hemoglobin-min"), "11.8");
  assert.is(num("Hb 118", "apx-hemoglobin-min"), "11.8");
  assert.is(num("Plt 250 x10^9/L", "apx-platelets-min"), "250");
  assert.is(num("BSL 7.2", "numeric", "What was the blood glucose?"), "129.72");
  // The question's own unit.
  assert.is(num("Creatinine 1.5 mg/dL", "numeric", "What was the last creatinine in µmol/L?"), "132.6");
  // A value with a unit of another quantity is not this lab.
  assert.is(num("Creatinine 5 mg tablets", "CREATININE"), "NA");
  assert.is(answer("Creatinine 5 mg tablets", "CREATININE").rule, "creatinine:max:none-usable(other-unit)");
});

test("ambiguous lab labels: CR <2s is capillary refill, Hb vs HbA1c, EF needs echo context, dates skipped", () => {
  assert.is(num("HR 88, CR <2s, warm peripheries.", "CREATININE"), "NA");
  assert.is(answer("CR <2s", "CREATININE").rule, "creatinine:max:none-usable(time-unit)");
  assert.is(num("Cap refill < 2 sec. Cr 1.6", "CREATININE"), "1.6");
  assert.is(num("Urine creatinine 120 mg/dL. Serum creatinine 1.1", "CREATININE"), "1.1");
  assert.is(num("Hb A1c 8.1, Hb 13.2", "apx-hemoglobin-min"), "13.2");
  assert.is(num("Hgb A1c 8.1", "HBA1C"), "8.1");
  assert.is(num("EF 30 in the car park", "apx-lvef-min"), "NA");
  assert.is(num("Echo: EF 30.", "apx-lvef-min"), "30");
  assert.is(num("EF 55-60%.", "apx-lvef-min"), "55");
  assert.is(num("Creatinine on 3/12: 1.4", "CREATININE"), "1.4");
});

test("n2c2 records split on a separator line of any width of `*`", () => {
  for (const width of [20, 60, 100, 120]) {
    const text = `Record date: 2090-01-10\nNSTEMI.\n${"*".repeat(width)}\nRecord date: 2091-03-01\nWell.`;
    assert.is(splitRecords(text).length, 2, `width ${width}`);
    assert.not.match(textWithinDays(text, 183), "NSTEMI");
  }
  // A short run of stars inside a line is not a separator.
  assert.is(splitRecords("Record date: 2090-01-10\nRating ***** good").length, 1);
});

test("scanning is linear: thousands of negated mentions in one long note", () => {
  const text = "No MI. ".repeat(20_000);
  const started = performance.now();
  assert.is(ask(text, "MI-6MOS"), "no");
  assert.ok(performance.now() - started < 3000, `took ${performance.now() - started} ms`);
});

test.run();
