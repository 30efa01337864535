/**
 * Yes/no and "not answerable" in answer text, from bare words to short prose. The rules (docs/metrics.md,
 * "Reading answer text"):
 * - a conclusion at the end ("... So yes.", "Therefore, no.", "The answer is no") wins over earlier words;
 * - a leading yes/no word ("No, there is no history of stroke") answers;
 * - "not answerable" phrasings (`none`, `not mentioned in the note`, `no information`, `-`, `the note does
 *   not say ...`, `I cannot answer this based on the note`, `insufficient information`, ...);
 * - otherwise a statement: negated where it talks about what the question asks ("The patient does not take
 *   aspirin", "There is no history of ...", "denies ...") is no; affirmative without negation or hedge is
 *   yes; a hedge ("possibly", "may", "likely") or a mix is `unclear_boolean`, never a guess.
 */

// Whole answers (lower case, trimmed, trailing punctuation gone) that mean "not answerable".
export const NA_EXACT = new Set([
  "na",
  "n/a",
  "n.a",
  "n.a.",
  "nan",
  "none",
  "null",
  "nil",
  "unknown",
  "-",
  "--",
  "---",
  "\u2013",
  "\u2014",
  "?",
  "not available",
  "not applicable",
  "not answerable",
  "unanswerable",
  "cannot be determined",
  "can't be determined",
  "can not be determined",
  "cannot determine",
  "undetermined",
  "not determined",
  "not mentioned",
  "not documented",
  "not stated",
  "not reported",
  "not specified",
  "not provided",
  "not known",
  "not recorded",
  "not found",
  "not given",
  "not listed",
  "unavailable",
  "insufficient information",
  "insufficient data",
  "no information",
  "no data",
  "none given",
  "none documented",
  "none reported",
  "none mentioned",
  "none recorded",
  "unclear",
  "not clear",
  "uncertain",
  "indeterminate",
]);

// "Not answerable" leading an answer ("Not mentioned in the note", "None documented.", "No information on ...").
const NA_LEADING =
  /^(?:n\/a|none\b|nil\b|unknown|not (?:available|applicable|answerable|mentioned|documented|stated|reported|specified|provided|recorded|known|found|determined)\b|unanswerable|undetermined|cannot be determined|can't be determined|insufficient (?:information|data)|no (?:information|data|mention|documentation|record)\b)/;

// "Not answerable" anywhere in prose. Passive "not mentioned/documented/..." speaks of the record; "the note
// does not say" only with the record as its subject ("the patient does not mention chest pain" is a no).
const NA_ANYWHERE = new RegExp(
  [
    String.raw`\bn\/a\b`,
    String.raw`\bunknown\b`,
    String.raw`\bunanswerable\b`,
    String.raw`\bnot answerable\b`,
    String.raw`\bnot applicable\b`,
    String.raw`\bundetermined\b`,
    String.raw`\b(?:cannot|can't|can ?not|could not|couldn't|unable to|not possible to|impossible to)\s+(?:be\s+)?(?:determined?|answer(?:ed)?|tell|assess(?:ed)?|say|know|confirm(?:ed)?|establish(?:ed)?|infer(?:red)?|find|found)\b`,
    String.raw`\b(?:do not|don't)\s+know\b`,
    String.raw`\bnot\s+(?:explicitly\s+|specifically\s+|clearly\s+|directly\s+)?(?:mentioned|documented|stated|reported|specified|provided|recorded|available|determined)\b`,
    String.raw`\b(?:note|notes|record|records|chart|document|documentation|text|summary|report|it)\s+(?:does|did|do)\s*(?:n't|not)\s+(?:explicitly\s+|specifically\s+|clearly\s+|directly\s+)?(?:say|mention|state|specify|report|document|include|provide|give|indicate|contain|record|describe|discuss|address)`,
    String.raw`\bno\s+(?:information|data|mention|documentation|details?)\b`,
    String.raw`\b(?:insufficient|not enough|inadequate)\s+(?:information|data|evidence|detail|documentation)\b`,
    String.raw`\bnot (?:found|present|available|included) in the (?:note|record|text|chart)`,
    String.raw`\b(?:unclear|not clear|uncertain)\s+(?:from|based on|in|per|according to)\s+(?:the\s+)?(?:note|notes|record|records|chart|documentation|text|summary)`,
  ].join("|"),
);
// For a number: "not measured/checked/done" also means there is no value to give. (For yes/no questions
// "was it measured?" -> "not measured" is a no, so this is numeric only.)
const NA_NUMERIC =
  /\bnot\s+(?:measured|checked|tested|obtained|performed|done|drawn|assessed|calculated|quantified)\b|\bno\s+(?:[\p{L}-]+\s+){0,4}(?:is|are|was|were|has been|have been)\s+(?:documented|reported|recorded|mentioned|available|measured|checked|listed|found)\b/u;

/** Whether the whole (cleaned, lower-cased) answer, or its opening, says "not answerable". */
export function naLeading(lower: string): boolean {
  return NA_EXACT.has(lower) || NA_LEADING.test(lower);
}

/** Whether prose says "not answerable" anywhere. */
export function naAnywhere(lower: string, numeric: boolean): boolean {
  return NA_ANYWHERE.test(lower) || (numeric && NA_NUMERIC.test(lower));
}

export type BooleanReading =
  | { value: boolean; how: "word" | "conclusion" | "leading" | "statement" }
  | { problem: "conflicting" | "unclear_boolean"; detail: string };

const CONCLUSION =
  /^(?:(?:so|therefore|thus|hence|overall|in conclusion|in summary|in short|consequently|accordingly|final answer|answer)\b[\s,:]*)*(?:the\s+(?:final\s+)?answer\s+(?:is|would be)\s*:?\s*)?\**(yes|no)\**$/;
const LEADING = /^(yes|no|true|false)\b/;
const BOTH = /^(?:yes|no)\s*(?:\/|\bor\b|\band\b)\s*(?:yes|no)\b/;
const NEGATION =
  /\b(?:not|no|never|none|denies|denied|denying|without|negative|nil|absent|free of|ruled out|neither|nor|non-?smoker|non-?drinker|abstains|abstinent|teetotal)\b|n't\b/;
const HEDGE =
  /\b(?:may|might|possibly|possible|probably|probable|likely|unlikely|unclear|uncertain|suspected|suspect|suggests?|suggestive|query|questionable|could|perhaps|presumably|appears?|seems?|borderline)\b|\?/;
// A statement about the patient: "The patient ...", "He ...", "There is no ...", "Denies ...", "No ...".
const SUBJECT_START =
  /^(?:(?:the\s+)?(?:patient|pt)\b|(?:he|she|they)\b|there\s+(?:is|are|was|were|has been|have been)\b|(?:denies|denied|never|negative|has|had|is|was|does|did|no|not)\b)/;
const CLAUSES = /[.;\n]+|,\s*(?:but|however|although|though|whereas)\b|\s+(?:but|however|although|whereas)\s+/;
// After the asked-about term: "aspirin was not ...", "aspirin: none", "alcohol - denied".
const NEGATED_AFTER =
  /^[\p{L}-]*\s*(?:(?:(?:is|was|are|were|has been|have been|had been)\s+)?(?:not|never|denied|absent|negative)\b|[:=-]\s*(?:no|none|negative|nil|absent|denied)\b)/u;

/** The last sentence of `lower` (trailing punctuation and markdown removed). */
function lastSentence(lower: string): string {
  const body = lower.replace(/[\s.!*_]+$/, "");
  let cut = -1;
  for (const mark of [". ", "! ", "? ", "; ", "\n", ": "]) cut = Math.max(cut, body.lastIndexOf(mark));
  return body.slice(cut + 1).trim();
}

/** A yes/no conclusion closing prose ("... So yes."), or a leading yes/no word. */
export function booleanWords(lower: string): BooleanReading | undefined {
  if (BOTH.test(lower)) return { problem: "conflicting", detail: "both yes and no" };
  const last = lastSentence(lower);
  if (last.length < lower.length) {
    const concluded = CONCLUSION.exec(last);
    if (concluded) return { value: concluded[1] === "yes", how: "conclusion" };
  }
  const leading = LEADING.exec(lower);
  if (leading) return { value: leading[1] === "yes" || leading[1] === "true", how: "leading" };
  return undefined;
}

/**
 * Yes/no from a statement, judged where it speaks of the question's terms (`keys`: word stems from the
 * question). Undefined when the text is no statement at all.
 */
export function booleanStatement(lower: string, keys: readonly string[]): BooleanReading {
  if (HEDGE.test(lower)) return { problem: "unclear_boolean", detail: "hedged statement" };
  const clauses = lower
    .split(CLAUSES)
    .map((clause) => (clause ?? "").trim())
    .filter((clause) => clause !== "");
  let relevant = keys.length > 0 ? clauses.filter((clause) => keys.some((key) => keyIndex(clause, key) >= 0)) : [];
  // Without the question's words, only a single negated clause is judged ("The patient does not take aspirin").
  if (keys.length === 0 && clauses.length === 1) relevant = clauses;
  if (relevant.length === 0) return { problem: "unclear_boolean", detail: "no statement about what is asked" };
  const verdicts = relevant.map((clause) => clauseVerdict(clause, keys));
  if (verdicts.every((verdict) => verdict === false)) return { value: false, how: "statement" };
  if (verdicts.every((verdict) => verdict === true)) return { value: true, how: "statement" };
  return {
    problem: verdicts.includes(true) && verdicts.includes(false) ? "conflicting" : "unclear_boolean",
    detail: "statement is neither clearly yes nor clearly no",
  };
}

/**
 * Where a key stem starts a word in the clause ("diabe" in "diabetes", not in "prediabetes"; "smoke" in
 * "nonsmoker" counts, the prefix negating it), or -1.
 */
function keyIndex(clause: string, key: string): number {
  for (let at = clause.indexOf(key); at >= 0; at = clause.indexOf(key, at + 1)) {
    let wordStart = at;
    while (wordStart > 0 && /[\p{L}-]/u.test(clause[wordStart - 1])) wordStart--;
    const prefix = clause.slice(wordStart, at);
    if (prefix === "" || prefix === "non" || prefix === "non-") return at;
  }
  return -1;
}

function clauseVerdict(clause: string, keys: readonly string[]): boolean | undefined {
  let at = -1;
  for (const key of keys) {
    const index = keyIndex(clause, key);
    if (index >= 0 && (at < 0 || index < at)) at = index;
  }
  if (at >= 0) {
    // Back to the start of the word holding the key.
    const keyAt = at;
    while (at > 0 && /[\p{L}-]/u.test(clause[at - 1])) at--;
    // "nonsmoker" for "smoke?": the word holding the key is itself negated.
    const negatedWord = keyAt > at && /^non-?/.test(clause.slice(at, keyAt));
    if (negatedWord || NEGATION.test(clause.slice(0, at)) || NEGATED_AFTER.test(clause.slice(at))) return false;
    return true;
  }
  // Not about the question's terms (or no question): a negated statement about the patient is a no; an
  // affirmative one says nothing clear ("The patient is doing well").
  return NEGATION.test(clause) && SUBJECT_START.test(clause) ? false : undefined;
}

const STOP_WORDS = new Set(
  (
    "patient patients does have having ever currently current been with there what which were that this from " +
    "into their they them than then when where while during before after about taking take takes took history " +
    "evidence documented record note notes recorded mentioned past month months year years days week weeks most " +
    "recent date time least more other such meaning including excluding either both each some also being should " +
    "would could make makes made diagnosed diagnosis prior known used using show shows showed value values level " +
    "highest lowest recorded treated treatment given whether received receive currently ongoing still present " +
    "any admission discharge hospital stay visit above below than over under within " +
    // Verbs a question wraps its subject in: "speaks Spanish" says nothing about "speak English?".
    "speak speaks speaking uses undergo underwent experience experienced " +
    "require required need needs report reports reported receiving required"
  ).split(" "),
);

/** Word stems (first five letters) of the question's content words, for `booleanStatement`. */
export function questionKeys(question: string): string[] {
  const keys = new Set<string>();
  // Content words of four letters or more, and abbreviations the question capitalises (DVT, CAD, AF).
  for (const word of question.match(/\p{L}[\p{L}-]{3,}|\b\p{Lu}{2,3}\b/gu) ?? []) {
    const lower = word.toLowerCase();
    if (!STOP_WORDS.has(lower)) keys.add(lower.slice(0, 5));
  }
  return [...keys];
}
