import { ToolkitError } from "../../../core/errors.js";
import type { EvalQuestion } from "../types.js";

/**
 * 23 project-written questions modelled on the ARISTOTLE trial's eligibility criteria (apixaban
 * versus warfarin in atrial fibrillation): the qualifying diagnosis and risk factors, the
 * exclusions, and the values behind dose reduction (age, weight, creatinine). 15 yes/no and
 * 8 numeric. Ids are stable: annotations refer to them.
 */
export const APIXABAN_QUESTIONS: readonly EvalQuestion[] = [
  // yes/no: qualifying diagnosis and risk factors
  { id: "apx-afib", type: "boolean", text: "Does the patient have atrial fibrillation or atrial flutter?" },
  {
    id: "apx-prior-stroke",
    type: "boolean",
    text: "Has the patient ever had a stroke, transient ischemic attack or systemic embolism?",
  },
  {
    id: "apx-recent-stroke",
    type: "boolean",
    text: "Did the patient have a stroke within the 7 days before this note?",
  },
  { id: "apx-heart-failure", type: "boolean", text: "Does the patient have symptomatic heart failure?" },
  { id: "apx-hypertension", type: "boolean", text: "Does the patient have hypertension requiring treatment?" },
  { id: "apx-diabetes", type: "boolean", text: "Does the patient have diabetes mellitus?" },
  // yes/no: exclusions
  {
    id: "apx-bleeding-6mo",
    type: "boolean",
    text: "Has the patient had clinically significant bleeding within the past 6 months?",
  },
  { id: "apx-mitral-stenosis", type: "boolean", text: "Does the patient have moderate or severe mitral stenosis?" },
  { id: "apx-mechanical-valve", type: "boolean", text: "Does the patient have a mechanical prosthetic heart valve?" },
  {
    id: "apx-reversible-af",
    type: "boolean",
    text: "Is the atrial fibrillation attributed to a reversible cause, such as thyrotoxicosis or recent surgery?",
  },
  {
    id: "apx-dual-antiplatelet",
    type: "boolean",
    text: "Is the patient taking aspirin together with clopidogrel or another P2Y12 inhibitor?",
  },
  {
    id: "apx-anticoagulant",
    type: "boolean",
    text: "Is the patient currently taking an oral anticoagulant (warfarin, apixaban, rivaroxaban, dabigatran or edoxaban)?",
  },
  { id: "apx-liver-disease", type: "boolean", text: "Does the patient have active liver disease or cirrhosis?" },
  {
    id: "apx-dialysis",
    type: "boolean",
    text: "Does the patient have end-stage renal disease or receive dialysis?",
  },
  { id: "apx-substance-abuse", type: "boolean", text: "Does the patient have active alcohol or drug abuse?" },
  // numeric
  { id: "apx-age", type: "numeric", text: "What is the patient's age in years?" },
  { id: "apx-weight", type: "numeric", text: "What is the patient's most recent weight in kilograms?" },
  {
    id: "apx-creatinine-max",
    type: "numeric",
    text: "What is the highest serum creatinine value reported in this note, in mg/dL?",
  },
  {
    id: "apx-platelets-min",
    type: "numeric",
    text: "What is the lowest platelet count reported in this note, in thousands per microliter (K/uL)?",
  },
  {
    id: "apx-hemoglobin-min",
    type: "numeric",
    text: "What is the lowest hemoglobin value reported in this note, in g/dL?",
  },
  {
    id: "apx-lvef-min",
    type: "numeric",
    text: "What is the lowest left ventricular ejection fraction (LVEF) reported in this note, in percent?",
  },
  {
    id: "apx-chads2",
    type: "numeric",
    text: "What is the patient's CHADS2 score (congestive heart failure 1, hypertension 1, age 75 or older 1, diabetes 1, prior stroke or TIA 2)?",
  },
  { id: "apx-alt-max", type: "numeric", text: "What is the highest ALT value reported in this note, in U/L?" },
];

/** The question with this id; throws naming the id when it is not one of the 23. */
export function apixabanQuestion(id: string): EvalQuestion {
  const question = APIXABAN_QUESTIONS.find((candidate) => candidate.id === id);
  if (!question) throw new ToolkitError(`unknown apixaban question id "${id}"`, { stage: "eval", field: "id" });
  return question;
}
