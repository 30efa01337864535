import { type AnswerExpect, type AnswerProblem, readAnswerText, readAnswerValue } from "../text/answer-text.js";
import { leadingNumber } from "../text/number-text.js";
import { unitAt } from "../text/units.js";

/**
 * Answer normalisation: the teacher writes "yes", "True", "7,2 %", "N/A", "approximately 8", "106 µmol/L";
 * steps b and c need one canonical form. The text is read by the reader the evaluation uses
 * (lib/src/text/answer-text.ts), so a training target and a scored answer read the same. Numbers keep
 * their unit in a separate field; a lab value is converted to the question's unit.
 */

export type NormalizedAnswer =
  | {
      kind: "number";
      value: number;
      unit: string | null;
      /** "approximately 8", "~0.9": kept, flagged. */
      approximate?: true;
      /** The value as written before conversion to the question's unit. */
      converted?: { value: number; unit: string };
    }
  | { kind: "boolean"; value: boolean }
  | { kind: "na" }
  /** Not one clean answer: why (a range given for one value, several values, only a date, ...). */
  | { kind: "text"; text: string; reason: AnswerProblem | "range_for_single_value"; detail: string }
  | { kind: "invalid"; detail: string };

/** What normalisation knows about the item: its question text and the kind of answer its type wants. */
export interface NormalizeContext {
  question?: string;
  expected?: AnswerExpect;
}

/**
 * Parse "7.2", "7,2", "1,234.5", "140 mg/dL", "7.2 %" to a number and unit; undefined if the text is not
 * one number (and a real-looking unit, lib/src/text/units.ts). Separators follow the evaluation's rules
 * (docs/metrics.md: "2,870" is thousands, "0,125" and "7,2" decimal commas, "1.234,5" European).
 */
export function parseNumber(text: string): { value: number; unit: string | null } | undefined {
  const trimmed = text.trim();
  const number = leadingNumber(trimmed);
  if (!number || !Number.isFinite(number.value)) return undefined;
  const rest = trimmed.slice(number.end);
  if (rest.trim() === "") return { value: number.value, unit: null };
  const unit = unitAt(rest, 0);
  // Anything after the unit ("mg/dL on 3/12"), more digits, a range or a ratio: not one number.
  if (!unit || rest.slice(unit.end).trim() !== "") return undefined;
  return { value: number.value, unit: unit.unit };
}

/**
 * One teacher answer in canonical form. `context.question` decides which of several values a question
 * takes ("highest" -> max) and the unit a lab value is converted to; `context.expected` is what the item's
 * type wants ("boolean" for yes/no types, "numeric" for numeric ones), as the evaluation reads it.
 */
export function normalizeAnswer(answer: unknown, context: NormalizeContext = {}): NormalizedAnswer {
  const expected = context.expected ?? "any";
  const readContext = { question: context.question };
  if (typeof answer === "number" && !Number.isFinite(answer)) return { kind: "invalid", detail: "non-finite number" };
  if (typeof answer === "string" && answer.trim() === "")
    return { kind: "invalid", detail: "answer is an empty string" };
  // The teacher's schema makes the answer one scalar: a list or object is the wrong type (the evaluation
  // is more forgiving of a model's list, which is not a training target).
  if (answer !== null && !["string", "number", "boolean"].includes(typeof answer)) {
    return { kind: "invalid", detail: `answer is ${Array.isArray(answer) ? "an array" : typeof answer}` };
  }
  const reading =
    typeof answer === "string"
      ? readAnswerText(answer.trim(), expected, readContext)
      : readAnswerValue(answer, expected, readContext);
  const text = typeof answer === "string" ? answer.trim() : JSON.stringify(answer);
  switch (reading.kind) {
    case "boolean":
      return { kind: "boolean", value: reading.value };
    case "na":
      return { kind: "na" };
    case "number": {
      if (reading.range) {
        return {
          kind: "text",
          text,
          reason: "range_for_single_value",
          detail: `a range (${reading.range[0]} to ${reading.range[1]}) where one value is asked for`,
        };
      }
      const number: NormalizedAnswer = { kind: "number", value: reading.value, unit: reading.unit ?? null };
      if (reading.approximate) number.approximate = true;
      if (reading.converted) number.converted = reading.converted;
      return number;
    }
    default:
      return { kind: "text", text, reason: reading.problem, detail: reading.detail };
  }
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
