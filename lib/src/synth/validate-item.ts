import { isQuestionType, type QuestionType } from "../prompts/teacher.js";
import { canonicalAnswer, normalizeAnswer } from "./normalize.js";
import type { RejectReason } from "./types.js";

/**
 * One teacher item checked field by field, its answer normalised and checked against its type.
 * Lenient about form (a difficulty of "7", "Yes." or "yes/no" as the type), strict about meaning.
 */

export interface ValidItem {
  question: string;
  type: QuestionType;
  answer: string;
  answerBool: boolean | null;
  answerNumber: number | null;
  answerUnit: string | null;
  answerRaw: string;
  /** The answer was approximate ("approximately 8", "~0.9"): the value is kept, flagged here. */
  answerApprox: boolean;
  section: string;
  source: string;
  difficulty: number;
  explanation: string;
}

export type ItemCheck =
  | { ok: true; item: ValidItem }
  | { ok: false; reason: RejectReason; detail: string; question: string | null };

const TYPE_ALIASES: Record<string, QuestionType> = {
  boolean: "boolean",
  bool: "boolean",
  yes_no: "boolean",
  yesno: "boolean",
  binary: "boolean",
  numeric: "numeric",
  number: "numeric",
  numerical: "numeric",
  na_numeric: "na_numeric",
  not_answerable_numeric: "na_numeric",
  unanswerable_numeric: "na_numeric",
  numeric_na: "na_numeric",
  na_boolean: "na_boolean",
  not_answerable_boolean: "na_boolean",
  unanswerable_boolean: "na_boolean",
  boolean_na: "na_boolean",
  na_yes_no: "na_boolean",
};

export function normalizeTypeLabel(label: string): QuestionType | undefined {
  if (isQuestionType(label)) return label;
  const key = label
    .trim()
    .toLowerCase()
    .replace(/[^a-z]+/g, "_")
    .replace(/^_|_$/g, "");
  return TYPE_ALIASES[key];
}

// Reader outcomes a numeric item is rejected with by name (the others are numeric_not_number).
const NUMERIC_REJECTS = new Set<string>(["ambiguous_values", "range_for_single_value", "date_only", "unknown_unit"]);

function fail(reason: RejectReason, detail: string, question: string | null = null): ItemCheck {
  return { ok: false, reason, detail, question };
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

export function validateItem(raw: unknown): ItemCheck {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    return fail("not_an_object", `item is ${kindOf(raw)}`);
  const item = raw as Record<string, unknown>;

  // question first, so later rejects can name it
  if (item.question === undefined || item.question === null) return fail("missing_field", "question is missing");
  if (typeof item.question !== "string")
    return fail("wrong_type", `question is ${kindOf(item.question)}, expected string`);
  const question = item.question.trim();
  if (question === "") return fail("missing_field", "question is empty", null);

  for (const field of ["type", "answer", "section", "source", "difficulty", "explanation"] as const) {
    if (!(field in item) || item[field] === undefined) return fail("missing_field", `${field} is missing`, question);
  }
  for (const field of ["type", "section", "explanation"] as const) {
    if (typeof item[field] !== "string")
      return fail("wrong_type", `${field} is ${kindOf(item[field])}, expected string`, question);
  }
  // An NA answer often comes with source null; treat null as no quote.
  if (item.source !== null && typeof item.source !== "string")
    return fail("wrong_type", `source is ${kindOf(item.source)}, expected string`, question);

  const type = normalizeTypeLabel(item.type as string);
  if (!type)
    return fail(
      "unknown_type",
      `type ${JSON.stringify(String(item.type).slice(0, 40))} is not one of the four`,
      question,
    );

  let difficulty: number;
  if (typeof item.difficulty === "number") difficulty = item.difficulty;
  else if (typeof item.difficulty === "string" && /^\s*\d+(\.\d+)?\s*$/.test(item.difficulty))
    difficulty = Number(item.difficulty);
  else return fail("wrong_type", `difficulty is ${kindOf(item.difficulty)}, expected an integer`, question);
  if (!Number.isInteger(difficulty) || difficulty < 1 || difficulty > 10)
    return fail("difficulty_out_of_range", `difficulty ${difficulty} is not an integer from 1 to 10`, question);

  // Read as the evaluation reads a model's answer to this question (same reader, same question text).
  const expected = type === "boolean" || type === "na_boolean" ? "boolean" : "numeric";
  const normalized = normalizeAnswer(item.answer, { question, expected });
  if (normalized.kind === "invalid") return fail("wrong_type", normalized.detail, question);
  const answerIsNa = normalized.kind === "na";
  switch (type) {
    case "boolean":
      if (answerIsNa) return fail("answerable_type_with_na", "boolean question answered NA", question);
      if (normalized.kind !== "boolean")
        return fail(
          "boolean_not_yes_no",
          `answer is ${normalized.kind === "text" ? `not yes/no (${normalized.reason}: ${normalized.detail})` : normalized.kind}, expected yes/no`,
          question,
        );
      break;
    case "numeric":
      if (answerIsNa) return fail("answerable_type_with_na", "numeric question answered NA", question);
      if (normalized.kind === "text" && NUMERIC_REJECTS.has(normalized.reason))
        return fail(normalized.reason as RejectReason, normalized.detail, question);
      if (normalized.kind !== "number")
        return fail(
          "numeric_not_number",
          `answer is ${normalized.kind === "text" ? `not one number (${normalized.reason}: ${normalized.detail})` : normalized.kind}, expected one number`,
          question,
        );
      break;
    case "na_numeric":
    case "na_boolean":
      if (!answerIsNa)
        return fail("na_type_with_answer", `${type} question answered with a ${normalized.kind}`, question);
      break;
  }

  return {
    ok: true,
    item: {
      question,
      type,
      answer: canonicalAnswer(normalized),
      answerBool: normalized.kind === "boolean" ? normalized.value : null,
      answerNumber: normalized.kind === "number" ? normalized.value : null,
      answerUnit: normalized.kind === "number" ? normalized.unit : null,
      answerRaw: typeof item.answer === "string" ? item.answer : JSON.stringify(item.answer),
      answerApprox: normalized.kind === "number" && normalized.approximate === true,
      section: (item.section as string).trim(),
      source: typeof item.source === "string" ? item.source : "",
      difficulty,
      explanation: (item.explanation as string).trim(),
    },
  };
}
