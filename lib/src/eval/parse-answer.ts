/**
 * Turn one model output into an answer: yes/no, a number (with unit, maybe a range), "not answerable", or
 * unparseable with a named reason. This file finds the answer in the output (JSON in code fences, prose
 * around JSON, JSON lists, single quotes, trailing commas, a later JSON answer correcting an earlier one,
 * JSON cut off by the token limit, `<answer>` tags); the answer text itself is read by the reader step b
 * also uses (lib/src/text/answer-text.ts), so a training target and a scored answer read alike. The rules
 * are listed in docs/metrics.md; unparseable answers are returned (and scored as wrong), never dropped.
 */

import {
  type AnswerContext,
  type AnswerProblem,
  type AnswerReading,
  cleanAnswerText,
  type NumberReading,
  readAnswerText,
  readAnswerValue,
} from "../text/answer-text.js";
import { parseLenientJson } from "../text/lenient-json.js";
import { readAnswerField } from "./internal/answer-field.js";

/** What the question asks for: decides which readings are allowed ("any" allows all). */
export type ExpectedAnswer = "boolean" | "numeric" | "any";

/** What the parser knows about the question (its text decides the value rule, the lab and its unit). */
export type ParseContext = AnswerContext;

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
  | (ParsedBase & Omit<NumberReading, "kind"> & { kind: "number" })
  | (ParsedBase & { kind: "na"; value: null })
  | (ParsedBase & { kind: "unparseable"; value: null; code: AnswerProblem; reason: string });

export type AnswerKind = ParsedAnswer["kind"];

const ANSWER_FIELD = /["']answer["']\s*:\s*(?:"([^"]*)"|'([^']*)'|([^,}\]\n"']+))/i;
// An "answer" field whose value the token limit cut off: `{"answer": "1.` is not the number 1.
const CUT_ANSWER = /["']answer["']\s*:\s*(?:"[^"]*|'[^']*|[^,}\]\s"']*)\s*$/i;
const ANSWER_TAG = /<answer>\s*([\s\S]*?)\s*<\/answer>/i;
const ANSWER_KEYS = ["answer", "final_answer", "finalanswer", "value", "result"];
const MAX_JSON_TRIES = 4;

function unparseable(
  raw: string,
  answer: string,
  source: "json" | "text",
  code: AnswerProblem,
  detail: string,
): ParsedAnswer {
  return { kind: "unparseable", value: null, raw, answer, source, code, reason: `${code}: ${detail}` };
}

function fromReading(raw: string, answer: string, source: "json" | "text", reading: AnswerReading): ParsedAnswer {
  switch (reading.kind) {
    case "boolean":
      return { kind: "boolean", value: reading.value, raw, answer, source };
    case "na":
      return { kind: "na", value: null, raw, answer, source };
    case "number": {
      // Built field by field: an object spread here cost more than the whole fast path.
      const parsed: ParsedAnswer = { kind: "number", value: reading.value, raw, answer, source };
      if (reading.unit !== undefined) parsed.unit = reading.unit;
      if (reading.range !== undefined) parsed.range = reading.range;
      if (reading.approximate) parsed.approximate = true;
      if (reading.converted !== undefined) parsed.converted = reading.converted;
      if (reading.picked !== undefined) parsed.picked = reading.picked;
      return parsed;
    }
    default:
      return unparseable(raw, answer, source, reading.problem, reading.detail);
  }
}

/**
 * Parse one model output. `context.question` (the item's question text) lets the question decide which of
 * several values counts ("highest" -> max) and which unit a lab value is converted to. Never throws;
 * anything it cannot read is `kind: "unparseable"` with a named `code` and a `reason`.
 */
export function parseAnswer(text: string, expected: ExpectedAnswer = "any", context: ParseContext = {}): ParsedAnswer {
  if (typeof text !== "string") return unparseable(String(text), "", "text", "empty", "output is not a string");
  const trimmed = text.trim();
  if (trimmed === "") return unparseable(text, "", "text", "empty", "empty output");
  const json = findJson(trimmed);
  if (json.found) return interpretJson(text, json.value, expected, context, json.isAnswer ? 1 : 0);
  if (json.truncated) {
    return unparseable(text, trimmed.slice(-40), "json", "truncated_json", "the answer field was cut off");
  }
  // <answer>...</answer> tags, as some chat models write them.
  if (trimmed.includes("</")) {
    const tagged = ANSWER_TAG.exec(trimmed);
    if (tagged) return interpretText(text, tagged[1], expected, context, "text");
  }
  const field = ANSWER_FIELD.exec(trimmed);
  if (field) {
    const value = field[1] ?? field[2] ?? field[3];
    return interpretText(text, value, expected, context, "text");
  }
  return interpretText(text, stripFences(trimmed), expected, context, "text");
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

type JsonFound = { found: true; value: unknown; isAnswer?: boolean } | { found: false; truncated?: boolean };

function hasAnswerKey(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  return Object.keys(value).some((key) => ANSWER_KEYS.includes(key.trim().toLowerCase()));
}

/**
 * The JSON answer in the text: strict JSON.parse first, the lenient reader if that fails. When the text
 * holds several JSON values, a later one with an answer field replaces an earlier one (a model correcting
 * itself: `{"answer": "1.2"} ... correction: {"answer": "1.4"}`). `isAnswer`: the value is the answer
 * field itself (fast path), not the whole JSON value. `truncated`: the answer field was cut off.
 */
function findJson(text: string): JsonFound {
  // Fast path: the whole output is one JSON object (the usual case with structured output).
  const first = text.charCodeAt(0);
  // No "{" after the answer value: no later JSON answer can correct it.
  if (first === 123) {
    const field = readAnswerField(text, 0);
    if (field && text.indexOf("{", field.end) < 0) return { found: true, value: field.value, isAnswer: true };
  }
  // A thrown SyntaxError costs microseconds: the scan below does not try strict parsing on this text again.
  let strictFailed = "";
  if ((first === 123 || first === 91) && text.indexOf(first === 123 ? "}" : "]") === text.length - 1) {
    try {
      return { found: true, value: JSON.parse(text) };
    } catch {
      strictFailed = text;
    }
  }
  let best: JsonFound = { found: false };
  let from = 0;
  let failures = 0;
  while (failures < MAX_JSON_TRIES) {
    const brace = text.indexOf("{", from);
    const bracket = text.indexOf("[", from);
    const start = brace < 0 ? bracket : bracket < 0 ? brace : Math.min(brace, bracket);
    if (start < 0) break;
    if (!best.found) {
      const field = readAnswerField(text, start);
      if (field && text.indexOf("{", field.end) < 0) return { found: true, value: field.value, isAnswer: true };
    }
    const end = matchingClose(text, start);
    if (end < 0) {
      // Never closes: cut off by the token limit. A complete answer field in it still answers.
      if (best.found) break;
      const field = readAnswerField(text, start);
      if (field) return { found: true, value: field.value, isAnswer: true };
      if (CUT_ANSWER.test(text.slice(start))) return { found: false, truncated: true };
      failures++;
      from = start + 1;
      continue;
    }
    const candidate = text.slice(start, end + 1);
    const value = parseCandidate(candidate, candidate === strictFailed);
    if (value === undefined) {
      failures++;
      from = start + 1;
      continue;
    }
    if (!best.found || hasAnswerKey(value.value)) best = { found: true, value: value.value };
    from = end + 1;
  }
  return best;
}

function parseCandidate(candidate: string, strictFailed: boolean): { value: unknown } | undefined {
  const field = readAnswerField(candidate, 0);
  if (field && candidate.indexOf("{", 1) < 0) return { value: { answer: field.value } };
  if (!strictFailed) {
    try {
      return { value: JSON.parse(candidate) };
    } catch {
      // the lenient reader below
    }
  }
  const lenient = parseLenientJson(candidate, 0);
  if (lenient && candidate.slice(lenient.end).trim() === "") return { value: lenient.value };
  return undefined;
}

/** Index of the bracket closing the one at `start`, skipping brackets inside quoted strings; -1 if none. */
function matchingClose(text: string, start: number): number {
  let depth = 0;
  let quote = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (quote) {
      if (ch === 92)
        i++; // backslash
      else if (ch === quote) quote = 0;
      continue;
    }
    if (ch === 34 || ch === 39) {
      // An apostrophe inside a bare word ("patient's") does not open a string.
      if (ch === 39 && /[A-Za-z]/.test(text[i - 1] ?? "")) continue;
      quote = ch;
    } else if (ch === 123 || ch === 91) depth++;
    else if (ch === 125 || ch === 93) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function describe(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
}

function interpretJson(
  raw: string,
  value: unknown,
  expected: ExpectedAnswer,
  context: ParseContext,
  depth = 0,
): ParsedAnswer {
  if (depth > 8) return unparseable(raw, describe(value), "json", "bad_json", "JSON nested too deeply");
  if (typeof value === "string") return interpretText(raw, value, expected, context, "json");
  if (value === null || typeof value === "boolean" || typeof value === "number") {
    return fromReading(raw, String(value), "json", readAnswerValue(value, expected, context));
  }
  if (Array.isArray(value)) {
    // A list of objects or lists answers with its first element (models wrap single answers in lists); a
    // list of plain values is read as a written list (several values need the question's rule).
    if (value.length === 0) return unparseable(raw, "[]", "json", "no_answer", "empty JSON list");
    if (value[0] !== null && typeof value[0] === "object") {
      return interpretJson(raw, value[0], expected, context, depth + 1);
    }
    return fromReading(raw, describe(value), "json", readAnswerValue(value, expected, context));
  }
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    for (const wanted of ANSWER_KEYS) {
      const key = keys.find((candidate) => candidate.trim().toLowerCase() === wanted);
      if (key !== undefined) return interpretJson(raw, record[key], expected, context, depth + 1);
    }
    if (keys.length === 1) return interpretJson(raw, record[keys[0]], expected, context, depth + 1);
    return unparseable(
      raw,
      describe(value),
      "json",
      "no_answer_field",
      `JSON object without an "answer" field (keys: ${keys.join(", ")})`,
    );
  }
  return unparseable(raw, describe(value), "json", "bad_json", "JSON value of an unexpected type");
}

function interpretText(
  raw: string,
  text: string,
  expected: ExpectedAnswer,
  context: ParseContext,
  source: "json" | "text",
): ParsedAnswer {
  return fromReading(raw, cleanAnswerText(text), source, readAnswerText(text, expected, context));
}

/** How many answers ended in each named problem (`code`), for the summary beside the scores. */
export function countAnswerProblems(answers: Iterable<ParsedAnswer>): Partial<Record<AnswerProblem, number>> {
  const counts: Partial<Record<AnswerProblem, number>> = {};
  for (const answer of answers) {
    if (answer.kind === "unparseable") counts[answer.code] = (counts[answer.code] ?? 0) + 1;
  }
  return counts;
}
