import { writeFileSync } from "node:fs";
import { ToolkitError } from "../core/errors.js";
import { readJsonlEntries } from "../core/jsonl.js";
import { readNotes } from "../data/notes.js";
import { requestKey } from "../llm/request-key.js";
import { isQuestionType, type QuestionType } from "../prompts/teacher.js";
import { type TeacherRequestOptions, teacherRequestsForNote } from "./generate.js";

/**
 * The sample teacher responses (data/sample/teacher-responses/): written by the project to show
 * the format and every reject path; NOT model output. `written.jsonl` holds them by note and
 * question type; `replay.jsonl` is the same texts keyed by request hash, the response-cache format
 * the replay backend reads. Rebuild replay.jsonl whenever the teacher prompts or sample settings
 * change (`clinical-distill synth sample-replay`); a test fails while it is stale.
 */

export interface WrittenResponse {
  note_id: string;
  question_type: QuestionType;
  finishReason: string;
  text: string;
  comment?: string;
}

/** The written responses, through the one JSONL reader (BOM, line numbers, a bad line is an error naming it). */
export async function readWrittenResponses(file: string): Promise<WrittenResponse[]> {
  const responses: WrittenResponse[] = [];
  for await (const { line, value } of readJsonlEntries(file)) {
    const response = value as WrittenResponse;
    if (
      typeof response?.note_id !== "string" ||
      !isQuestionType(response.question_type) ||
      typeof response.text !== "string"
    )
      throw new ToolkitError(`${file} line ${line}: needs note_id, a known question_type and text`, {
        stage: "synth",
        file,
        line,
      });
    responses.push(response);
  }
  return responses;
}

/** The replay.jsonl text for the written responses under the given teacher settings. */
export async function buildSampleReplay(
  writtenFile: string,
  notesFile: string,
  options: TeacherRequestOptions,
): Promise<string> {
  const written = await readWrittenResponses(writtenFile);
  const wanted = new Map(written.map((w) => [`${w.note_id}:${w.question_type}`, w]));
  const lines: string[] = [];
  const found = new Set<string>();
  for await (const note of readNotes(notesFile)) {
    if (!written.some((w) => w.note_id === note.note_id)) continue;
    for (const request of teacherRequestsForNote(note, options).requests) {
      const response = wanted.get(`${request.meta.note_id}:${request.meta.question_type}`);
      if (!response || request.meta.chunk !== 0) continue;
      found.add(`${request.meta.note_id}:${request.meta.question_type}`);
      // Field order and a fixed timestamp keep the file byte-stable; key first as the cache expects.
      lines.push(
        JSON.stringify({
          key: requestKey(request),
          id: request.id,
          text: response.text,
          finishReason: response.finishReason,
          model: request.model,
          at: 0,
          sample: "written by the project to show the format; not model output",
        }),
      );
    }
  }
  const unused = [...wanted.keys()].filter((k) => !found.has(k));
  if (unused.length > 0)
    throw new ToolkitError(`${writtenFile}: no request matches ${unused.join(", ")} (note missing or type count 0)`, {
      stage: "synth",
      file: writtenFile,
    });
  return `${lines.join("\n")}\n`;
}

export async function writeSampleReplay(
  writtenFile: string,
  notesFile: string,
  replayFile: string,
  options: TeacherRequestOptions,
) {
  const text = await buildSampleReplay(writtenFile, notesFile, options);
  writeFileSync(replayFile, text);
  return { file: replayFile, responses: text.split("\n").length - 1 };
}
