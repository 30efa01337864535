/**
 * Shared shapes of the three evaluation tasks. An item is one question about one note (or one
 * n2c2 patient) with its gold answer; it never carries the note text, so items, predictions and
 * metrics can be written out without copying restricted text.
 */

export type EvalTaskName = "synthetic" | "n2c2" | "apixaban";

// The paper's four question types (one definition, with the teacher prompt); n2c2 and apixaban questions
// are boolean or numeric.
import type { QuestionType } from "../../prompts/teacher.js";

export type { QuestionType };

export interface EvalQuestion {
  /** Stable id, e.g. `ABDOMINAL` or `apx-afib`. */
  id: string;
  type: "boolean" | "numeric";
  text: string;
}

export interface EvalItem {
  /** Stable id used to join items, predictions and annotations across runs. */
  itemId: string;
  task: EvalTaskName;
  /** Note id (synthetic, apixaban) or patient file id (n2c2). */
  noteId: string;
  questionId: string;
  questionType: QuestionType;
  question: string;
  /** Gold answer as text: "yes"/"no", a number, or "NA". For n2c2: "met"/"not met". */
  gold: string;
  /** Teacher-assigned difficulty (synthetic questions only). */
  difficulty?: string;
  /** n2c2 split. */
  split?: "train" | "test";
}

/** One model answer for one item, as written to a predictions JSONL file. */
export interface Prediction {
  item_id: string;
  model: string;
  /** Whether the model produced text (a failed request still gets a row, scored as wrong). */
  ok: boolean;
  text: string;
  /** Failure reason code from the LLM layer when ok is false. */
  reason?: string;
  finish_reason?: string;
  cached?: boolean;
}
