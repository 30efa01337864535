import { numberedLines } from "../core/lines.js";
import type { NerReject } from "./types.js";

export interface TeacherAnswersRead {
  /** The recorded answer object per note id (validated later by the LLM layer against the schema). */
  answers: Map<string, unknown>;
  /** True when any line is marked `"sample": true`: a project-written stand-in, never a model's output. */
  sample: boolean;
  rejects: NerReject[];
}

/**
 * Recorded teacher answers by note id, one JSON object a line: {"note_id", "answer", "sample"?}. The demo's
 * file holds project-written SAMPLE answers; they go through the LLM layer's replay backend like any
 * recorded answer (see replayRecordsFor), so the notebook exercises the real path.
 */
export async function readTeacherAnswers(file: string): Promise<TeacherAnswersRead> {
  const answers = new Map<string, unknown>();
  const rejects: NerReject[] = [];
  let sample = false;
  for await (const [lineNumber, line] of numberedLines(file)) {
    if (line.trim() === "") continue;
    const source = `${file}:${lineNumber}`;
    let record: { note_id?: unknown; answer?: unknown; sample?: unknown };
    try {
      record = JSON.parse(line);
    } catch (error) {
      rejects.push({ source, reason: "unparseable", detail: `not JSON (${(error as Error).message})` });
      continue;
    }
    if (typeof record.note_id !== "string" || record.note_id === "" || record.answer === undefined) {
      rejects.push({ source, reason: "schema_mismatch", detail: 'needs "note_id" (string) and "answer"' });
      continue;
    }
    if (answers.has(record.note_id)) {
      rejects.push({
        source,
        noteId: record.note_id,
        reason: "duplicate",
        detail: "a second answer for this note; the first is kept",
      });
      continue;
    }
    if (record.sample === true) sample = true;
    answers.set(record.note_id, record.answer);
  }
  return { answers, sample, rejects };
}
