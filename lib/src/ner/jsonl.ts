import { createReadStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { type NerNote, type NerReject, sortSpans } from "./types.js";
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
}

/** Read a NER JSONL file. Bad lines and bad spans are rejects naming file, line and field; empty notes are counted skips. */
export async function readNerJsonl(file: string): Promise<NerJsonlRead> {
  const notes: NerNote[] = [];
  const rejects: NerReject[] = [];
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === "") continue;
    const source = `${file}:${lineNumber}`;
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
    const checked = checkSpans(text, parsed.data.spans, { source, noteId: id });
    rejects.push(...checked.rejects);
    notes.push({ id, text, spans: checked.spans });
  }
  return { notes, rejects };
}

export function formatNerJsonl(notes: Iterable<NerNote>): string {
  let out = "";
  for (const note of notes) {
    out += `${JSON.stringify({ note_id: note.id, text: note.text, spans: sortSpans(note.spans) })}\n`;
  }
  return out;
}

export async function writeNerJsonl(file: string, notes: Iterable<NerNote>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, formatNerJsonl(notes));
}
