import { DataError } from "./errors.js";
import { readJsonlEntries } from "./jsonl.js";
import { type Note, noteSchema } from "./note.js";
import type { Reject, RejectHandler } from "./rejects.js";

export interface ReadNotesOptions {
  /** Collect bad lines (invalid JSON, missing field, empty text, duplicate note_id) instead of throwing. */
  onReject?: RejectHandler;
}

/**
 * Stream the notes of a JSONL file (format: docs/data.md), line by line. Every bad line either
 * throws a DataError naming file and line, or, with `onReject`, becomes a counted reject with its
 * reason: `invalid-json`, `schema` (missing/invalid field), `empty-text`, `duplicate-note-id`.
 */
export async function* readNotes(file: string, options: ReadNotesOptions = {}): AsyncGenerator<Note> {
  const reject = (item: Reject): void => {
    if (!options.onReject) throw new DataError(item, item.message);
    options.onReject(item);
  };
  const seen = new Map<string, number>();
  for await (const { line, value: note } of readJsonlEntries(file, noteSchema, { onReject: reject })) {
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
    yield note;
  }
}

/** Read every note into memory (fine for samples and small sets; stream with readNotes otherwise). */
export async function readAllNotes(file: string, options: ReadNotesOptions = {}): Promise<Note[]> {
  const notes: Note[] = [];
  for await (const note of readNotes(file, options)) notes.push(note);
  return notes;
}
