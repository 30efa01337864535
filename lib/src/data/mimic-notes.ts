import { readCsvRows } from "../core/csv.js";
import { DataError } from "../core/data-error.js";
import { type Reject, warningSink } from "../core/rejects.js";
import type { InvalidUtf8Mode } from "../core/text-bytes.js";
import { type Note, noteSchema } from "./note.js";
import { DuplicateTextCheck, type ReadNotesOptions, readNotes } from "./notes.js";

/** MIMIC-IV-Note's note_type codes, mapped to this project's names (others pass through). */
const MIMIC_NOTE_TYPES: Record<string, string> = {
  DS: "discharge_summary",
  AE: "discharge_addendum",
  RR: "radiology_report",
  AR: "radiology_addendum",
};

export type ReadMimicNotesOptions = ReadNotesOptions;

/**
 * Stream notes from MIMIC-IV-Note's `discharge.csv(.gz)` / `radiology.csv(.gz)` (columns note_id,
 * subject_id, note_type, charttime, text, ...) as `Note`s: subject_id becomes patient_id and
 * charttime's day the date; hadm_id and note_seq are kept as extra keys. Bad rows throw a DataError
 * naming file and row, or become rejects (`schema`, `empty-text`, `duplicate-note-id`); kept notes
 * with a problem are warnings (`invalid-utf8`, `duplicate-text`), as for readNotes.
 */
export async function* readMimicIvNotes(file: string, options: ReadMimicNotesOptions = {}): AsyncGenerator<Note> {
  const reject = (item: Reject): void => {
    if (!options.onReject) throw new DataError(item, item.message);
    options.onReject(item);
  };
  const warnings = warningSink(options.onWarning);
  const seen = new Set<string>();
  const duplicates = new DuplicateTextCheck();
  const rows = readCsvRows(file, {
    requiredColumns: ["note_id", "subject_id", "note_type", "charttime", "text"],
    onWarning: warnings.warn,
    onInvalidUtf8: options.onInvalidUtf8,
  });
  for await (const { row, line, values } of rows) {
    const candidate = {
      note_id: values.note_id,
      patient_id: values.subject_id,
      note_type: MIMIC_NOTE_TYPES[values.note_type] ?? values.note_type,
      date: (values.charttime ?? "").slice(0, 10),
      text: values.text ?? "",
      ...(values.hadm_id !== undefined ? { hadm_id: values.hadm_id } : {}),
      ...(values.note_seq !== undefined ? { note_seq: values.note_seq } : {}),
    };
    const parsed = noteSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      reject({ file, line, row, field: String(issue.path[0] ?? ""), reason: "schema", message: issue.message });
      continue;
    }
    if (parsed.data.text.trim() === "") {
      reject({
        file,
        line,
        row,
        field: "text",
        reason: "empty-text",
        message: `note ${candidate.note_id} has empty text`,
      });
      continue;
    }
    if (seen.has(parsed.data.note_id)) {
      reject({
        file,
        line,
        row,
        field: "note_id",
        reason: "duplicate-note-id",
        message: `note_id ${candidate.note_id} repeated`,
      });
      continue;
    }
    seen.add(parsed.data.note_id);
    const duplicate = duplicates.check(parsed.data, { file, line, row });
    if (duplicate && options.onDuplicateText === "reject") {
      reject(duplicate);
      continue;
    }
    if (duplicate) warnings.warn(duplicate);
    yield parsed.data;
  }
  warnings.finish(file);
}

/**
 * Notes from a dataset by its format: `jsonl` (this project's format) or `mimic-iv-note-csv`
 * (the registry's `format` field; a `.csv`/`.csv.gz` file without one is read as MIMIC). The
 * registry's `invalidUtf8` applies unless the options say otherwise.
 */
export function readNotesFrom(
  dataset: { resolvedPath: string; format?: string; invalidUtf8?: InvalidUtf8Mode },
  options: ReadNotesOptions = {},
): AsyncGenerator<Note> {
  if (options.onInvalidUtf8 === undefined && dataset.invalidUtf8 !== undefined)
    options = { ...options, onInvalidUtf8: dataset.invalidUtf8 };
  const format = dataset.format ?? (/\.csv(\.gz)?$/.test(dataset.resolvedPath) ? "mimic-iv-note-csv" : "jsonl");
  if (format === "mimic-iv-note-csv") return readMimicIvNotes(dataset.resolvedPath, options);
  if (format === "jsonl") return readNotes(dataset.resolvedPath, options);
  throw new DataError(
    { file: dataset.resolvedPath },
    `unknown notes format "${format}" (expected jsonl or mimic-iv-note-csv)`,
  );
}
