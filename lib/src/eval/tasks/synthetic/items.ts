import { extname } from "node:path";
import { TableError } from "../errors.js";
import { readStrictCsvTable } from "../internal/strict-csv.js";
import type { EvalItem, QuestionType } from "../types.js";

/**
 * Task b: held-out synthetic questions (teacher answers as gold) and the human-reviewed subset
 * (the same item ids with reviewed gold). Read from CSV or parquet. Item ids are stable: written
 * once when the held-out split is made, and every later file refers to them.
 */
export const HELD_OUT_COLUMNS = ["item_id", "note_id", "question_type", "question", "answer"] as const;
export const HELD_OUT_OPTIONAL = ["difficulty", "explanation"] as const;
export const REVIEWED_COLUMNS = ["item_id", "gold", "annotator", "comment"] as const;

const TYPES: readonly QuestionType[] = ["boolean", "numeric", "na_boolean", "na_numeric"];

interface Row {
  line: number;
  values: Record<string, string>;
}

/** Rows of a CSV or parquet table with the given columns; parquet rows are numbered from 1 after the header. */
async function readTable(file: string, required: readonly string[], optional: readonly string[]): Promise<Row[]> {
  const extension = extname(file).toLowerCase();
  if (extension === ".csv") return readStrictCsvTable(file, required, optional);
  if (extension !== ".parquet") throw new TableError(file, undefined, "expected a .csv or .parquet file");
  // Loaded lazily: the native binary is only needed for parquet input.
  const pl = await import("nodejs-polars");
  let records: Record<string, unknown>[];
  let columns: string[];
  try {
    const frame = pl.readParquet(file);
    columns = frame.columns;
    records = frame.toRecords() as Record<string, unknown>[];
  } catch (error) {
    throw new TableError(file, undefined, `cannot read parquet (${(error as Error).message})`);
  }
  const missing = required.filter((name) => !columns.includes(name));
  if (missing.length > 0) throw new TableError(file, undefined, `missing column(s) ${missing.join(", ")}`);
  return records.map((record, i) => ({
    line: i + 1,
    values: Object.fromEntries(
      [...required, ...optional].map((name) => [name, record[name] == null ? "" : String(record[name]).trim()]),
    ),
  }));
}

/** Read held-out synthetic questions. Errors name the file and row: unknown type, empty field, duplicate id. */
export async function readSyntheticItems(file: string): Promise<EvalItem[]> {
  const rows = await readTable(file, HELD_OUT_COLUMNS, HELD_OUT_OPTIONAL);
  const seen = new Map<string, number>();
  return rows.map(({ line, values }) => {
    const itemId = values.item_id;
    if (!itemId) throw new TableError(file, line, "item_id is empty");
    const firstLine = seen.get(itemId);
    if (firstLine !== undefined)
      throw new TableError(file, line, `duplicate item_id "${itemId}" (also on row ${firstLine})`);
    seen.set(itemId, line);
    for (const field of ["note_id", "question", "answer"]) {
      if (!values[field]) throw new TableError(file, line, `item ${itemId}: ${field} is empty`);
    }
    const questionType = values.question_type as QuestionType;
    if (!TYPES.includes(questionType)) {
      throw new TableError(
        file,
        line,
        `item ${itemId}: unknown question_type "${values.question_type}" (expected ${TYPES.join(", ")})`,
      );
    }
    return {
      itemId,
      task: "synthetic" as const,
      noteId: values.note_id,
      questionId: questionType,
      questionType,
      question: values.question,
      gold: values.answer,
      ...(values.difficulty ? { difficulty: values.difficulty } : {}),
    };
  });
}

export interface ReviewedLabel {
  itemId: string;
  gold: string;
  annotator: string;
  comment: string;
  line: number;
}

/** Read the human-reviewed labels. Every id must be a held-out item; duplicates and empty gold are errors. */
export async function readReviewedLabels(file: string, heldOut: readonly EvalItem[]): Promise<ReviewedLabel[]> {
  const rows = await readTable(file, REVIEWED_COLUMNS, []);
  const known = new Set(heldOut.map((item) => item.itemId));
  const seen = new Map<string, number>();
  return rows.map(({ line, values }) => {
    const itemId = values.item_id;
    if (!known.has(itemId)) throw new TableError(file, line, `item_id "${itemId}" is not a held-out item`);
    const firstLine = seen.get(itemId);
    if (firstLine !== undefined)
      throw new TableError(file, line, `duplicate item_id "${itemId}" (also on row ${firstLine})`);
    seen.set(itemId, line);
    if (!values.gold) throw new TableError(file, line, `item ${itemId}: gold is empty`);
    return { itemId, gold: values.gold, annotator: values.annotator, comment: values.comment, line };
  });
}

/** The reviewed subset as items: the held-out items with the reviewers' gold, in review-file order. */
export function reviewedItems(heldOut: readonly EvalItem[], reviewed: readonly ReviewedLabel[]): EvalItem[] {
  const byId = new Map(heldOut.map((item) => [item.itemId, item]));
  return reviewed.map((label) => ({ ...byId.get(label.itemId)!, gold: label.gold }));
}
