/**
 * The one reader of answer text. Step b reads teacher answers with it (training targets) and the
 * evaluation reads model outputs with it (scored answers), so the same text is the same answer in both.
 * It reads yes/no, "not answerable", and values (numbers with units, approximations, ranges, lists,
 * number words, dates left out, lab units converted). Which value a question takes from several is
 * decided by the question text; without a rule, several distinct values is `ambiguous_values`, never a
 * guess. Every outcome that is not a clean answer is a named problem. Rules: docs/metrics.md.
 */
import { answerUnitTarget, type QuestionContext, questionContext } from "./answer-question.js";
import { booleanStatement, booleanWords, NA_EXACT, naAnywhere, naLeading } from "./answer-words.js";
import { type Analyte, analyteOf, convertLabUnit, isLabUnit, unitFromMagnitude, unitKey } from "./lab-units.js";
import { isTimeUnit } from "./units.js";
import { scanValues, type ValueMention } from "./value-mentions.js";

export type { ValueRule } from "./answer-question.js";

/** What the question asks for: decides which readings are allowed ("any" allows all). */
export type AnswerExpect = "boolean" | "numeric" | "any";

/** What the reader knows about the question: its text decides the value rule, the analyte and the unit. */
export interface AnswerContext {
  question?: string;
}

/** Why an answer is not a clean one. Each is counted by name wherever answers are read. */
export type AnswerProblem =
  | "empty"
  | "no_answer"
  | "ambiguous_values"
  | "date_only"
  | "unknown_unit"
  | "conflicting"
  | "unclear_boolean"
  | "boolean_for_number"
  | "number_for_boolean"
  | "ratio"
  | "truncated_json"
  | "no_answer_field"
  | "bad_json";

export const ANSWER_PROBLEMS: readonly AnswerProblem[] = [
  "empty",
  "no_answer",
  "ambiguous_values",
  "date_only",
  "unknown_unit",
  "conflicting",
  "unclear_boolean",
  "boolean_for_number",
  "number_for_boolean",
  "ratio",
  "truncated_json",
  "no_answer_field",
  "bad_json",
];

export interface NumberReading {
  kind: "number";
  value: number;
  unit?: string;
  /** A range given for one value, kept as a range (the question named no max/min rule). */
  range?: [number, number];
  /** "approximately 8", "~0.9": the value is kept and flagged. */
  approximate?: true;
  /** The value as written, when it was converted to the question's unit. */
  converted?: { value: number; unit: string };
  /** The question's rule that chose this value from several ("highest" -> max). */
  picked?: "max" | "min" | "first" | "last";
}

export type AnswerReading =
  | { kind: "boolean"; value: boolean }
  | { kind: "na" }
  | NumberReading
  | { kind: "problem"; problem: AnswerProblem; detail: string };

const problem = (kind: AnswerProblem, detail: string): AnswerReading => ({ kind: "problem", problem: kind, detail });

const TRUE_WORDS = new Set(["yes", "y", "true"]);
const FALSE_WORDS = new Set(["no", "n", "false"]);
// "Answer:", "Final answer =", "A:" (no "-": "Answer -5" keeps its sign).
const PREFIX = /^(?:(?:final\s+)?answer\s*[:=]|a\s*:)\s*/i;
const ANSWER_IS = /\banswer(?:\s+(?:is|would be)\s*:?|\s*[:=])\s*(.+)$/is;
const EXPLANATION_AFTER =
  /\n\s*\n|\n?\s*\**\s*(?:explanation|reason(?:ing)?|rationale|evidence|justification)\s*\**\s*:/i;
const NEEDS_TRIM = /[*_`"'\s.!;,:]/;
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;

/** Trim quotes, markdown emphasis, a leading "Answer:" and trailing punctuation. */
export function cleanAnswerText(text: string): string {
  let out = text.trim();
  if (out.length > 1 && (out.charCodeAt(1) === 58 || /^(?:final|answer)/i.test(out))) out = out.replace(PREFIX, "");
  if (NEEDS_TRIM.test(out[0] ?? "") || NEEDS_TRIM.test(out[out.length - 1] ?? "")) {
    out = out.replace(/^[*_`"'\s]+|[*_`"'\s]+$/g, "");
    out = out.replace(/[.!;,:\s]+$/, "");
  }
  return out;
}

/** Read one answer given as a JSON value (number, boolean, null, string, or a list of them). */
export function readAnswerValue(value: unknown, expected: AnswerExpect, context: AnswerContext = {}): AnswerReading {
  if (value === null) return { kind: "na" };
  if (typeof value === "boolean") {
    if (expected === "numeric") return problem("boolean_for_number", "yes/no answer where a number is expected");
    return { kind: "boolean", value };
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return problem("no_answer", "non-finite number");
    if (expected === "boolean") return problem("number_for_boolean", "number where yes/no is expected");
    return numberValue(value, context);
  }
  if (typeof value === "string") return readAnswerText(value, expected, context);
  if (Array.isArray(value)) {
    // A list of scalars is a list of answers: one element answers; several are read as a written list.
    if (value.length === 0) return problem("no_answer", "empty list");
    if (value.every((item) => item === null || ["string", "number", "boolean"].includes(typeof item))) {
      if (value.length === 1) return readAnswerValue(value[0], expected, context);
      return readAnswerText(value.map((item) => String(item)).join(", "), expected, context);
    }
  }
  return problem("no_answer", `answer is ${Array.isArray(value) ? "a list" : typeof value}`);
}

/** A bare number (JSON, or text that is only digits): the question's unit applies, as for any unitless value. */
function numberValue(value: number, context: AnswerContext): AnswerReading {
  const question = context.question ? questionContext(context.question) : undefined;
  if (!question?.analyte) return { kind: "number", value };
  const mention: ValueMention = { value, approximate: false, ordinal: false, start: 0, end: 0 };
  const converted = toQuestionUnit(mention, question);
  return converted.ok ? single(converted.mention, question) : problem("unknown_unit", converted.detail);
}

/** Read one answer written as text. Never throws. */
export function readAnswerText(text: string, expected: AnswerExpect, context: AnswerContext = {}): AnswerReading {
  // Most answers are a bare word ("yes", "No", "NA") or a plain number: no regular expression for those.
  if (text.length <= 8) {
    const word = text.toLowerCase();
    if (NA_EXACT.has(word)) return { kind: "na" };
    if (expected !== "numeric") {
      if (TRUE_WORDS.has(word)) return { kind: "boolean", value: true };
      if (FALSE_WORDS.has(word)) return { kind: "boolean", value: false };
    }
    if (PLAIN_NUMBER.test(text)) {
      if (expected === "boolean") return problem("number_for_boolean", "number where yes/no is expected");
      return numberValue(Number(text), context);
    }
  }
  const answer = cleanAnswerText(text);
  const lower = answer.toLowerCase();
  if (lower === "") return problem("empty", "empty answer");
  if (NA_EXACT.has(lower)) return { kind: "na" };
  if (expected !== "numeric") {
    if (TRUE_WORDS.has(lower)) return { kind: "boolean", value: true };
    if (FALSE_WORDS.has(lower)) return { kind: "boolean", value: false };
  }
  // Prose that names its answer ("... so the answer is 7.1") is read from there.
  const answerIs = lower.includes("answer") ? ANSWER_IS.exec(answer) : null;
  if (answerIs && answerIs[1].length < answer.length) {
    // "Answer: 2\nExplanation: ... on 1/3 and 1/5": the explanation after the answer is not read.
    const named = answerIs[1].split(EXPLANATION_AFTER)[0];
    return readAnswerText(named.trim() === "" ? answerIs[1] : named, expected, context);
  }
  const startsWithLetter = /^[a-z]/.test(lower);
  const question = context.question ? questionContext(context.question) : undefined;
  if (expected === "boolean") return readBoolean(lower, startsWithLetter, question);
  if (startsWithLetter && naLeading(lower)) return { kind: "na" };
  const words = startsWithLetter ? booleanWords(lower) : undefined;
  const values = readValues(answer, question);
  if (values) {
    // "any": a yes/no word leading the answer wins over a number later in it ("Yes, twice").
    if (expected === "any" && words && "value" in words && words.how === "leading") {
      return { kind: "boolean", value: words.value };
    }
    return values;
  }
  if (naAnywhere(lower, expected === "numeric")) return { kind: "na" };
  if (words && "value" in words) {
    if (expected === "numeric") return problem("boolean_for_number", "yes/no answer where a number is expected");
    return { kind: "boolean", value: words.value };
  }
  const dates = scanValues(answer);
  if (dates.dates > 0) return problem("date_only", "only a date or time, no value");
  if (expected === "any" && startsWithLetter) {
    const statement = booleanStatement(lower, question?.keys ?? []);
    if ("value" in statement) return { kind: "boolean", value: statement.value };
  }
  return problem("no_answer", `no ${expected === "any" ? "answer" : "number"} found`);
}

function readBoolean(lower: string, startsWithLetter: boolean, question: QuestionContext | undefined): AnswerReading {
  const words = startsWithLetter ? booleanWords(lower) : undefined;
  if (words && !("value" in words)) return problem(words.problem, words.detail);
  // A conclusion wins over everything before it; "No information" is NA although it starts with "no".
  if (words?.how === "conclusion") return { kind: "boolean", value: words.value };
  if (startsWithLetter && naLeading(lower)) return { kind: "na" };
  if (words) return { kind: "boolean", value: words.value };
  if (naAnywhere(lower, false)) return { kind: "na" };
  if (!startsWithLetter && scanValues(lower).mentions.length > 0) {
    return problem("number_for_boolean", "number where yes/no is expected");
  }
  const statement = booleanStatement(lower, question?.keys ?? []);
  if ("value" in statement) return { kind: "boolean", value: statement.value };
  return problem(statement.problem, `no yes/no found (${statement.detail})`);
}

type Converted =
  | { ok: true; mention: ValueMention & { from?: { value: number; unit: string } } }
  | { ok: false; detail: string };

/** A mention in the question's unit: lab units converted, a unitless value given the question's unit. */
function toQuestionUnit(mention: ValueMention, question: QuestionContext): Converted {
  const analyte = question.analyte as Analyte;
  const target = answerUnitTarget(question);
  let unit = mention.unit;
  if (unit === undefined) {
    // Unitless: the question's unit, unless the size is impossible in it (creatinine 120 is µmol/L).
    // Glucose below 35 is possible in mg/dL, so a unit the question names is trusted for glucose.
    const implied = question.unitNamed && analyte === "glucose" ? undefined : unitFromMagnitude(analyte, mention.value);
    if (implied === undefined || unitKey(target) !== unitKey(question.canonicalUnit)) {
      return { ok: true, mention: { ...mention, unit: target } };
    }
    unit = implied;
  }
  const written = unit;
  if (!isLabUnit(analyte, written))
    return { ok: false, detail: `unit "${written}" is not one ${analyte} is written in` };
  const value = convertLabUnit(analyte, mention.value, written, target) as number;
  const range = mention.range?.map((end) => convertLabUnit(analyte, end, written, target) as number) as
    | [number, number]
    | undefined;
  const out: ValueMention & { from?: { value: number; unit: string } } = { ...mention, value, unit: target };
  if (range) out.range = range;
  if (unitKey(unit) !== unitKey(target)) out.from = { value: mention.value, unit };
  return { ok: true, mention: out };
}

/** The values in the text, reduced to the question's answer; undefined when the text holds none. */
function readValues(answer: string, question: QuestionContext | undefined): AnswerReading | undefined {
  const scan = scanValues(answer);
  let mentions = scan.mentions;
  // "Systolic"/"diastolic" asks for one part of the blood pressures written ("BP 124/80, HR 64").
  const part = question?.ratioPart;
  if (part && scan.ratios.length > 0) {
    const parts = scan.ratios.map((ratio, i): ValueMention => {
      const value = part === "first" ? ratio.first : ratio.second;
      return { value, approximate: false, ordinal: false, start: i, end: i };
    });
    return parts.length === 1 ? single(parts[0], question) : several(parts, question);
  }
  if (mentions.length === 0) {
    if (scan.ratios.length === 0) return undefined;
    const ratio = scan.ratios[0];
    return problem("ratio", `a ratio (${ratio.first}/${ratio.second}), not one value`);
  }
  // One value and no question (the common case in benchmarks and plain outputs): nothing to choose.
  if (mentions.length === 1 && !question) return single(mentions[0], question);
  // Labels ("day 3", "type 2"), reference ranges ("ref 0.6-1.2"), values of another lab named before them
  // ("Sodium 128, potassium 4.1" for a sodium question) and durations ("3 days after") give way to the
  // values beside them.
  mentions = keepIfAny(mentions, (mention) => !mention.ordinal && !mention.reference);
  if (question) {
    const listed = mentions;
    mentions = keepIfAny(listed, (_mention, i) => !namesOtherLab(answer, listed, i, question));
  }
  if (!question?.wantsTime && mentions.some((mention) => !mention.unit || !isTimeUnit(mention.unit))) {
    mentions = mentions.filter((mention) => !mention.unit || !isTimeUnit(mention.unit));
  }
  let converted: (ValueMention & { from?: { value: number; unit: string } })[] = mentions;
  if (question?.analyte) {
    const kept: typeof converted = [];
    const foreign: string[] = [];
    for (const mention of mentions) {
      const result = toQuestionUnit(mention, question);
      if (result.ok) kept.push(result.mention);
      else foreign.push(mention.unit ?? "");
    }
    if (kept.length === 0)
      return problem(
        "unknown_unit",
        `unit ${foreign.map((unit) => `"${unit}"`).join(", ")} is not one ${question.analyte} is written in`,
      );
    converted = kept;
  } else if (question?.unit) {
    const key = unitKey(question.unit);
    const matching = converted.filter((mention) => !mention.unit || unitKey(mention.unit) === key);
    if (matching.length > 0) converted = matching;
  }
  const merged = mergeRestatements(answer, converted, question);
  if (!Array.isArray(merged)) return merged;
  if (merged.length === 1) return single(merged[0], question);
  return several(merged, question);
}

/** The mentions that pass `keep`, or all of them when none would. */
function keepIfAny(mentions: ValueMention[], keep: (mention: ValueMention, index: number) => boolean): ValueMention[] {
  const kept = mentions.filter(keep);
  return kept.length > 0 ? kept : mentions;
}

// Lab and vital-sign names that label the value after them in a list of results.
const LAB_NAME =
  /\b(?:sodium|na|potassium|k|chloride|cl|bicarb(?:onate)?|hco3|co2|bun|urea|creatinine|cr|creat|glucose|glu|bsl|hemoglobin|haemoglobin|hgb|hb|hematocrit|hct|wbc|white (?:blood )?(?:cell )?count|platelets?|plt|inr|pt|ptt|ast|alt|alp|alk phos|bilirubin|bili|albumin|alb|troponin|trop|bnp|a1c|hba1c|ldl|hdl|cholesterol|triglycerides|tsh|egfr|gfr|magnesium|mg|calcium|ca|phosph(?:ate|orus)|lactate|ferritin|bp|blood pressure|hr|heart rate|pulse|rr|respiratory rate|temp|temperature|spo2|o2 sat|sats?|weight|wt|bmi|height|lvef|ef|ejection fraction)\b/gi;

/** Whether the text just before mention `i` names a lab the question does not ask about. */
function namesOtherLab(answer: string, mentions: ValueMention[], i: number, question: QuestionContext): boolean {
  const segment = answer.slice(i > 0 ? mentions[i - 1].end : 0, mentions[i].start).toLowerCase();
  let last: string | undefined;
  LAB_NAME.lastIndex = 0;
  for (let match = LAB_NAME.exec(segment); match; match = LAB_NAME.exec(segment)) last = match[0];
  if (last === undefined) return false;
  return !question.lower.includes(last) && !(question.analyte && analyteOf(last) === question.analyte);
}

/**
 * "58 mmol/mol (7.5%)", "1.2 mg/dL (106 µmol/L)", "7.2 mmol/L = 130 mg/dL": one quantity in two units is
 * one value (the one in the question's unit). Two units that disagree by more than 5% are `conflicting`.
 */
function mergeRestatements(
  answer: string,
  mentions: (ValueMention & { from?: { value: number; unit: string } })[],
  question: QuestionContext | undefined,
): (ValueMention & { from?: { value: number; unit: string } })[] | AnswerReading {
  if (mentions.length < 2) return mentions;
  const out = [mentions[0]];
  for (let i = 1; i < mentions.length; i++) {
    const previous = out[out.length - 1];
    const current = mentions[i];
    const between = answer.slice(previous.end, current.start);
    if (/^\s*(?:\(|\[|=|\/|,|or|i\.e\.,?|which is)\s*$/i.test(between)) {
      const same = sameQuantity(previous, current, question);
      if (same === "conflicting") {
        return problem("conflicting", `${describe(previous)} and ${describe(current)} are not the same value`);
      }
      if (same) {
        // Keep the one written in the question's unit (not converted), else the first.
        if (previous.from && !current.from) out[out.length - 1] = current;
        continue;
      }
    }
    out.push(current);
  }
  return out;
}

function describe(mention: ValueMention & { from?: { value: number; unit: string } }): string {
  const written = mention.from ?? { value: mention.value, unit: mention.unit ?? "" };
  return `${written.value}${written.unit ? ` ${written.unit}` : ""}`;
}

function sameQuantity(
  a: ValueMention & { from?: { value: number; unit: string } },
  b: ValueMention & { from?: { value: number; unit: string } },
  question: QuestionContext | undefined,
): boolean | "conflicting" {
  const unitA = a.from?.unit ?? a.unit;
  const unitB = b.from?.unit ?? b.unit;
  if (!unitA || !unitB || unitKey(unitA) === unitKey(unitB)) return false;
  const close = (x: number, y: number) => Math.abs(x - y) <= 0.05 * Math.max(Math.abs(x), Math.abs(y));
  if (question?.analyte) return close(a.value, b.value) ? true : "conflicting";
  // No analyte from the question: the pair of units may name one ("mmol/mol" and "%" is HbA1c).
  for (const analyte of ["hba1c", "creatinine", "glucose"] as const) {
    if (!isLabUnit(analyte, unitA) || !isLabUnit(analyte, unitB)) continue;
    const inA = convertLabUnit(analyte, b.value, unitB, unitA) as number;
    if (close(a.value, inA)) return true;
  }
  return false;
}

function single(
  mention: ValueMention & { from?: { value: number; unit: string } },
  question: QuestionContext | undefined,
  picked?: NumberReading["picked"],
): NumberReading {
  const reading: NumberReading = { kind: "number", value: mention.value };
  if (mention.unit !== undefined) reading.unit = mention.unit;
  if (mention.range) {
    // A range for "the highest value" answers with its upper end, for "the lowest" with its lower end.
    const rule = question?.rule;
    if (rule === "max" || rule === "min") {
      reading.value = rule === "max" ? mention.range[1] : mention.range[0];
      reading.picked = rule;
    } else reading.range = mention.range;
  }
  if (mention.approximate) reading.approximate = true;
  if (mention.from) reading.converted = mention.from;
  if (picked) reading.picked = picked;
  return reading;
}

function several(
  all: (ValueMention & { from?: { value: number; unit: string } })[],
  question: QuestionContext | undefined,
): AnswerReading {
  let mentions = all;
  const rule = question?.rule;
  // A value given for comparison ("1.2, up from a baseline of 0.9") came earlier in time: it answers
  // "first"/"baseline", and gives way to the current value otherwise.
  const earlier = mentions.filter((mention) => mention.earlier);
  const current = mentions.filter((mention) => !mention.earlier);
  if (rule === "first") return single(earlier[0] ?? mentions[0], question, "first");
  if (rule !== "max" && rule !== "min" && earlier.length > 0 && current.length > 0) mentions = current;
  if (mentions.length === 1) return single(mentions[0], question, rule);
  if (rule === "last") return single(mentions[mentions.length - 1], question, "last");
  if (rule === "max" || rule === "min") {
    let best = mentions[0];
    const end = (mention: ValueMention) =>
      mention.range ? (rule === "max" ? mention.range[1] : mention.range[0]) : mention.value;
    for (const mention of mentions) {
      if (rule === "max" ? end(mention) > end(best) : end(mention) < end(best)) best = mention;
    }
    const reading = single(best, question, rule);
    reading.value = end(best);
    delete reading.range;
    return reading;
  }
  const distinct = new Set(mentions.map((mention) => `${mention.range ? mention.range.join("-") : mention.value}`));
  if (distinct.size === 1) return single(mentions[0], question);
  return problem(
    "ambiguous_values",
    `several values (${mentions.map(describe).join(", ")}) and the question names no rule (highest, first, most recent, ...)`,
  );
}
