import { TableError } from "../errors.js";
import { readStrictCsvTable } from "../internal/strict-csv.js";
import type { EvalItem, EvalQuestion } from "../types.js";
import { APIXABAN_QUESTIONS, apixabanQuestion } from "./questions.js";

/**
 * Apixaban annotations: an editable CSV, one row per (note, question), with a stable item id.
 * Header: item_id,note_id,question_id,gold,annotator,comment. Gold is yes/no for yes/no questions
 * and a number or NA for numeric ones. Anything else is an error naming the file and row.
 */
export const ANNOTATION_COLUMNS = ["item_id", "note_id", "question_id", "gold", "annotator", "comment"] as const;

export interface Annotation {
  itemId: string;
  noteId: string;
  questionId: string;
  /** Normalised gold: "yes", "no", "NA", or a number printed by JavaScript. */
  gold: string;
  annotator: string;
  comment: string;
  /** Line of the row in its file, for messages. */
  line: number;
}

/**
 * Normalise a gold label for a question type, or return undefined when it is not one. Yes/no
 * answers accept yes/no in any case; numeric answers accept a plain number (thousands separators
 * allowed) or NA.
 */
export function normaliseGold(type: EvalQuestion["type"], raw: string): string | undefined {
  const value = raw.trim();
  if (type === "boolean") {
    const lower = value.toLowerCase();
    return lower === "yes" || lower === "no" ? lower : undefined;
  }
  if (/^(na|n\/a)$/i.test(value)) return "NA";
  if (!/^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(value)) return undefined;
  return String(Number(value.replace(/,/g, "")));
}

/** Read and validate an annotation CSV against the 23 apixaban questions. */
export function readApixabanAnnotations(
  file: string,
  questions: readonly EvalQuestion[] = APIXABAN_QUESTIONS,
): Annotation[] {
  const rows = readStrictCsvTable(file, ANNOTATION_COLUMNS);
  const byQuestion = new Map(questions.map((question) => [question.id, question]));
  const firstLineOfItem = new Map<string, number>();
  const firstLineOfPair = new Map<string, number>();
  return rows.map(({ line, values }) => {
    const { item_id: itemId, note_id: noteId, question_id: questionId } = values;
    if (!itemId) throw new TableError(file, line, "item_id is empty");
    if (!noteId) throw new TableError(file, line, `item ${itemId}: note_id is empty`);
    const question = byQuestion.get(questionId);
    if (!question) throw new TableError(file, line, `item ${itemId}: unknown question_id "${questionId}"`);
    const gold = normaliseGold(question.type, values.gold);
    if (gold === undefined) {
      const expected = question.type === "boolean" ? "yes or no" : "a number or NA";
      throw new TableError(file, line, `item ${itemId}: unknown label "${values.gold}" (expected ${expected})`);
    }
    const seenAt = firstLineOfItem.get(itemId);
    if (seenAt !== undefined) throw new TableError(file, line, `duplicate item_id "${itemId}" (also on row ${seenAt})`);
    firstLineOfItem.set(itemId, line);
    const pair = `${noteId}\u0000${questionId}`;
    const pairAt = firstLineOfPair.get(pair);
    if (pairAt !== undefined)
      throw new TableError(file, line, `note ${noteId} question ${questionId} is annotated twice (also row ${pairAt})`);
    firstLineOfPair.set(pair, line);
    return { itemId, noteId, questionId, gold, annotator: values.annotator, comment: values.comment, line };
  });
}

/**
 * Evaluation items from annotations. With `noteIds`, every annotated note must exist: an
 * annotation whose note is absent is an error naming its row (it could never be answered).
 */
export function apixabanItems(
  annotations: readonly Annotation[],
  noteIds?: ReadonlySet<string>,
  file = "annotations",
): EvalItem[] {
  return annotations.map((annotation) => {
    if (noteIds && !noteIds.has(annotation.noteId)) {
      throw new TableError(
        file,
        annotation.line,
        `item ${annotation.itemId}: note ${annotation.noteId} is not in the notes file`,
      );
    }
    const question = apixabanQuestion(annotation.questionId);
    return {
      itemId: annotation.itemId,
      task: "apixaban",
      noteId: annotation.noteId,
      questionId: question.id,
      questionType: question.type,
      question: question.text,
      gold: annotation.gold,
    };
  });
}
