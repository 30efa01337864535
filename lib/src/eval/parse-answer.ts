/**
 * Turn one model output into an answer: yes/no, a number (with unit, maybe a range), "not answerable", or
 * unparseable with a reason. Built for real output: JSON in code fences, prose around JSON, JSON lists,
 * single quotes, trailing commas, `Yes.`/`TRUE`/`Y`, `N/A`/`unknown`/`cannot be determined`, units, decimal
 * commas, thousands separators, ranges, negative and e-notation numbers. The rules are listed in
 * docs/metrics.md; unparseable answers are returned (and scored as wrong), never dropped.
 */

import { parseLenientJson } from "../text/lenient-json.js";
import { firstNumber } from "../text/number-text.js";
import { readAnswerField } from "./internal/answer-field.js";

/** What the question asks for: decides which readings are allowed ("any" allows all). */
export type ExpectedAnswer = "boolean" | "numeric" | "any";

interface ParsedBase {
  /** The whole output as given. */
  raw: string;
  /** The answer text or JSON value that was interpreted (after unwrapping JSON and fences). */
  answer: string;
  /** Whether the answer came out of a JSON value or from plain text. */
  source: "json" | "text";
}

export type ParsedAnswer =
  | (ParsedBase & { kind: "boolean"; value: boolean })
  | (ParsedBase & { kind: "number"; value: number; unit?: string; range?: [number, number] })
  | (ParsedBase & { kind: "na"; value: null })
  | (ParsedBase & { kind: "unparseable"; value: null; reason: string });

export type AnswerKind = ParsedAnswer["kind"];

const NA_PHRASES = [
  "na",
  "n/a",
  "n.a",
  "n.a.",
  "nan",
  "none",
  "null",
  "nil",
  "unknown",
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
  "unavailable",
  "insufficient information",
  "no information",
  "no data",
];
const NA_EXACT = new Set(NA_PHRASES);
// Phrases that mean "not answerable" wherever they stand in a short answer (never bare "na" or "none").
const NA_ANYWHERE =
  /\b(?:n\/a|not available|not applicable|not answerable|unanswerable|cannot be determined|can't be determined|can not be determined|cannot determine|undetermined|not determined|not mentioned|not documented|not stated|not reported|not specified|not provided|insufficient information|unknown)\b/;
const NA_LEADING = new RegExp(
  `^(?:${NA_PHRASES.filter((phrase) => phrase.length > 3)
    .map((phrase) => phrase.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
    .join("|")})\\b`,
);
const TRUE_WORDS = new Set(["yes", "y", "true"]);
const FALSE_WORDS = new Set(["no", "n", "false"]);
const BOOLEAN_LEADING = /^(yes|no|true|false)\b/;
const ANSWER_IS = /\banswer(?:\s+is\s*:?|\s*[:=])\s*(.+)$/is;
// "Answer:", "Final answer =", "A:" (no "-": "Answer -5" keeps its sign).
const PREFIX = /^(?:(?:final\s+)?answer\s*[:=]|a\s*:)\s*/i;
// An "answer" field in JSON too broken to read (cut off by the token limit, unbalanced quotes).
const ANSWER_FIELD = /["']answer["']\s*:\s*(?:"([^"]*)"|'([^']*)'|([^,}\]\n]+))/i;
const ANSWER_TAG = /<answer>\s*([\s\S]*?)\s*<\/answer>/i;
const ANSWER_KEYS = ["answer", "final_answer", "finalanswer", "value", "result"];
const MAX_JSON_TRIES = 4;

function unparseable(raw: string, answer: string, source: "json" | "text", reason: string): ParsedAnswer {
  return { kind: "unparseable", value: null, raw, answer, source, reason };
}

/** Parse one model output. Never throws; anything it cannot read is `kind: "unparseable"` with a reason. */
export function parseAnswer(text: string, expected: ExpectedAnswer = "any"): ParsedAnswer {
  if (typeof text !== "string") return unparseable(String(text), "", "text", "output is not a string");
  const trimmed = text.trim();
  if (trimmed === "") return unparseable(text, "", "text", "empty output");
  const json = findJson(trimmed);
  if (json.found) return interpretJson(text, json.value, expected, json.isAnswer ? 1 : 0);
  // <answer>...</answer> tags, as some chat models write them.
  if (trimmed.includes("</")) {
    const tagged = ANSWER_TAG.exec(trimmed);
    if (tagged) return interpretText(text, tagged[1], expected, "text");
  }
  const field = ANSWER_FIELD.exec(trimmed);
  if (field) {
    const value = field[1] ?? field[2] ?? field[3];
    return interpretText(text, value, expected, "text");
  }
  return interpretText(text, stripFences(trimmed), expected, "text");
}

/** The content of the first ``` fenced block, or the text itself. */
function stripFences(text: string): string {
  const open = text.indexOf("```");
  if (open < 0) return text;
  const lineEnd = text.indexOf("\n", open);
  const close = text.indexOf("```", open + 3);
  if (close < 0) return text.slice(lineEnd < 0 ? open + 3 : lineEnd + 1).trim();
  // "```json\n...\n```" or an inline "```yes```".
  const bodyStart = lineEnd >= 0 && lineEnd < close ? lineEnd + 1 : open + 3;
  return text.slice(bodyStart, close).trim();
}

/**
 * The first JSON object or list in the text: strict JSON.parse first, the lenient reader if that fails.
 * `isAnswer`: the value is the answer field itself (fast path), not the whole JSON value.
 */
function findJson(text: string): { found: true; value: unknown; isAnswer?: boolean } | { found: false } {
  // Fast path: the whole output is JSON (the usual case with structured output).
  const first = text.charCodeAt(0);
  if (first === 123) {
    const field = readAnswerField(text, 0);
    if (field) return { found: true, value: field.value, isAnswer: true };
  }
  let strictFailedWhole = false;
  if (first === 123 || first === 91) {
    try {
      return { found: true, value: JSON.parse(text) };
    } catch {
      strictFailedWhole = true; // fall through to the scan, which need not try strict parsing again
    }
  }
  let from = 0;
  for (let attempt = 0; attempt < MAX_JSON_TRIES; attempt++) {
    const brace = text.indexOf("{", from);
    const bracket = text.indexOf("[", from);
    const start = brace < 0 ? bracket : bracket < 0 ? brace : Math.min(brace, bracket);
    if (start < 0) break;
    const field = readAnswerField(text, start);
    if (field) return { found: true, value: field.value, isAnswer: true };
    const end = matchingClose(text, start);
    if (end > start) {
      const candidate = text.slice(start, end + 1);
      // A thrown SyntaxError costs microseconds: skip the strict parse already tried on this same text.
      if (!(strictFailedWhole && start === 0 && end === text.length - 1)) {
        try {
          return { found: true, value: JSON.parse(candidate) };
        } catch {
          // try the lenient reader below
        }
      }
      const lenient = parseLenientJson(candidate, 0);
      if (lenient && candidate.slice(lenient.end).trim() === "") return { found: true, value: lenient.value };
    }
    from = start + 1;
  }
  return { found: false };
}

/** Index of the bracket closing the one at `start`, skipping brackets inside quoted strings; -1 if none. */
function matchingClose(text: string, start: number): number {
  let depth = 0;
  let quote = "";
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"' || ch === "'") {
      // An apostrophe inside a bare word ("patient's") does not open a string.
      if (ch === "'" && /[A-Za-z]/.test(text[i - 1] ?? "")) continue;
      quote = ch;
    } else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function describe(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
}

function interpretJson(raw: string, value: unknown, expected: ExpectedAnswer, depth = 0): ParsedAnswer {
  if (depth > 8) return unparseable(raw, describe(value), "json", "JSON nested too deeply");
  if (value === null) return { kind: "na", value: null, raw, answer: "null", source: "json" };
  if (typeof value === "boolean") {
    if (expected === "numeric")
      return unparseable(raw, String(value), "json", "yes/no answer where a number is expected");
    return { kind: "boolean", value, raw, answer: String(value), source: "json" };
  }
  if (typeof value === "number") {
    if (expected === "boolean") return unparseable(raw, String(value), "json", "number where yes/no is expected");
    return { kind: "number", value, raw, answer: String(value), source: "json" };
  }
  if (typeof value === "string") return interpretText(raw, value, expected, "json");
  if (Array.isArray(value)) {
    // A list answers with its first element (models wrap single answers in lists).
    if (value.length === 0) return unparseable(raw, "[]", "json", "empty JSON list");
    return interpretJson(raw, value[0], expected, depth + 1);
  }
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    for (const wanted of ANSWER_KEYS) {
      const key = keys.find((candidate) => candidate.trim().toLowerCase() === wanted);
      if (key !== undefined) return interpretJson(raw, record[key], expected, depth + 1);
    }
    if (keys.length === 1) return interpretJson(raw, record[keys[0]], expected, depth + 1);
    return unparseable(
      raw,
      describe(value),
      "json",
      `JSON object without an "answer" field (keys: ${keys.join(", ")})`,
    );
  }
  return unparseable(raw, describe(value), "json", "JSON value of an unexpected type");
}

/** Trim quotes, markdown emphasis, a leading "Answer:" and trailing punctuation. */
function cleanScalar(text: string): string {
  let out = text.trim();
  // Regular expressions only when an edge character asks for them (most answers need none).
  if (out.length > 1 && (out.charCodeAt(1) === 58 || /^(?:final|answer)/i.test(out))) out = out.replace(PREFIX, "");
  if (NEEDS_TRIM.test(out[0] ?? "") || NEEDS_TRIM.test(out[out.length - 1] ?? "")) {
    out = out.replace(/^[*_`"'\s]+|[*_`"'\s]+$/g, "");
    out = out.replace(/[.!;,:\s]+$/, "");
  }
  return out;
}
const NEEDS_TRIM = /[*_`"'\s.!;,:]/;

function interpretText(raw: string, text: string, expected: ExpectedAnswer, source: "json" | "text"): ParsedAnswer {
  // Most answers are a bare word ("yes", "No", "NA"): look it up before any regular expression runs.
  if (text.length <= 8) {
    const word = text.toLowerCase();
    if (NA_EXACT.has(word)) return { kind: "na", value: null, raw, answer: text, source };
    if (expected !== "numeric") {
      if (TRUE_WORDS.has(word)) return { kind: "boolean", value: true, raw, answer: text, source };
      if (FALSE_WORDS.has(word)) return { kind: "boolean", value: false, raw, answer: text, source };
    }
  }
  const answer = cleanScalar(text);
  const lower = answer.toLowerCase();
  if (lower === "") return unparseable(raw, answer, source, "empty answer");
  if (NA_EXACT.has(lower)) return { kind: "na", value: null, raw, answer, source };
  if (expected !== "numeric") {
    if (TRUE_WORDS.has(lower)) return { kind: "boolean", value: true, raw, answer, source };
    if (FALSE_WORDS.has(lower)) return { kind: "boolean", value: false, raw, answer, source };
  }
  // Phrases and yes/no words start with a letter: answers starting with a digit or sign skip both tests.
  const startsWithLetter = /^[a-z]/.test(lower);
  if (startsWithLetter && NA_LEADING.test(lower)) return { kind: "na", value: null, raw, answer, source };
  const leading = startsWithLetter ? BOOLEAN_LEADING.exec(lower) : null;
  if (leading) {
    if (expected === "numeric") return unparseable(raw, answer, source, "yes/no answer where a number is expected");
    const word = leading[1];
    return { kind: "boolean", value: word === "yes" || word === "true", raw, answer, source };
  }
  // Prose that names its answer ("... so the answer is 7.1") is read from there, before a date or another
  // number earlier in the prose can be taken for it.
  const answerIs = lower.includes("answer") ? ANSWER_IS.exec(answer) : null;
  if (answerIs && answerIs[1].length < answer.length) return interpretText(raw, answerIs[1], expected, source);
  if (expected !== "boolean") {
    const number = firstNumber(answer);
    if (number) {
      const parsed: ParsedAnswer = { kind: "number", value: number.value, raw, answer, source };
      if (number.unit !== undefined) parsed.unit = number.unit;
      if (number.range) parsed.range = number.range;
      return parsed;
    }
  }
  // Short answers that say "not answerable" in other words ("The value is not documented").
  if (answer.length <= 120 && NA_ANYWHERE.test(lower)) return { kind: "na", value: null, raw, answer, source };
  if (expected === "boolean" && firstNumber(answer)) {
    return unparseable(raw, answer, source, "number where yes/no is expected");
  }
  return unparseable(
    raw,
    answer,
    source,
    `no ${expected === "any" ? "answer" : expected === "boolean" ? "yes/no" : "number"} found`,
  );
}
