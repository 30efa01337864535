import type { FailureReason, Usage } from "../llm/types.js";
import type { QuestionType } from "../prompts/teacher.js";

export type { QuestionType } from "../prompts/teacher.js";

/**
 * One teacher response as step a writes it (teacher-responses.jsonl) and step b reads it: the
 * model's raw text plus what identifies the request. No note text, no prompt.
 */
export interface TeacherResponseRecord {
  request_id: string;
  note_id: string;
  /** 0 for a whole note; 1.. for the parts of a note split to fit the context. */
  chunk: number;
  /** Character range [start, end) of the note the teacher saw, when the note was split. */
  chunk_range?: [number, number] | null;
  question_type: QuestionType;
  model: string;
  prompt_version: string;
  /** Request content hash (the cache key). */
  key: string;
  ok: boolean;
  text: string | null;
  reason?: FailureReason;
  detail?: string;
  finish_reason?: string;
  usage?: Usage;
  /** Absent for the first ask; 2, 3, ... for an answer asked again because the first was unusable. */
  attempt?: number;
}

/** Every reason a response, an item or a note is set aside. One code per reason; each is tested. */
export const REJECT_REASONS = [
  // notes, before generation
  "empty_note",
  "note_over_context",
  // whole responses
  "truncated",
  "no_content",
  "unparseable",
  "wrapped_json",
  "no_questions",
  "unknown_note",
  "http_error",
  "timeout",
  "cancelled",
  "replay_miss",
  "schema_mismatch",
  "bad_record",
  // single items
  "not_an_object",
  "missing_field",
  "wrong_type",
  "unknown_type",
  "boolean_not_yes_no",
  "numeric_not_number",
  "ambiguous_values",
  "range_for_single_value",
  "date_only",
  "unknown_unit",
  "na_type_with_answer",
  "answerable_type_with_na",
  "difficulty_out_of_range",
  "source_not_in_note",
  "duplicate_exact",
  "duplicate_normalized",
  "below_min_difficulty",
  // preparation
  "special_token_in_text",
  "over_max_sequence",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface RejectRecord {
  reason: RejectReason;
  /** What exactly was wrong (field name, value kind); never note text. */
  detail: string;
  note_id: string | null;
  request_id: string | null;
  question_type: string | null;
  /** Position of the item in its response, null for a whole response or note. */
  item_index: number | null;
  question: string | null;
  /** The raw response text (whole-response rejects) or the item as JSON (item rejects). */
  raw: string | null;
}

/**
 * How the source quote matched the note (lib/src/synth/source-check.ts): verbatim at word boundaries,
 * in match form (case, spacing, punctuation, Unicode/ASCII symbols), as parts around "..." that lie close
 * together in order, not at all, or no quote given.
 */
export type SourceCheck = "exact" | "normalized" | "fragments" | "not_found" | "empty";
/** Quoted phrases in the explanation: none quoted, all found in the note (as source quotes are), or some not found. */
export type ExplanationQuoteCheck = "none" | "found" | "not_found";

/** One accepted question-answer pair after post-processing (a row of accepted.jsonl). */
export interface SynthRow {
  question_id: string;
  note_id: string;
  chunk: number;
  /** Character range of the note the teacher saw (null: the whole note); the training prompt uses the same text. */
  chunk_start: number | null;
  chunk_end: number | null;
  request_id: string;
  question_type: QuestionType;
  question: string;
  /** Canonical answer: "Yes", "No", "NA" or the number as JSON writes it. */
  answer: string;
  answer_bool: boolean | null;
  answer_number: number | null;
  answer_unit: string | null;
  /** The answer as the teacher wrote it. */
  answer_raw: string;
  section: string;
  source: string;
  source_check: SourceCheck;
  /** Offsets [start, end) in the whole note's text of what the quote matched; null when not found or empty. */
  source_start: number | null;
  source_end: number | null;
  explanation: string;
  explanation_quote_check: ExplanationQuoteCheck;
  difficulty: number;
  model: string;
  prompt_version: string;
}

export type Variant = "boolean" | "numeric" | "all";
export const VARIANTS: readonly Variant[] = ["boolean", "numeric", "all"];

export function variantIncludes(variant: Variant, type: QuestionType): boolean {
  if (variant === "all") return true;
  if (variant === "boolean") return type === "boolean" || type === "na_boolean";
  return type === "numeric" || type === "na_numeric";
}
