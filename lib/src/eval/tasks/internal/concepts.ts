/**
 * The baseline's rule table: one named row per clinical concept, with its patterns and the scope
 * rules that decide whether a mention counts for the patient now. Patterns only match whole words
 * (see wordPattern); `terms` are case-insensitive, `abbreviations` case-sensitive (`AF`, `MI`).
 *
 * Scope rules (`excludes`), checked per mention in the mention's clause:
 * - negated: `no`, `nil`, `denies`, `negative for`, `without`, `no evidence of`, `ruled out`, ... before
 *   it (a comma list stays negated), or `: none`, `: never`, `was ruled out` after it;
 * - hypothetical: `risks of`, `felt like`, `to prevent`, `signs of`, `if she develops` before it;
 * - allergy: inside an allergies / adverse reactions section or after `allergic to`, or followed by a
 *   reaction (`aspirin (rash)`);
 * - other-person: inside a family history section, after `family history of`, or about another
 *   person (mother, ex-husband, partner, friend, ...) who is the subject of the clause;
 * - past: `former`, `quit`, `history of`, `sober`, `in remission`, `stopped`, `years ago`, ... for
 *   concepts that must hold now (current alcohol abuse, current medication use).
 */

import { WORD_VALUES } from "../../../text/value-mentions.js";
import { type Exclusion, noteContext, wordPattern } from "./text-rules.js";

export interface Concept {
  name: string;
  terms: readonly string[];
  abbreviations?: readonly string[];
  excludes: readonly Exclusion[];
  /** A mention whose next words match this is another thing ("vitamin B12 deficiency", "calcium channel"). */
  notFollowedBy?: RegExp;
  /** Extra check on the matched text (drink counts over the weekly limit). */
  accept?: (matched: string) => boolean;
}

const CONDITION: readonly Exclusion[] = ["negated", "hypothetical", "other-person"];
const CURRENT_CONDITION: readonly Exclusion[] = ["negated", "hypothetical", "other-person", "past"];
const MEDICATION: readonly Exclusion[] = ["negated", "allergy", "other-person", "past"];

// "a drink a day": the article counts as one here, unlike in answer text.
const NUMBER_WORDS: Readonly<Record<string, number>> = { ...WORD_VALUES, a: 1, an: 1 };
const COUNT = String.raw`(?:\d+|${Object.keys(NUMBER_WORDS).join("|")})`;
/** Weekly recommended limit in standard drinks / units (NIAAA for men, UK CMO guidance: 14). */
export const WEEKLY_DRINK_LIMIT = 14;

/** Whether a matched drinking amount ("drinks 4-5 shots every evening") is over the weekly limit. */
function overWeeklyLimit(matched: string): boolean {
  const counts = [...matched.toLowerCase().matchAll(new RegExp(`(?<![\\p{L}])${COUNT}(?![\\p{L}])`, "gu"))]
    .map((match) => NUMBER_WORDS[match[0]] ?? Number(match[0]))
    .filter((count) => Number.isFinite(count));
  if (counts.length === 0) return false;
  const count = Math.max(...counts); // a range "2-3 beers" is read at its upper end
  const weekly = /week|wk/i.test(matched) ? count : /most nights/i.test(matched) ? count * 5 : count * 7;
  return weekly > WEEKLY_DRINK_LIMIT;
}

const DRINK_PERIOD = String.raw`(?:a day|per day|\/ ?day|\/d|daily|nightly|a night|per night|every (?:day|night|evening)|each (?:day|night|evening)|most nights|a week|per week|\/ ?(?:week|wk)|weekly|each week|every week)`;
const DRINK_UNIT = `(?:(?:alcoholic |standard )?(?:beers?|drinks?|beverages?)|glass(?:es)?(?: of wine)?|shots?|units?|cans?|pints?|cocktails?|bottles? of (?:beer|wine)|nips?|schooners?|stubbies)`;
const LANGUAGE = `(?:spanish|portuguese|russian|mandarin|cantonese|chinese|haitian creole|creole|cape verdean|vietnamese|arabic|korean|polish|somali|hindi|farsi|persian|japanese|italian|greek|french|amharic|tagalog|punjabi|urdu|bengali|turkish|hmong|khmer|albanian|nepali|swahili|dari|pashto|tigrinya|karen|burmese)`;

/** The rule table. Row names appear in the baseline's answers. */
export const CONCEPTS = {
  afib: {
    name: "afib",
    terms: ["atrial fibrillation", "atrial flutter", "a[- ]?fib", "a[- ]?flutter", "atrial fib"],
    abbreviations: ["AF", "PAF", "AFL"],
    excludes: CONDITION,
  },
  stroke: {
    name: "stroke",
    terms: [
      "strokes?(?! volume)",
      "cerebrovascular accidents?",
      "transient isch(?:a)?emic attacks?",
      "systemic embol(?:ism|i|us)",
      "cerebral infarct(?:ion)?s?",
    ],
    abbreviations: ["CVAs?", "TIAs?"],
    excludes: CONDITION,
  },
  acuteStroke: {
    name: "acute-stroke",
    terms: [
      "acute (?:ischa?emic |h(?:a)?emorrhagic |embolic )?(?:stroke|CVA|cerebral infarct(?:ion)?)",
      "(?:stroke|CVA) (?:on|this) admission",
      "new (?:ischa?emic )?stroke",
    ],
    excludes: CONDITION,
  },
  heartFailure: {
    name: "heart-failure",
    terms: ["heart failure", "cardiac failure", "cardiomyopath(?:y|ies)"],
    abbreviations: ["CHF", "CCF", "HFrEF", "HFpEF", "HFmrEF"],
    excludes: CONDITION,
  },
  hypertension: {
    name: "hypertension",
    terms: ["(?<!pulmonary |portal |intracranial |ocular )hypertension", "high blood pressure"],
    abbreviations: ["HTN"],
    excludes: CONDITION,
  },
  diabetes: {
    name: "diabetes",
    terms: ["diabetes(?! insipidus)(?: mellitus)?", "diabetic"],
    abbreviations: ["DM[12]?", "DMII", "T[12]DM", "T[12]D", "IDDM", "NIDDM"],
    excludes: CONDITION,
  },
  bleeding: {
    name: "bleeding",
    terms: [
      "bleeds?",
      "bleeding",
      "h(?:a)?emorrhag(?:e|es|ic)",
      "mel(?:a)?ena",
      "h(?:a)?ematochezia",
      "h(?:a)?ematemesis",
      "subdural h(?:a)?ematoma",
    ],
    abbreviations: ["GIB", "UGIB", "LGIB"],
    excludes: CONDITION,
  },
  mitralStenosis: {
    name: "mitral-stenosis",
    terms: ["(?:moderate|severe)(?:[- ]to[- ]severe)? mitral stenosis"],
    excludes: CONDITION,
  },
  mechanicalValve: {
    name: "mechanical-valve",
    terms: ["mechanical (?:mitral |aortic )?(?:valve|prosthe\\w+|MVR|AVR)", "St\\.? Jude (?:valve|AVR|MVR|mechanical)"],
    excludes: CONDITION,
  },
  reversibleAf: {
    name: "reversible-af",
    terms: [
      "thyrotoxicosis",
      "hyperthyroidism",
      "post-?operative (?:atrial fibrillation|afib|AF)",
      "(?:atrial fibrillation|afib|AF) (?:due to|secondary to|in the setting of) (?:thyro\\w*|hyperthyro\\w*|sepsis|surgery|alcohol)",
    ],
    excludes: CONDITION,
  },
  aspirin: {
    name: "aspirin",
    terms: ["aspirin", "acetylsalicylic acid", "ecotrin", "cartia", "astrix", "cardiprin", "solprin", "disprin"],
    abbreviations: ["ASA"],
    excludes: MEDICATION,
  },
  p2y12: {
    name: "p2y12",
    terms: ["clopidogrel", "plavix", "iscover", "ticagrelor", "brilinta", "prasugrel", "effient"],
    excludes: MEDICATION,
  },
  anticoagulant: {
    name: "anticoagulant",
    terms: [
      "warfarin",
      "coumadin",
      "marevan",
      "jantoven",
      "apixaban",
      "eliquis",
      "rivaroxaban",
      "xarelto",
      "dabigatran",
      "pradaxa",
      "edoxaban",
      "savaysa",
      "lixiana",
    ],
    excludes: MEDICATION,
  },
  liverDisease: {
    name: "liver-disease",
    terms: ["cirrhosis", "hepatitis", "liver failure", "hepatic failure", "liver disease"],
    abbreviations: ["NASH", "NAFLD"],
    excludes: CONDITION,
  },
  dialysis: {
    name: "dialysis",
    terms: ["dialysis", "h(?:a)?emodialysis", "end[- ]stage (?:renal|kidney) (?:disease|failure)"],
    abbreviations: ["ESRD", "ESKD"],
    excludes: CONDITION,
  },
  alcoholAbuse: {
    name: "alcohol-abuse",
    terms: [
      "alcohol (?:abuse|dependence|use disorder|misuse|excess|addiction|withdrawal)",
      "alcoholism",
      "alcoholic(?! (?:beverages?|drinks?))",
      "etoh (?:abuse|dependence|use disorder|excess|misuse|withdrawal)",
      "heavy (?:alcohol|drinking|drinker|etoh)(?: use| intake| consumption)?",
      "binge (?:drinking|drinker)",
      "excessive (?:alcohol|etoh|drinking)(?: use| intake| consumption)?",
      "(?:problem|hazardous|harmful) (?:drinking|drinker|alcohol use)",
      "delirium tremens",
      "(?:drinking|alcohol|etoh)[^.;\\n]{0,20}(?:above|over|exceed\\w*|in excess of) (?:the )?(?:safe |recommended |weekly )?limits?",
    ],
    abbreviations: ["AUD"],
    excludes: CURRENT_CONDITION,
  },
  alcoholAmount: {
    name: "alcohol-over-weekly-limit",
    terms: [
      `(?:drinks?|drinking|consumes?|etoh:?|alcohol:?)\\s+(?:about |approximately |approx\\.? |~ ?|roughly |around |up to )?${COUNT}(?:\\s*(?:-|–|to)\\s*${COUNT})?\\s*${DRINK_UNIT}(?:\\s+of\\s+\\p{L}+)?[^.;\\n\\d]{0,15}?${DRINK_PERIOD}`,
      `\\d+\\s*(?:units?|standard drinks)(?: of alcohol)?\\s*(?:\\/|a |per |each )\\s*(?:week|wk|day)`,
    ],
    excludes: CURRENT_CONDITION,
    accept: overWeeklyLimit,
  },
  alcoholVolume: {
    name: "alcohol-heavy-volume",
    terms: [
      "(?:a|one|1|two|2|half a) (?:bottles?|fifths?|pints?|liters?|litres?|six[- ]?packs?|cases?|handles?|casks?) of (?:wine|vodka|whiske?y|liquor|beer|rum|gin|tequila|spirits|bourbon|goon)[^.;\\n]{0,20}?(?:a day|per day|daily|nightly|a night|every (?:day|night|evening))",
      "(?:a )?six[- ]?packs? (?:a|per) day",
    ],
    excludes: CURRENT_CONDITION,
  },
  drugAbuse: {
    name: "drug-abuse",
    terms: [
      "drug (?:abuse|addiction|dependence|use disorder)",
      "substance (?:abuse|use disorder|dependence)",
      "polysubstance(?: abuse| use)?",
      "(?:crack )?cocaine",
      "heroin",
      "(?:iv|intravenous|injection) drug (?:use|user|abuse)",
      "(?:crystal )?meth(?:amphetamines?)?",
      "(?:opioid|opiate|narcotic|benzodiazepine|amphetamine) (?:abuse|use disorder|dependence|addiction)",
      "illicit drugs?(?: use)?",
      "recreational drugs?(?: use)?",
      "street drugs",
      "methadone(?: maintenance| program)?",
      "suboxone",
    ],
    abbreviations: ["IVDU", "IVDA", "PWID", "OUD"],
    excludes: CONDITION,
  },
  abdominalSurgery: {
    name: "abdominal-surgery",
    terms: [
      "appendectomy",
      "appendicectomy",
      "cholecystectomy",
      "(?:hemi|sub-?total |total )?colectomy",
      "laparotomy",
      "ex-?lap",
      "exploratory laparoscopy",
      "gastrectomy",
      "whipple(?: procedure)?",
      "pancreat(?:ic)?oduodenectomy",
      "pancreatectomy",
      "hepatectomy",
      "splenectomy",
      "sigmoidectomy",
      "proctocolectomy",
      "gastric (?:bypass|banding|sleeve)",
      "sleeve gastrectomy",
      "roux-en-y",
      "lap(?:aroscopic)? band",
      "nissen(?: fundoplication)?",
      "fundoplication",
      "abdominal surgery",
      "bowel surgery",
      "lysis of adhesions",
      "ileostomy",
      "colostomy",
      // Resections of an abdominal organ, named either way round ("small bowel resection",
      // "resection of the sigmoid colon"); a lung wedge or prostate resection is not one.
      "(?:small |large )?(?:bowel|intestin(?:e|al)|colon(?:ic)?|sigmoid|rectal|rectosigmoid|ileal|ileocecal|ileocaecal|c(?:a)?ecal|jejunal|duodenal|gastric|hepatic|liver|pancreatic|(?:low )?anterior|abdominoperineal) resections?",
      "resections? of (?:the |his |her |a )?(?:(?:small|large|distal|proximal|terminal|sigmoid|transverse|ascending|descending|right|left) )*(?:bowel|intestines?|colon|ileum|jejunum|duodenum|c(?:a)?ecum|rectum|stomach|liver|pancreas)",
      "(?:small )?bowel obstruction",
    ],
    abbreviations: ["SBO", "LAR", "APR"],
    excludes: CONDITION,
  },
  mi: {
    name: "mi",
    terms: [
      "myocardial infarctions?",
      "heart attacks?",
      "non-?st(?:-| )?elevation (?:mi|myocardial infarction)",
      "n?stemi",
    ],
    abbreviations: ["MIs?", "AMI", "IMI", "NSTEMI", "STEMI"],
    excludes: CONDITION,
  },
  angina: {
    name: "angina",
    terms: ["angina(?: pectoris)?", "anginal"],
    excludes: CURRENT_CONDITION,
  },
  ischemia: {
    name: "ischemia",
    terms: [
      "(?<!limb |bowel |mesenteric |cerebral |critical |digital )isch(?:a)?emia",
      "isch(?:a)?emic(?! (?:stroke|colitis|bowel|attack|cerebr\\w*|limb|foot|toes?|legs?))",
    ],
    excludes: CONDITION,
  },
  ketoacidosis: {
    name: "ketoacidosis",
    terms: ["(?:diabetic )?ketoacidosis"],
    abbreviations: ["DKA"],
    excludes: CONDITION,
  },
  diabetesComplication: {
    name: "diabetes-complication",
    terms: [
      "retinopathy",
      "nephropathy",
      "neuropathy",
      "amputations?",
      "amputee",
      "gastroparesis",
      "(?:diabetic )?foot ulcers?",
      "diabetic ulcers?",
      "charcot (?:foot|joint|arthropathy)",
      "diabetic kidney disease",
      "(?:diabetic )?macular (?:o)?edema",
    ],
    abbreviations: ["BKA"],
    excludes: CONDITION,
  },
  // Supplements other than vitamin D (the n2c2 definition excludes it).
  supplement: {
    name: "supplement",
    terms: [
      "fish oil",
      "omega-?3(?: fatty acids)?",
      "multi-?vitamins?",
      "(?:prenatal )?vitamins(?! D)",
      "calcium(?! channel| score| level)(?: carbonate| citrate)?",
      "caltrate",
      "ferrous (?:sulfate|sulphate|gluconate|fumarate)",
      "iron(?: supplements?| tablets?| sulfate)?",
      "folic acid",
      "folate",
      "magnesium (?:oxide|citrate|chloride|gluconate|supplements?|tablets?)",
      "glucosamine",
      "chondroitin",
      "co-?enzyme q-?10",
      "co-?q-? ?10",
      "vitamin (?:A|B|C|E|K|B1|B2|B3|B6|B12|B complex)",
      "vit\\.? (?:B12|B6|C|E)",
      "cyanocobalamin",
      "thiamine",
      "niacin",
      "zinc(?! oxide)",
      "probiotics?",
      "turmeric",
      "elderberry",
      "melatonin",
      "biotin",
      "saw palmetto",
      "st\\.? john'?s wort",
      "ginkgo(?: biloba)?",
      "flax ?seed(?: oil)?",
    ],
    abbreviations: ["MVI", "CoQ10"],
    excludes: MEDICATION,
    notFollowedBy: /^\s*(?:deficiency|deficient|levels?|studies|panel|overload|saturation|stores)\b/i,
  },
  nonEnglish: {
    name: "non-english",
    terms: [
      "interpreters?",
      "translators?",
      "non-?english(?: speaking| speaker)?",
      "(?:does not|doesn't|do not|cannot|can't) speak english",
      "limited english(?: proficiency)?",
      "no english",
      `${LANGUAGE}[- ](?:speaking|speaker)`,
      `speaks (?:only )?${LANGUAGE}(?! and english)`,
      `${LANGUAGE} only`,
    ],
    abbreviations: ["LEP"],
    // A relative interpreting is still a sign the patient needs one: other people do not exclude.
    excludes: ["negated"],
  },
  englishSpeaker: {
    name: "english-speaker",
    terms: [
      "speaks? (?:fluent )?english",
      "english[- ]speaking",
      "fluent in english",
      "english is (?:his|her|their) (?:first|primary|native) language",
    ],
    excludes: ["negated", "other-person"],
  },
  incapacity: {
    name: "incapacity",
    terms: [
      "dementia",
      "alzheimer'?s(?: disease| dementia)?",
      "not competent",
      "incompetent",
      "lacks? (?:decision[- ]?making )?capacity",
      "lacking (?:decision[- ]?making )?capacity",
      "(?:does not|doesn't) have (?:decision[- ]?making )?capacity",
      "unable to make (?:medical |his own |her own |own |their own )?decisions",
      "incapable of making (?:medical )?decisions",
      "legal guardian",
      "guardianship",
      "(?:HCP|health care proxy|proxy|POA|enduring power of attorney) (?:has been |was |is )?invoked",
    ],
    excludes: CONDITION,
  },
  nitrate: {
    name: "nitrate",
    terms: [
      "nitroglycerine?",
      "isosorbide(?: mononitrate| dinitrate)?",
      "imdur",
      "nitrates?",
      "glyceryl trinitrate",
      "nitro(?:-| )?(?:paste|patch|spray)",
    ],
    abbreviations: ["NTG", "GTN", "ISMN"],
    excludes: MEDICATION,
  },
  betaBlocker: {
    name: "beta-blocker",
    terms: [
      "metoprolol",
      "atenolol",
      "carvedilol",
      "bisoprolol",
      "propranolol",
      "nebivolol",
      "labetalol",
      "toprol",
      "lopressor",
      "coreg",
      "beta[- ]blockers?",
    ],
    excludes: MEDICATION,
  },
  statin: {
    name: "statin",
    terms: [
      "atorvastatin",
      "simvastatin",
      "pravastatin",
      "rosuvastatin",
      "lovastatin",
      "pitavastatin",
      "fluvastatin",
      "lipitor",
      "zocor",
      "crestor",
      "statins?",
    ],
    excludes: MEDICATION,
  },
  ranolazine: { name: "ranolazine", terms: ["ranolazine", "ranexa"], excludes: MEDICATION },
} satisfies Record<string, Concept>;

export type ConceptName = keyof typeof CONCEPTS;

/** Medications counted for ADVANCED-CAD's "two or more medications for CAD". */
export const CAD_MEDICATIONS: readonly ConceptName[] = [
  "aspirin",
  "nitrate",
  "betaBlocker",
  "statin",
  "p2y12",
  "ranolazine",
];

interface Compiled {
  concept: Concept;
  patterns: RegExp[];
}

const COMPILED = new Map<string, Compiled>();
function compiled(concept: Concept): Compiled {
  let entry = COMPILED.get(concept.name);
  if (!entry) {
    const patterns = [wordPattern(concept.terms)];
    if (concept.abbreviations?.length) patterns.push(wordPattern(concept.abbreviations, true));
    entry = { concept, patterns };
    COMPILED.set(concept.name, entry);
  }
  return entry;
}

// Compile every row at load, so a bad pattern fails loudly and at once.
for (const concept of Object.values(CONCEPTS) as Concept[]) compiled(concept);

export interface ConceptResult {
  /** A mention that counts for the patient now. */
  found: boolean;
  /** When not found: why the mentions there were did not count (the first seen), or undefined if none. */
  excluded?: Exclusion;
}

/** Whether `text` mentions the concept in a way that counts for the patient (see the scope rules). */
export function findConcept(text: string, concept: Concept): ConceptResult {
  const { patterns } = compiled(concept);
  const context = noteContext(text);
  let excluded: Exclusion | undefined;
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    for (const match of text.matchAll(pattern)) {
      const start = match.index ?? 0;
      const end = start + match[0].length;
      if (concept.notFollowedBy?.test(text.slice(end, end + 30))) continue;
      if (concept.accept && !concept.accept(match[0])) continue;
      const why = context.exclusion(start, end, concept.excludes);
      if (!why) return { found: true };
      excluded ??= why;
    }
  }
  return { found: false, excluded };
}

/** Every pattern of the table (for tests that check word boundaries). */
export function conceptPatterns(): { name: string; pattern: RegExp }[] {
  return (Object.values(CONCEPTS) as Concept[]).flatMap((concept) =>
    compiled(concept).patterns.map((pattern) => ({ name: concept.name, pattern })),
  );
}
