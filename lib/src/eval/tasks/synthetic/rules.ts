import {
  type Aggregate,
  ageOf,
  type BaselineAnswer,
  conceptAnswer,
  labAnswer,
  weightOf,
} from "../internal/answer-rules.js";
import { CONCEPTS, type Concept } from "../internal/concepts.js";
import { LABS, type LabRule } from "../internal/lab-rules.js";
import type { QuestionType } from "../types.js";

// The rule-based baseline for free-text questions (the synthetic set): routed by the words of the question.

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

/** The answer to a question without a rule of its own, by the lab or condition its words name. */
export function freeTextAnswer(text: string, question: string, type: QuestionType): BaselineAnswer {
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
