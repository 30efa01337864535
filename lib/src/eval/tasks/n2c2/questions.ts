import { defaults } from "../../../config/defaults.js";
import { ToolkitError } from "../../../core/errors.js";
import type { EvalQuestion } from "../types.js";

/**
 * One project-written question per n2c2 2018 Track 1 criterion. Time windows ("past 6 months")
 * are measured back from the most recent record date, as in the challenge guidelines, and the
 * questions say so. The two lab criteria ask for the highest value; the label comes from a
 * threshold in config (see n2c2LabelFromAnswer).
 */
export const N2C2_QUESTIONS: readonly EvalQuestion[] = [
  {
    id: "ABDOMINAL",
    type: "boolean",
    text: "Has the patient ever had intra-abdominal surgery, a small or large intestine resection, or a small bowel obstruction?",
  },
  {
    id: "ADVANCED-CAD",
    type: "boolean",
    text: "Does the patient have advanced cardiovascular disease, meaning at least two of: taking two or more medications for coronary artery disease, a history of myocardial infarction, current angina, or ischemia (past or present)?",
  },
  {
    id: "ALCOHOL-ABUSE",
    type: "boolean",
    text: "Does the patient currently drink alcohol above weekly recommended limits?",
  },
  {
    id: "ASP-FOR-MI",
    type: "boolean",
    text: "Does the patient take aspirin to prevent myocardial infarction?",
  },
  {
    id: "CREATININE",
    type: "numeric",
    text: "What is the highest serum creatinine value recorded for the patient, in mg/dL?",
  },
  {
    id: "DIETSUPP-2MOS",
    type: "boolean",
    text: "Has the patient taken a dietary supplement (excluding vitamin D) in the 2 months before the most recent record date?",
  },
  {
    id: "DRUG-ABUSE",
    type: "boolean",
    text: "Does the patient have current or past drug abuse?",
  },
  {
    id: "ENGLISH",
    type: "boolean",
    text: "Does the patient speak English?",
  },
  {
    id: "HBA1C",
    type: "numeric",
    text: "What is the highest hemoglobin A1c (HbA1c) value recorded for the patient, in percent?",
  },
  {
    id: "KETO-1YR",
    type: "boolean",
    text: "Was the patient diagnosed with ketoacidosis in the year before the most recent record date?",
  },
  {
    id: "MAJOR-DIABETES",
    type: "boolean",
    text: "Does the patient have a major diabetes-related complication, such as amputation, kidney damage, skin conditions, retinopathy, nephropathy or neuropathy?",
  },
  {
    id: "MAKES-DECISIONS",
    type: "boolean",
    text: "Does the patient make their own medical decisions?",
  },
  {
    id: "MI-6MOS",
    type: "boolean",
    text: "Did the patient have a myocardial infarction in the 6 months before the most recent record date?",
  },
];

export type N2c2Label = "met" | "not met";

export interface N2c2Thresholds {
  /** CREATININE is met when the highest value is strictly above this (mg/dL). */
  creatinineAbove: number;
  /** HBA1C is met when the highest value is within [min, max] percent, bounds included. */
  hba1cRange: { min: number; max: number };
}

/** eval.n2c2's defaults (config/sections/eval.ts). */
export const DEFAULT_N2C2_THRESHOLDS: N2c2Thresholds = {
  creatinineAbove: defaults.eval.n2c2.creatinineAbove,
  hba1cRange: defaults.eval.n2c2.hba1cRange,
};

/**
 * The original label rule: a boolean answer of yes means met, anything else (no, NA, unparseable)
 * means not met; a numeric answer is met through the criterion's threshold, and a missing number is
 * not met. `answer` is the already-parsed answer: true/false for yes/no, a number, or null.
 */
export function n2c2LabelFromAnswer(
  criterion: string,
  answer: boolean | number | null,
  thresholds: N2c2Thresholds = DEFAULT_N2C2_THRESHOLDS,
): N2c2Label {
  if (criterion === "CREATININE") {
    return typeof answer === "number" && answer > thresholds.creatinineAbove ? "met" : "not met";
  }
  if (criterion === "HBA1C") {
    const { min, max } = thresholds.hba1cRange;
    return typeof answer === "number" && answer >= min && answer <= max ? "met" : "not met";
  }
  return answer === true ? "met" : "not met";
}

/** The question for a criterion; throws naming the criterion when it is not one of the 13. */
export function n2c2Question(criterion: string): EvalQuestion {
  const question = N2C2_QUESTIONS.find((candidate) => candidate.id === criterion);
  if (!question) {
    throw new ToolkitError(
      `unknown n2c2 criterion "${criterion}" (expected one of ${N2C2_QUESTIONS.map((q) => q.id).join(", ")})`,
      { stage: "eval", field: "criterion" },
    );
  }
  return question;
}
