import { CAD_MEDICATIONS, CONCEPTS, type Concept, findConcept } from "./internal/concepts.js";
import { fromLabUnit, LABS, type LabRule, readLab } from "./internal/lab-rules.js";
import { formatNumber, textWithinDays } from "./internal/text-rules.js";
import type { EvalItem, Prediction, QuestionType } from "./types.js";

/**
 * A rule-based baseline "model": a readable table of concept rows (internal/concepts.ts: patterns
 * plus the scope rules negation, allergy, other person, past) and lab rows (internal/lab-rules.ts:
 * labels, units, ranges) for the 13 n2c2 criteria, the 23 apixaban questions, and lab-value or
 * condition questions in general. It runs offline and answers in the same JSON text a model is asked
 * for, so its predictions go through the same parsing and scoring as any model's. The best n2c2 2018
 * systems were rule-based: this is an honest comparator, not a strawman. On the sample data its
 * numbers are a demo, not a result.
 */
export const BASELINE_MODEL = "baseline-rules-v2";

export interface BaselineAnswer {
  /** "yes", "no", a number as text, or "NA". */
  answer: string;
  /**
   * Which rule produced it and how (never note text: predictions must not copy restricted text):
   * `ABDOMINAL:abdominal-surgery`, `ABDOMINAL:negated`, `ABDOMINAL:absent`, `creatinine:max:converted`.
   */
  rule: string;
}

type Aggregate = "max" | "min" | "first" | "last";

function labAnswer(text: string, lab: LabRule, aggregate: Aggregate, unit?: string): BaselineAnswer {
  const reading = readLab(text, lab);
  const values = reading.values.map((entry) => entry.value);
  const prefix = `${lab.name}:${aggregate}`;
  if (values.length === 0) {
    const skipped = Object.keys(reading.skipped);
    return {
      answer: "NA",
      rule: skipped.length ? `${prefix}:none-usable(${skipped.sort().join(",")})` : `${prefix}:none`,
    };
  }
  const index =
    aggregate === "max"
      ? values.indexOf(Math.max(...values))
      : aggregate === "min"
        ? values.indexOf(Math.min(...values))
        : aggregate === "first"
          ? 0
          : values.length - 1;
  let value = values[index];
  let rule = reading.values[index].converted ? `${prefix}:converted` : prefix;
  if (unit) {
    const inUnit = fromLabUnit(lab, value, unit);
    if (inUnit === undefined) return { answer: "NA", rule: `${prefix}:unknown-question-unit` };
    if (Math.abs(inUnit - value) > 1e-9) rule = `${prefix}:in-question-unit`;
    value = inUnit;
  }
  return { answer: formatNumber(value), rule };
}

const yesNo = (value: boolean, rule: string): BaselineAnswer => ({ answer: value ? "yes" : "no", rule });

/** A yes/no from concept rows: the first row found names the answer; otherwise why none counted. */
function conceptAnswer(id: string, text: string, concepts: readonly Concept[]): BaselineAnswer {
  let excluded: string | undefined;
  for (const concept of concepts) {
    const result = findConcept(text, concept);
    if (result.found) return yesNo(true, `${id}:${concept.name}`);
    excluded ??= result.excluded;
  }
  return yesNo(false, `${id}:${excluded ?? "absent"}`);
}

const mentions = (text: string, concept: Concept) => findConcept(text, concept).found;

function ageOf(text: string): BaselineAnswer {
  const match =
    /\b(\d{2,3})[- ]?(?:years?|yrs?|y)[- ]?(?:old|\.?o\.?|\/o)(?![a-z])/i.exec(text) ??
    /\bage[:\s]+(\d{2,3})\b/i.exec(text) ??
    // "63M with", "74 F w/": upper case only, to keep "10 m" (metres, minutes) out.
    /\b(\d{2,3}) ?[MF]\b(?= (?:with|w\/|who|presenting|presents|admitted))/.exec(text);
  return { answer: match ? String(Number(match[1])) : "NA", rule: "age" };
}

function weightOf(text: string): BaselineAnswer {
  const pattern = /\b(?:weight|wt)\b[^0-9\n]{0,12}(\d+(?:\.\d+)?)\s*(kg|kilograms?|lbs?|pounds?)?/gi;
  let last: { value: number; unit: string } | undefined;
  for (const match of text.matchAll(pattern))
    last = { value: Number(match[1]), unit: (match[2] ?? "kg").toLowerCase() };
  if (!last) return { answer: "NA", rule: "weight" };
  const kg = last.unit.startsWith("l") || last.unit.startsWith("p") ? last.value * 0.45359237 : last.value;
  return { answer: formatNumber(kg, 1), rule: "weight" };
}

function chads2(text: string): BaselineAnswer {
  const age = Number(ageOf(text).answer);
  const score =
    Number(mentions(text, CONCEPTS.heartFailure)) +
    Number(mentions(text, CONCEPTS.hypertension)) +
    Number(Number.isFinite(age) && age >= 75) +
    Number(mentions(text, CONCEPTS.diabetes)) +
    2 * Number(mentions(text, CONCEPTS.stroke));
  return { answer: String(score), rule: "chads2" };
}

function advancedCad(text: string): BaselineAnswer {
  const medications = CAD_MEDICATIONS.filter((name) => mentions(text, CONCEPTS[name])).length;
  const findings = [
    medications >= 2,
    mentions(text, CONCEPTS.mi),
    mentions(text, CONCEPTS.angina),
    mentions(text, CONCEPTS.ischemia),
  ].filter(Boolean).length;
  return yesNo(findings >= 2, `ADVANCED-CAD:${findings}-of-4`);
}

/** ENGLISH: yes when the note says the patient speaks English; no on an interpreter / other-language cue. */
function english(text: string): BaselineAnswer {
  if (mentions(text, CONCEPTS.englishSpeaker)) return yesNo(true, "ENGLISH:english-speaker");
  if (mentions(text, CONCEPTS.nonEnglish)) return yesNo(false, "ENGLISH:non-english");
  return yesNo(true, "ENGLISH:default-yes");
}

type Rule = (text: string) => BaselineAnswer;
const has =
  (id: string, ...concepts: Concept[]): Rule =>
  (text) =>
    conceptAnswer(id, text, concepts);
const within =
  (days: number, rule: Rule): Rule =>
  (text) =>
    rule(textWithinDays(text, days));

/** Rules by question id: n2c2 criteria (longitudinal text) and apixaban questions (one note). */
const RULES: Record<string, Rule> = {
  ABDOMINAL: has("ABDOMINAL", CONCEPTS.abdominalSurgery),
  "ADVANCED-CAD": advancedCad,
  "ALCOHOL-ABUSE": has("ALCOHOL-ABUSE", CONCEPTS.alcoholAbuse, CONCEPTS.alcoholAmount, CONCEPTS.alcoholVolume),
  "ASP-FOR-MI": has("ASP-FOR-MI", CONCEPTS.aspirin),
  CREATININE: (text) => labAnswer(text, LABS.creatinine, "max"),
  "DIETSUPP-2MOS": within(61, has("DIETSUPP-2MOS", CONCEPTS.supplement)),
  "DRUG-ABUSE": has("DRUG-ABUSE", CONCEPTS.drugAbuse),
  ENGLISH: english,
  HBA1C: (text) => labAnswer(text, LABS.hba1c, "max"),
  "KETO-1YR": within(365, has("KETO-1YR", CONCEPTS.ketoacidosis)),
  "MAJOR-DIABETES": has("MAJOR-DIABETES", CONCEPTS.diabetesComplication),
  "MAKES-DECISIONS": (text) => {
    const incapacity = findConcept(text, CONCEPTS.incapacity);
    return yesNo(!incapacity.found, incapacity.found ? "MAKES-DECISIONS:incapacity" : "MAKES-DECISIONS:default-yes");
  },
  "MI-6MOS": within(183, has("MI-6MOS", CONCEPTS.mi)),

  "apx-afib": has("apx-afib", CONCEPTS.afib),
  "apx-prior-stroke": has("apx-prior-stroke", CONCEPTS.stroke),
  "apx-recent-stroke": has("apx-recent-stroke", CONCEPTS.acuteStroke),
  "apx-heart-failure": has("apx-heart-failure", CONCEPTS.heartFailure),
  "apx-hypertension": has("apx-hypertension", CONCEPTS.hypertension),
  "apx-diabetes": has("apx-diabetes", CONCEPTS.diabetes),
  "apx-bleeding-6mo": has("apx-bleeding-6mo", CONCEPTS.bleeding),
  "apx-mitral-stenosis": has("apx-mitral-stenosis", CONCEPTS.mitralStenosis),
  "apx-mechanical-valve": has("apx-mechanical-valve", CONCEPTS.mechanicalValve),
  "apx-reversible-af": has("apx-reversible-af", CONCEPTS.reversibleAf),
  "apx-dual-antiplatelet": (text) =>
    yesNo(mentions(text, CONCEPTS.aspirin) && mentions(text, CONCEPTS.p2y12), "apx-dual-antiplatelet:aspirin+p2y12"),
  "apx-anticoagulant": has("apx-anticoagulant", CONCEPTS.anticoagulant),
  "apx-liver-disease": has("apx-liver-disease", CONCEPTS.liverDisease),
  "apx-dialysis": has("apx-dialysis", CONCEPTS.dialysis),
  "apx-substance-abuse": has(
    "apx-substance-abuse",
    CONCEPTS.alcoholAbuse,
    CONCEPTS.alcoholAmount,
    CONCEPTS.alcoholVolume,
    CONCEPTS.drugAbuse,
  ),
  "apx-age": ageOf,
  "apx-weight": weightOf,
  "apx-creatinine-max": (text) => labAnswer(text, LABS.creatinine, "max"),
  "apx-platelets-min": (text) => labAnswer(text, LABS.platelets, "min"),
  "apx-hemoglobin-min": (text) => labAnswer(text, LABS.hemoglobin, "min"),
  "apx-lvef-min": (text) => labAnswer(text, LABS.lvef, "min"),
  "apx-chads2": chads2,
  "apx-alt-max": (text) => labAnswer(text, LABS.alt, "max"),
};

/** Question ids the baseline has a dedicated rule for. */
export const BASELINE_RULE_IDS: readonly string[] = Object.keys(RULES);

// Free-text questions (synthetic set): route by the words of the question.
const QUESTION_LABS: [RegExp, LabRule][] = [
  [/a1c|glycosylated|glycated/i, LABS.hba1c],
  [/creatinine/i, LABS.creatinine],
  [/platelet/i, LABS.platelets],
  [/h(?:a)?emoglobin|\bhgb\b|\bhb\b/i, LABS.hemoglobin],
  [/ejection fraction|lvef/i, LABS.lvef],
  [/\balt\b|alanine/i, LABS.alt],
  [/glucose|blood sugar/i, LABS.glucose],
];
const QUESTION_CONDITIONS: [RegExp, Concept][] = [
  [/atrial fibrillation|atrial flutter|afib/i, CONCEPTS.afib],
  [/stroke|transient ischemic|\btia\b/i, CONCEPTS.stroke],
  [/heart failure|\bchf\b/i, CONCEPTS.heartFailure],
  [/hypertension/i, CONCEPTS.hypertension],
  [/diabet/i, CONCEPTS.diabetes],
  [/bleed|hemorrhage/i, CONCEPTS.bleeding],
  [/anticoagul|warfarin|apixaban/i, CONCEPTS.anticoagulant],
  [/aspirin/i, CONCEPTS.aspirin],
  [/dialysis|end-stage renal/i, CONCEPTS.dialysis],
  [/myocardial infarction|heart attack/i, CONCEPTS.mi],
  [/cirrhosis|liver/i, CONCEPTS.liverDisease],
];
// A unit the question asks for ("in µmol/L", "in mmol/mol").
const QUESTION_UNIT = /(?:[µμu]mol\/L|micromol\/L|mmol\/mol|mmol\/L|mg\/dL|g\/dL|g\/L|%|percent|K\/uL|U\/L)/i;

function freeTextAnswer(text: string, question: string, type: QuestionType): BaselineAnswer {
  if (type === "numeric" || type === "na_numeric") {
    if (/\bage\b|how old/i.test(question)) return ageOf(text);
    if (/weight/i.test(question)) return weightOf(text);
    const lab = QUESTION_LABS.find(([pattern]) => pattern.test(question))?.[1];
    if (!lab) return { answer: "NA", rule: "numeric:no-rule" };
    const aggregate: Aggregate = /highest|maximum|peak|max\b/i.test(question)
      ? "max"
      : /lowest|minimum|nadir|min\b/i.test(question)
        ? "min"
        : /\bfirst\b|initial|admission|admitted/i.test(question)
          ? "first"
          : "last";
    return labAnswer(text, lab, aggregate, QUESTION_UNIT.exec(question)?.[0]);
  }
  const concept = QUESTION_CONDITIONS.find(([pattern]) => pattern.test(question))?.[1];
  if (!concept) return { answer: "NA", rule: "boolean:no-rule" };
  return conceptAnswer("boolean", text, [concept]);
}

/** The baseline's answer to one question about one note (n2c2: the patient's whole TEXT). */
export function baselineAnswer(
  noteText: string,
  question: { questionId: string; question: string; questionType: QuestionType },
): BaselineAnswer {
  const rule = RULES[question.questionId];
  return rule ? rule(noteText) : freeTextAnswer(noteText, question.question, question.questionType);
}

/** The answer as the JSON text the evaluation prompt asks a model for. */
export function baselineText(answer: BaselineAnswer): string {
  return JSON.stringify({ answer: answer.answer, explanation: `rule-based baseline (${answer.rule})` });
}

/**
 * Run the baseline over items, in item order. `noteText` looks a note up by id; an item whose note
 * is missing gets a failed prediction (reason no_content) so it is scored as wrong, never dropped.
 */
export function runBaseline(items: Iterable<EvalItem>, noteText: (noteId: string) => string | undefined): Prediction[] {
  const predictions: Prediction[] = [];
  for (const item of items) {
    const text = noteText(item.noteId);
    if (text === undefined) {
      predictions.push({
        item_id: item.itemId,
        model: BASELINE_MODEL,
        ok: false,
        text: "",
        reason: "no_content",
        finish_reason: "error",
      });
      continue;
    }
    predictions.push({
      item_id: item.itemId,
      model: BASELINE_MODEL,
      ok: true,
      text: baselineText(baselineAnswer(text, item)),
      finish_reason: "stop",
      cached: false,
    });
  }
  return predictions;
}
