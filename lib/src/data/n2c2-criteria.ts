/** The 13 selection criteria of n2c2 2018 Track 1 (cohort selection), in the order of the files' TAGS. */
export const N2C2_CRITERIA = [
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
] as const;

export type Criterion = (typeof N2C2_CRITERIA)[number];
export type CriterionLabel = "met" | "not met";
export const CRITERION_LABELS: readonly CriterionLabel[] = ["met", "not met"];

/**
 * What each criterion means, as the challenge defined it (Stubbs et al., JAMIA 2019), in this
 * project's words. "In the past N months/year" counts back from the patient's most recent record.
 */
export const N2C2_CRITERION_DEFINITIONS: Record<Criterion, string> = {
  ABDOMINAL: "History of intra-abdominal surgery, small or large intestine resection, or small bowel obstruction.",
  "ADVANCED-CAD":
    "Advanced cardiovascular disease: at least two of (a) taking two or more medications to treat CAD, (b) history of myocardial infarction, (c) currently experiencing angina, (d) ischemia, past or present.",
  "ALCOHOL-ABUSE": "Current alcohol use above weekly recommended limits.",
  "ASP-FOR-MI": "Use of aspirin to prevent myocardial infarction.",
  CREATININE: "Serum creatinine above the upper limit of normal.",
  "DIETSUPP-2MOS": "Took a dietary supplement (vitamin D alone does not count) in the past 2 months.",
  "DRUG-ABUSE": "Drug abuse, current or past.",
  ENGLISH: "Patient speaks English.",
  HBA1C: "Any hemoglobin A1c (HbA1c) value between 6.5% and 9.5%.",
  "KETO-1YR": "Diagnosis of ketoacidosis in the past year.",
  "MAJOR-DIABETES":
    "Major diabetes-related complication: amputation, kidney damage, skin conditions, retinopathy, nephropathy or neuropathy.",
  "MAKES-DECISIONS": "Patient makes their own medical decisions.",
  "MI-6MOS": "Myocardial infarction in the past 6 months.",
};

export function isCriterion(value: string): value is Criterion {
  return (N2C2_CRITERIA as readonly string[]).includes(value);
}
