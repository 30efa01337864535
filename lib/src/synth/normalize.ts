import { leadingNumber } from "../text/number-text.js";

/**
 * Answer normalisation: the teacher writes "yes", "True", "7,2 %", "N/A"; steps b and c need one
 * canonical form. Numbers keep their unit in a separate field.
 */

export type NormalizedAnswer =
  | { kind: "boolean"; value: boolean }
  | { kind: "number"; value: number; unit: string | null }
  | { kind: "na" }
  | { kind: "text"; text: string }
  | { kind: "invalid"; detail: string };

const NA_WORDS = new Set([
  "na",
  "n/a",
  "n.a",
  "not available",
  "unknown",
  "not answerable",
  "unanswerable",
  "not applicable",
  "not mentioned",
  "not documented",
  "not stated",
  "not reported",
  "not specified",
  "not found",
  "not recorded",
  "cannot be determined",
  "can't be determined",
  "cannot determine",
  "undetermined",
  "null",
  "none given",
]);
const YES = new Set(["yes", "y", "true"]);
const NO = new Set(["no", "n", "false"]);

// What a unit may look like: letters, %, /, ^, degree signs, digits inside (10^9/L), spaces, dots.
const UNIT = /^[\p{L}%°µ/^·.*()\s\d-]{0,24}$/u;

/**
 * Parse "7.2", "7,2", "1,234.5", "140 mg/dL", "7.2 %" to a number and unit; undefined if the text is not
 * one number (and a unit). Separators follow the evaluation's rules (docs/metrics.md: "2,870" is
 * thousands, "0,125" and "7,2" decimal commas, "1.234,5" European).
 */
export function parseNumber(text: string): { value: number; unit: string | null } | undefined {
  const trimmed = text.trim();
  const number = leadingNumber(trimmed);
  if (!number || !Number.isFinite(number.value)) return undefined;
  const rest = trimmed.slice(number.end).trim();
  // More digits ("7.2.3", "1,234,5"), a range or a ratio ("120-130", "120/80") is not one number.
  if (/^[.,]?\d/.test(rest) || /^[-–/:]\s*\d/.test(rest)) return undefined;
  if (rest !== "" && !UNIT.test(rest)) return undefined;
  return { value: number.value, unit: rest === "" ? null : rest };
}

export function normalizeAnswer(answer: unknown): NormalizedAnswer {
  if (answer === null) return { kind: "na" };
  if (typeof answer === "boolean") return { kind: "boolean", value: answer };
  if (typeof answer === "number") {
    return Number.isFinite(answer)
      ? { kind: "number", value: answer, unit: null }
      : { kind: "invalid", detail: "non-finite number" };
  }
  if (typeof answer !== "string")
    return { kind: "invalid", detail: `answer is ${Array.isArray(answer) ? "an array" : typeof answer}` };
  const lowered = answer
    .trim()
    .replace(/[.!]+$/, "")
    .trim()
    .toLowerCase();
  if (lowered === "") return { kind: "invalid", detail: "answer is an empty string" };
  if (NA_WORDS.has(lowered)) return { kind: "na" };
  if (YES.has(lowered)) return { kind: "boolean", value: true };
  if (NO.has(lowered)) return { kind: "boolean", value: false };
  const number = parseNumber(answer.trim().replace(/\.$/, ""));
  if (number) return { kind: "number", ...number };
  return { kind: "text", text: answer.trim() };
}

/** The canonical answer string written to outputs. */
export function canonicalAnswer(answer: NormalizedAnswer): string {
  switch (answer.kind) {
    case "boolean":
      return answer.value ? "Yes" : "No";
    case "na":
      return "NA";
    case "number":
      return String(answer.value);
    case "text":
      return answer.text;
    case "invalid":
      return "";
  }
}

/** Question text reduced for near-duplicate detection: lower case, no punctuation, digits as "#". */
export function normalizeQuestion(question: string): string {
  return question
    .toLowerCase()
    .replace(/\d+(?:[.,]\d+)*/g, "#")
    .replace(/[^\p{L}\p{N}#\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Text reduced for quote matching: lower case, one space, straight quotes and plain hyphens. */
export function normalizeForMatch(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u201b`´]/g, "'")
    .replace(/[\u201c\u201d\u201e]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/\s+/g, " ")
    .trim();
}
