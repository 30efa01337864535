import { z } from "zod";
import { invalidUtf8Handler, writeJsonl } from "../core/jsonl.js";
import { readLineBatches } from "../core/lines.js";
import type { InvalidUtf8Mode } from "../core/text-bytes.js";
import { DuplicateTextCheck } from "../data/notes.js";
import { type NerNote, type NerReject, type Span, sortSpans } from "./types.js";
import { checkSpans } from "./validate-spans.js";

/**
 * NER JSONL: one note per line, `{"note_id": "...", "text": "...", "spans": [{"start", "end", "type", "text"}]}`.
 * `note_id` matches data/sample/notes.jsonl, so the same ids flow through both methods.
 */
const lineSchema = z.object({
  note_id: z.string().min(1),
  text: z.string(),
  spans: z
    .array(
      z.object({
        start: z.number().int(),
        end: z.number().int(),
        type: z.string(),
        text: z.string().optional(),
      }),
    )
    .default([]),
});

export interface NerJsonlRead {
  notes: NerNote[];
  rejects: NerReject[];
  /** Problems with notes that were kept: `invalid_utf8` (line and byte), `duplicate_text` (the two ids). */
  warnings: NerReject[];
}

export interface ReadNerJsonlOptions {
  /** Bytes that are not UTF-8: `report` (default: read as U+FFFD, a warning per line) or `fail` (a DataError). */
  onInvalidUtf8?: InvalidUtf8Mode;
}

/**
 * Read a NER JSONL file (a UTF-8 BOM is skipped). Bad lines and bad spans are rejects naming file,
 * line and field; empty notes are counted skips; invalid UTF-8 and repeated texts are warnings.
 */
export async function readNerJsonl(file: string, options: ReadNerJsonlOptions = {}): Promise<NerJsonlRead> {
  const notes: NerNote[] = [];
  const rejects: NerReject[] = [];
  const warnings: NerReject[] = [];
  const duplicates = new DuplicateTextCheck();
  const onInvalidUtf8 = invalidUtf8Handler(file, options.onInvalidUtf8, (item) =>
    warnings.push({ source: `${file}:${item.line}`, reason: "invalid_utf8", detail: item.message }),
  );
  for await (const batch of readLineBatches(file, { onInvalidUtf8 }))
    for (const { lineNo, text: line } of batch) {
      const source = `${file}:${lineNo}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        rejects.push({ source, reason: "unparseable", detail: `not JSON (${(error as Error).message})` });
        continue;
      }
      const parsed = lineSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        rejects.push({
          source,
          reason: "schema_mismatch",
          detail: `${issue.path.join(".") || "(line)"}: ${issue.message}`,
        });
        continue;
      }
      const { note_id: id, text } = parsed.data;
      if (text.trim() === "") {
        rejects.push({ source, noteId: id, reason: "empty_note", detail: "the note text is empty" });
        continue;
      }
      const duplicate = duplicates.check({ note_id: id, text }, { file, line: lineNo });
      if (duplicate) warnings.push({ source, noteId: id, reason: "duplicate_text", detail: duplicate.message });
      const checked = checkSpans(text, parsed.data.spans, { source, noteId: id });
      rejects.push(...checked.rejects);
      notes.push({ id, text, spans: checked.spans });
    }
  return { notes, rejects, warnings };
}

/** A note as one JSONL line's object, spans in order. */
function nerLine(note: NerNote): { note_id: string; text: string; spans: Span[] } {
  return { note_id: note.id, text: note.text, spans: sortSpans(note.spans) };
}

export function formatNerJsonl(notes: Iterable<NerNote>): string {
  let out = "";
  for (const note of notes) out += `${JSON.stringify(nerLine(note))}\n`;
  return out;
}

/** Write notes as NER JSONL, atomically (see writeJsonl). */
export async function writeNerJsonl(file: string, notes: Iterable<NerNote>): Promise<void> {
  await writeJsonl(file, Array.from(notes, nerLine));
}
