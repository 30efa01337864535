import { z } from "zod";
import { defaults } from "../config/defaults.js";
import type { ChatMessage } from "../llm/types.js";

/**
 * Teacher prompts for synthetic question generation (step a). The project's own wording, with the
 * shape of the original method: per note, yes/no questions (half Yes, half No), numeric questions
 * about specific values, and questions that look answerable but are not (numeric and yes/no).
 * One request per note and question type; each type has its own structured-output schema.
 */

/** Bump when the wording or schemas change: it is written into every output and the dataset card. */
export const TEACHER_PROMPT_VERSION = "teacher-v1";

export const QUESTION_TYPES = ["boolean", "numeric", "na_numeric", "na_boolean"] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export function isQuestionType(value: unknown): value is QuestionType {
  return typeof value === "string" && (QUESTION_TYPES as readonly string[]).includes(value);
}

/** Sections of a discharge summary the teacher may name as where the answer lives. */
export const NOTE_SECTIONS = [
  "Chief Complaint",
  "History of Present Illness",
  "Past Medical History",
  "Past Surgical History",
  "Social History",
  "Family History",
  "Allergies",
  "Medications on Admission",
  "Physical Exam",
  "Pertinent Results",
  "Brief Hospital Course",
  "Procedures",
  "Discharge Medications",
  "Discharge Diagnosis",
  "Discharge Condition",
  "Discharge Instructions",
  "Other",
] as const;

export type QuestionCounts = Record<QuestionType, number>;
/** The synth.counts defaults (config/sections/synth.ts): 10 yes/no, 10 numeric, 5 + 5 not answerable. */
export const DEFAULT_QUESTION_COUNTS: QuestionCounts = defaults.synth.counts;

export interface TeacherWording {
  /** Replaces the system message. */
  system?: string;
  /** Appended to every user message (e.g. a focus on one specialty). */
  extraInstructions?: string;
  /** Replaces the per-type instruction paragraph. */
  typeInstructions?: Partial<Record<QuestionType, string>>;
}

const DEFAULT_SYSTEM =
  "You are a physician who designs eligibility criteria for clinical trials and audits clinical documentation. " +
  "You read one clinical note and write questions about the patient that the note can settle, each with its answer " +
  "and the evidence for it. You answer only with JSON that follows the requested schema.";

function defaultTypeInstruction(type: QuestionType, count: number): string {
  switch (type) {
    case "boolean": {
      const yes = Math.ceil(count / 2);
      return (
        `Write ${count} yes/no questions about this patient, phrased like clinical-trial eligibility criteria ` +
        `(for example "Does the patient have a history of atrial fibrillation?"). ${yes} must have the answer "Yes" ` +
        `and ${count - yes} the answer "No". A "No" must be stated or clearly implied by the note. Answer with "Yes" or "No".`
      );
    }
    case "numeric":
      return (
        `Write ${count} questions whose answer is one specific number found in the note: a laboratory value, vital sign, ` +
        `dose, score, count or duration. Make each question specific about which value is meant (first, last, on admission, ` +
        `at discharge, highest, lowest). The answer is the number with its unit as written (for example "7.2 %" or "138 mmol/L").`
      );
    case "na_numeric":
      return (
        `Write ${count} questions that ask for a specific number that would plausibly be recorded for a patient like this ` +
        `but that this note does not contain. The answer is "NA".`
      );
    case "na_boolean":
      return (
        `Write ${count} yes/no questions that seem to apply to this patient but that this note cannot answer. ` +
        `Do not ask about serious chronic diagnoses: their absence from a complete note means "No", not "unknown". ` +
        `The answer is "NA".`
      );
  }
}

const FIELD_INSTRUCTIONS =
  "For every question give: question; type (exactly the type named above); answer; section (the note section that holds " +
  "the evidence, one of: " +
  NOTE_SECTIONS.join(", ") +
  "); source (an exact, verbatim quote from the note that supports the answer; an empty string when the answer is NA); " +
  "difficulty (an integer from 1, trivial lookup, to 10, needs careful reading and reasoning); explanation (one or two " +
  'sentences). Reply with one JSON object: {"questions": [...]}.';

/** The chat messages asking the teacher for `count` questions of one type about one note. */
export function teacherMessages(
  noteText: string,
  type: QuestionType,
  count: number,
  wording: TeacherWording = {},
): ChatMessage[] {
  const instruction = wording.typeInstructions?.[type] ?? defaultTypeInstruction(type, count);
  const extra = wording.extraInstructions ? `\n\n${wording.extraInstructions}` : "";
  return [
    { role: "system", content: wording.system ?? DEFAULT_SYSTEM },
    {
      role: "user",
      content:
        `Clinical note:\n<note>\n${noteText}\n</note>\n\n` +
        `Question type: ${type}\n${instruction}\n\n${FIELD_INSTRUCTIONS}${extra}`,
    },
  ];
}

// ---- structured-output schemas (what the teacher is constrained to; post-processing re-checks leniently) ----

const commonItemFields = {
  question: z.string().min(1),
  section: z.string().min(1),
  source: z.string(),
  difficulty: z.number().int().min(1).max(10),
  explanation: z.string(),
};

const NA_ANSWER = z.literal("NA");

export const teacherItemSchemas = {
  boolean: z.object({ ...commonItemFields, type: z.literal("boolean"), answer: z.enum(["Yes", "No"]) }).strict(),
  numeric: z.object({ ...commonItemFields, type: z.literal("numeric"), answer: z.string().min(1) }).strict(),
  na_numeric: z.object({ ...commonItemFields, type: z.literal("na_numeric"), answer: NA_ANSWER }).strict(),
  na_boolean: z.object({ ...commonItemFields, type: z.literal("na_boolean"), answer: NA_ANSWER }).strict(),
} as const;

export type TeacherItem<T extends QuestionType = QuestionType> = z.output<(typeof teacherItemSchemas)[T]>;

/** The response schema for one type: `{questions: [...]}` with at most `count` items. */
export function teacherResponseSchema(type: QuestionType, count?: number) {
  const items = z.array(teacherItemSchemas[type]);
  return z.object({ questions: count ? items.min(1).max(count) : items.min(1) }).strict();
}

export const teacherSchemaName = (type: QuestionType) => `teacher_${type}_questions`;
