import { type BaselineAnswer, has, labAnswer, mentions, type Rule, within, yesNo } from "../internal/answer-rules.js";
import { CAD_MEDICATIONS, CONCEPTS, findConcept } from "../internal/concepts.js";
import { LABS } from "../internal/lab-rules.js";

// The rule-based baseline for the 13 n2c2 criteria (questions.ts), read over a patient's longitudinal text.

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

/** Rules by criterion id. */
export const N2C2_RULES: Record<string, Rule> = {
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
};
