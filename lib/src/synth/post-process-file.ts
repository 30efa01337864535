import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JsonlWriter } from "../core/jsonl.js";
import { readLineBatches } from "../core/lines.js";
import { NoteIndex, type NoteLookup } from "./note-lookup.js";
import { type PostProcessOptions, PostProcessor, type PostProcessStats } from "./post-process.js";

export interface PostProcessFileOptions extends Omit<PostProcessOptions, "notes"> {
  /** teacher-responses.jsonl written by step a. */
  responsesFile: string;
  /** The notes JSONL, or a ready lookup. */
  notes: string | NoteLookup;
  /** Folder for accepted.jsonl, rejects.jsonl, summary.json. */
  outDir: string;
}

export interface PostProcessFileResult {
  stats: PostProcessStats;
  files: { accepted: string; rejects: string; summary: string };
}

/**
 * Step b over files: teacher-responses.jsonl -> accepted.jsonl + rejects.jsonl + summary.json,
 * line by line. A line that is not JSON becomes a `bad_record` reject naming its line number.
 */
export async function postProcessFile(options: PostProcessFileOptions): Promise<PostProcessFileResult> {
  const { responsesFile, notes, outDir, ...rest } = options;
  mkdirSync(outDir, { recursive: true });
  const lookup = typeof notes === "string" ? await NoteIndex.open(notes) : notes;
  const files = {
    accepted: join(outDir, "accepted.jsonl"),
    rejects: join(outDir, "rejects.jsonl"),
    summary: join(outDir, "summary.json"),
  };
  const accepted = new JsonlWriter(files.accepted);
  const rejects = new JsonlWriter(files.rejects);
  const processor = new PostProcessor(
    { ...rest, notes: lookup },
    (row) => accepted.write(row),
    (reject) => rejects.write(reject),
  );
  let failed = true;
  try {
    for await (const batch of readLineBatches(responsesFile)) {
      for (const line of batch) {
        let value: unknown;
        try {
          value = JSON.parse(line.text);
        } catch (error) {
          processor.rejectBadRecord(
            `${responsesFile} line ${line.lineNo}: not valid JSON (${(error as Error).message})`,
            line.text.slice(0, 2000),
          );
          continue;
        }
        processor.push(value);
      }
    }
    failed = false;
  } finally {
    // On an error (e.g. non-contiguous responses) the outputs stay as .partial files.
    for (const writer of [accepted, rejects]) failed ? writer.abort() : writer.close();
    if (typeof notes === "string") lookup.close?.();
  }
  writeFileSync(files.summary, `${JSON.stringify(processor.stats, null, 2)}\n`);
  return { stats: processor.stats, files };
}
