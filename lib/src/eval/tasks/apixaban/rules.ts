import {
  ageOf,
  type BaselineAnswer,
  has,
  labAnswer,
  mentions,
  type Rule,
  weightOf,
  yesNo,
} from "../internal/answer-rules.js";
import { CONCEPTS } from "../internal/concepts.js";
import { LABS } from "../internal/lab-rules.js";

// The rule-based baseline for the 23 apixaban questions (questions.ts), read over one note.

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

/** Rules by question id. */
export const APIXABAN_RULES: Record<string, Rule> = {
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
