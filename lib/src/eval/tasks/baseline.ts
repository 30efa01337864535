import { formatNumber, labValues, mentions, textWithinDays } from "./internal/text-rules.js";
import type { EvalItem, Prediction, QuestionType } from "./types.js";

/**
 * A rule-based baseline "model": regular expressions and keyword rules for the 13 n2c2 criteria,
 * the 23 apixaban questions, and lab-value or condition questions in general. It runs offline and
 * answers in the same JSON text a model is asked for, so its predictions go through the same
 * parsing and scoring as any model's. The best n2c2 2018 systems were rule-based: this is an honest
 * comparator, not a strawman. On the sample data its numbers are a demo, not a result.
 */
export const BASELINE_MODEL = "baseline-rules-v1";

export interface BaselineAnswer {
  /** "yes", "no", a number as text, or "NA". */
  answer: string;
  /** Which rule produced it (never note text: predictions must not copy restricted text). */
  rule: string;
}

type Aggregate = "max" | "min" | "last";

interface Lab {
  name: string;
  label: RegExp;
  exclude?: RegExp;
  /** Skip a match when the text just before the lab name matches this. */
  excludeBefore?: RegExp;
  /** Normalise a raw value into the question's unit. */
  normalise?: (value: number) => number;
  /** Plausible range after normalising; values outside are misreads (dates, doses) and ignored. */
  range: [number, number];
}

const LABS: Record<string, Lab> = {
  creatinine: {
    name: "creatinine",
    label: /creatinine|creat|\bcr/,
    // Ratios and clearances are not serum creatinine.
    exclude: /clearance|crcl/i,
    excludeBefore: /(?:albumin|protein)\s*\/\s*$/i,
    range: [0.1, 20],
  },
  hba1c: { name: "hba1c", label: /hemoglobin a1c|hgba1c|hba1c|\ba1c|glycosylated hemoglobin/, range: [3, 20] },
  platelets: {
    name: "platelets",
    label: /platelets?(?: count)?|\bplts?/,
    // 95,000 /uL and 95 K/uL are the same count.
    normalise: (value) => (value >= 1000 ? value / 1000 : value),
    range: [1, 2000],
  },
  hemoglobin: {
    name: "hemoglobin",
    label: /hemoglobin|\bhgb|\bhb/,
    exclude: /a1c|a 1c/i,
    range: [2, 25],
  },
  lvef: { name: "lvef", label: /lvef|ejection fraction|\bef/, range: [5, 85] },
  alt: { name: "alt", label: /\balt|alanine aminotransferase|\bsgpt/, range: [1, 10000] },
};

function labAnswer(text: string, lab: Lab, aggregate: Aggregate): BaselineAnswer {
  const values = labValues(text, lab.label, lab.exclude, lab.excludeBefore)
    .map((value) => (lab.normalise ? lab.normalise(value) : value))
    .filter((value) => value >= lab.range[0] && value <= lab.range[1]);
  const rule = `${lab.name}:${aggregate}`;
  if (values.length === 0) return { answer: "NA", rule };
  const value =
    aggregate === "max" ? Math.max(...values) : aggregate === "min" ? Math.min(...values) : values[values.length - 1];
  return { answer: formatNumber(value), rule };
}

const CONDITIONS = {
  afib: /atrial fibrillation|atrial flutter|\ba-?fib\b|\baflutter\b/i,
  // Upper case only: "af" in lower case is too often something else.
  afibAbbreviation: /\bAF\b/,
  stroke: /stroke|\bCVA\b|cerebrovascular accident|\bTIA\b|transient ischemic attack|systemic embol/i,
  acuteStroke: /acute (?:ischemic |hemorrhagic )?(?:stroke|CVA)|(?:stroke|CVA) (?:on|this) admission/i,
  heartFailure: /heart failure|\bCHF\b|\bHFrEF\b|\bHFpEF\b|cardiomyopathy/i,
  hypertension: /hypertension|\bHTN\b/i,
  diabetes: /diabetes|diabetic|\bT[12]DM\b|\bDM\b|\bIDDM\b|\bNIDDM\b/i,
  bleeding: /\bbleed(?:ing)?\b|hemorrhage|melena|hematochezia|hematemesis|\bGIB\b|\bUGIB\b|\bLGIB\b|subdural hematoma/i,
  mitralStenosis: /(?:moderate|severe)(?:[- ]to[- ]severe)? mitral stenosis/i,
  mechanicalValve: /mechanical (?:mitral |aortic )?(?:valve|prosthe\w+|MVR|AVR)|St\.? Jude (?:valve|AVR|MVR)/i,
  reversibleAf:
    /thyrotoxicosis|hyperthyroidism|post-?operative (?:atrial fibrillation|afib|AF)|(?:atrial fibrillation|afib) (?:due to|secondary to) (?:thyro|sepsis|surgery)/i,
  aspirin: /aspirin|\bASA\b|\becotrin\b/i,
  p2y12: /clopidogrel|plavix|ticagrelor|brilinta|prasugrel|effient/i,
  anticoagulant: /warfarin|coumadin|apixaban|eliquis|rivaroxaban|xarelto|dabigatran|pradaxa|edoxaban|savaysa/i,
  liverDisease: /cirrhosis|hepatitis|liver failure|hepatic failure|liver disease/i,
  dialysis: /dialysis|\bESRD\b|end[- ]stage renal|hemodialysis/i,
  alcoholAbuse:
    /alcohol abuse|alcoholism|alcohol dependence|alcohol use disorder|etoh abuse|heavy (?:alcohol|drinking|drinker)|binge drinking|alcoholic\b|(?:alcohol|drinking)[^.\n]{0,20}(?:above|over|exceed\w*) (?:safe |recommended |weekly )?limits|drinks? (?:about )?\d+(?:-\d+)? (?:beers|shots|drinks|glasses)[^.\n]{0,25}(?:a day|per day|daily|every (?:day|evening|night)|most nights|nightly)/i,
  drugAbuse:
    /drug abuse|substance abuse|polysubstance|cocaine|heroin|\bIVDU\b|(?:IV|intravenous) drug use|methamphetamine|opioid (?:abuse|use disorder)/i,
  abdominalSurgery:
    /appendectomy|cholecystectomy|colectomy|hemicolectomy|laparotomy|ex-?lap\b|bowel resection|small bowel obstruction|\bSBO\b|gastrectomy|whipple|sigmoidectomy|gastric bypass|abdominal surgery|bowel surgery|ileostomy|colostomy/i,
  mi: /myocardial infarction|\bMI\b|\bNSTEMI\b|\bSTEMI\b|heart attack/i,
  angina: /angina/i,
  ischemia: /ischemi/i,
  ketoacidosis: /ketoacidosis|\bDKA\b/i,
  diabetesComplication:
    /retinopathy|nephropathy|neuropathy|amputation|gastroparesis|diabetic (?:foot )?ulcer|charcot foot|diabetic kidney disease/i,
  // Supplements other than vitamin D (the n2c2 definition excludes it).
  supplement:
    /fish oil|omega-?3|multivitamin|\bMVI\b|calcium (?:carbonate|citrate)|\bcalcium\b|ferrous|\biron\b|folic acid|folate|magnesium|glucosamine|coenzyme|\bCoQ10\b|vitamin (?:B|C|E|B6|B12)\b|cyanocobalamin|thiamine|niacin|\bzinc\b/i,
  nonEnglish:
    /interpreter|non-?english|does not speak english|doesn't speak english|(?:spanish|portuguese|russian|mandarin|cantonese|haitian creole|vietnamese)[- ](?:speaking|speaker)|speaks only (?!english)\w+/i,
  incapacity:
    /dementia|not competent|incompetent|lacks (?:decision-?making )?capacity|unable to make (?:medical |his own |her own )?decisions|legal guardian|guardianship/i,
};

const CAD_MEDICATIONS = [
  /aspirin|\bASA\b/i,
  /nitroglycerin|\bNTG\b|isosorbide|nitrate/i,
  /metoprolol|atenolol|carvedilol|bisoprolol|propranolol/i,
  /atorvastatin|simvastatin|pravastatin|rosuvastatin|lovastatin|lipitor|zocor/i,
  /clopidogrel|plavix|ticagrelor|prasugrel/i,
  /ranolazine/i,
];

const yesNo = (value: boolean, rule: string): BaselineAnswer => ({ answer: value ? "yes" : "no", rule });

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
    Number(mentions(text, CONDITIONS.heartFailure)) +
    Number(mentions(text, CONDITIONS.hypertension)) +
    Number(Number.isFinite(age) && age >= 75) +
    Number(mentions(text, CONDITIONS.diabetes)) +
    2 * Number(mentions(text, CONDITIONS.stroke));
  return { answer: String(score), rule: "chads2" };
}

function advancedCad(text: string): BaselineAnswer {
  const medications = CAD_MEDICATIONS.filter((pattern) => mentions(text, pattern)).length;
  const findings = [
    medications >= 2,
    mentions(text, CONDITIONS.mi),
    mentions(text, CONDITIONS.angina),
    mentions(text, CONDITIONS.ischemia),
  ].filter(Boolean).length;
  return yesNo(findings >= 2, "ADVANCED-CAD:2-of-4");
}

type Rule = (text: string) => BaselineAnswer;
const has =
  (pattern: RegExp, rule: string): Rule =>
  (text) =>
    yesNo(mentions(text, pattern), rule);

/** Rules by question id: n2c2 criteria (longitudinal text) and apixaban questions (one note). */
const RULES: Record<string, Rule> = {
  ABDOMINAL: has(CONDITIONS.abdominalSurgery, "ABDOMINAL"),
  "ADVANCED-CAD": advancedCad,
  "ALCOHOL-ABUSE": has(CONDITIONS.alcoholAbuse, "ALCOHOL-ABUSE"),
  "ASP-FOR-MI": has(CONDITIONS.aspirin, "ASP-FOR-MI"),
  CREATININE: (text) => labAnswer(text, LABS.creatinine, "max"),
  "DIETSUPP-2MOS": (text) => yesNo(mentions(textWithinDays(text, 61), CONDITIONS.supplement), "DIETSUPP-2MOS"),
  "DRUG-ABUSE": has(CONDITIONS.drugAbuse, "DRUG-ABUSE"),
  ENGLISH: (text) => yesNo(!mentions(text, CONDITIONS.nonEnglish), "ENGLISH:default-yes"),
  HBA1C: (text) => labAnswer(text, LABS.hba1c, "max"),
  "KETO-1YR": (text) => yesNo(mentions(textWithinDays(text, 365), CONDITIONS.ketoacidosis), "KETO-1YR"),
  "MAJOR-DIABETES": has(CONDITIONS.diabetesComplication, "MAJOR-DIABETES"),
  "MAKES-DECISIONS": (text) => yesNo(!mentions(text, CONDITIONS.incapacity), "MAKES-DECISIONS:default-yes"),
  "MI-6MOS": (text) => yesNo(mentions(textWithinDays(text, 183), CONDITIONS.mi), "MI-6MOS"),

  "apx-afib": (text) => yesNo(mentions(text, CONDITIONS.afib) || mentions(text, CONDITIONS.afibAbbreviation), "afib"),
  "apx-prior-stroke": has(CONDITIONS.stroke, "stroke"),
  "apx-recent-stroke": has(CONDITIONS.acuteStroke, "acute-stroke"),
  "apx-heart-failure": has(CONDITIONS.heartFailure, "heart-failure"),
  "apx-hypertension": has(CONDITIONS.hypertension, "hypertension"),
  "apx-diabetes": has(CONDITIONS.diabetes, "diabetes"),
  "apx-bleeding-6mo": has(CONDITIONS.bleeding, "bleeding"),
  "apx-mitral-stenosis": has(CONDITIONS.mitralStenosis, "mitral-stenosis"),
  "apx-mechanical-valve": has(CONDITIONS.mechanicalValve, "mechanical-valve"),
  "apx-reversible-af": has(CONDITIONS.reversibleAf, "reversible-af"),
  "apx-dual-antiplatelet": (text) =>
    yesNo(mentions(text, CONDITIONS.aspirin) && mentions(text, CONDITIONS.p2y12), "dual-antiplatelet"),
  "apx-anticoagulant": has(CONDITIONS.anticoagulant, "anticoagulant"),
  "apx-liver-disease": has(CONDITIONS.liverDisease, "liver-disease"),
  "apx-dialysis": has(CONDITIONS.dialysis, "dialysis"),
  "apx-substance-abuse": (text) =>
    yesNo(mentions(text, CONDITIONS.alcoholAbuse) || mentions(text, CONDITIONS.drugAbuse), "substance-abuse"),
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
const QUESTION_LABS: [RegExp, Lab][] = [
  [/a1c|glycosylated/i, LABS.hba1c],
  [/creatinine/i, LABS.creatinine],
  [/platelet/i, LABS.platelets],
  [/hemoglobin|\bhgb\b/i, LABS.hemoglobin],
  [/ejection fraction|lvef/i, LABS.lvef],
  [/\balt\b|alanine/i, LABS.alt],
];
const QUESTION_CONDITIONS: [RegExp, RegExp][] = [
  [/atrial fibrillation|atrial flutter|afib/i, CONDITIONS.afib],
  [/stroke|transient ischemic|\btia\b/i, CONDITIONS.stroke],
  [/heart failure|\bchf\b/i, CONDITIONS.heartFailure],
  [/hypertension/i, CONDITIONS.hypertension],
  [/diabet/i, CONDITIONS.diabetes],
  [/bleed|hemorrhage/i, CONDITIONS.bleeding],
  [/anticoagul|warfarin|apixaban/i, CONDITIONS.anticoagulant],
  [/aspirin/i, CONDITIONS.aspirin],
  [/dialysis|end-stage renal/i, CONDITIONS.dialysis],
  [/myocardial infarction|heart attack/i, CONDITIONS.mi],
  [/cirrhosis|liver/i, CONDITIONS.liverDisease],
];

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
        : "last";
    return labAnswer(text, lab, aggregate);
  }
  const condition = QUESTION_CONDITIONS.find(([pattern]) => pattern.test(question))?.[1];
  if (!condition) return { answer: "NA", rule: "boolean:no-rule" };
  return yesNo(mentions(text, condition), "boolean:keyword");
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
