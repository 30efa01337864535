import { DataError, type DataErrorLocation } from "../core/data-error.js";
import { readJsonlEntries } from "../core/jsonl.js";
import { type Reject, type RejectHandler, type WarningHandler, warningSink } from "../core/rejects.js";
import type { InvalidUtf8Mode } from "../core/text-bytes.js";
import { type Note, noteSchema } from "./note.js";
import { noteTextDigest } from "./note-hash.js";

export interface ReadNotesOptions {
  /** Collect bad lines (invalid JSON, missing field, empty text, duplicate note_id) instead of throwing. */
  onReject?: RejectHandler;
  /** Problems with notes that were kept (`invalid-utf8`, `duplicate-text`); without it, one process warning per file. */
  onWarning?: WarningHandler;
  /** Bytes that are not UTF-8: `report` (default: read as U+FFFD, a counted `invalid-utf8` warning) or `fail`. */
  onInvalidUtf8?: InvalidUtf8Mode;
  /** A note whose normalised text equals an earlier note's: `report` (default; kept, warned) or `reject` (dropped). */
  onDuplicateText?: "report" | "reject";
}

/**
 * Notes with the same text under different ids (copied notes, re-exported records). They are found
 * by `noteTextHash` (NFKC, whitespace collapsed, case kept); the first id seen is the original.
 */
export class DuplicateTextCheck {
  // Memory per note: a 12-byte digest prefix (96 bits: no chance collision in any real corpus)
  // and an index into the first ids and places, whatever the note's length.
  private readonly first = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly places: number[] = [];
  // A reader gives lines (JSONL) or rows (CSV) throughout.
  private unit: "line" | "row" = "line";
  /** Groups found: original note id -> the ids repeating its text. */
  readonly groups = new Map<string, string[]>();

  /** The `duplicate-text` problem when this note repeats an earlier one's text, else undefined. */
  check(note: Pick<Note, "note_id" | "text">, location: DataErrorLocation & { file: string }): Reject | undefined {
    const key = noteTextDigest(note.text).toString("latin1", 0, 12);
    const earlier = this.first.get(key);
    if (earlier === undefined) {
      this.first.set(key, this.ids.length);
      this.ids.push(note.note_id);
      this.unit = location.row !== undefined ? "row" : "line";
      this.places.push(location.row ?? location.line ?? 0);
      return undefined;
    }
    const original = this.ids[earlier];
    const copies = this.groups.get(original) ?? [];
    copies.push(note.note_id);
    this.groups.set(original, copies);
    return {
      ...location,
      field: "text",
      reason: "duplicate-text",
      message: `note ${note.note_id} has the same text as note ${original} (${this.unit} ${this.places[earlier]}), whitespace aside`,
    };
  }
}

/**
 * Stream the notes of a JSONL file (format: docs/data.md), line by line. Every bad line either
 * throws a DataError naming file and line, or, with `onReject`, becomes a counted reject with its
 * reason: `invalid-json`, `schema` (missing/invalid field), `empty-text`, `duplicate-note-id`.
 * Kept notes with a problem are warnings: `invalid-utf8` (file, line, byte), `duplicate-text`.
 */
export async function* readNotes(file: string, options: ReadNotesOptions = {}): AsyncGenerator<Note> {
  const reject = (item: Reject): void => {
    if (!options.onReject) throw new DataError(item, item.message);
    options.onReject(item);
  };
  const warnings = warningSink(options.onWarning);
  const seen = new Map<string, number>();
  const duplicates = new DuplicateTextCheck();
  const entries = readJsonlEntries(file, noteSchema, {
    onReject: reject,
    onWarning: warnings.warn,
    onInvalidUtf8: options.onInvalidUtf8,
  });
  for await (const { line, value: note } of entries) {
    if (note.text.trim() === "") {
      reject({ file, line, field: "text", reason: "empty-text", message: `note ${note.note_id} has empty text` });
      continue;
    }
    const firstLine = seen.get(note.note_id);
    if (firstLine !== undefined) {
      reject({
        file,
        line,
        field: "note_id",
        reason: "duplicate-note-id",
        message: `note_id ${note.note_id} already appeared on line ${firstLine}`,
      });
      continue;
    }
    seen.set(note.note_id, line);
    const duplicate = duplicates.check(note, { file, line });
    if (duplicate && options.onDuplicateText === "reject") {
      reject(duplicate);
      continue;
    }
    if (duplicate) warnings.warn(duplicate);
    yield note;
  }
  warnings.finish(file);
}

/** Read every note into memory (fine for samples and small sets; stream with readNotes otherwise). */
export async function readAllNotes(file: string, options: ReadNotesOptions = {}): Promise<Note[]> {
  const notes: Note[] = [];
  for await (const note of readNotes(file, options)) notes.push(note);
  return notes;
}
