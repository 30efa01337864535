import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { defaults } from "../config/defaults.js";
import { JsonlWriter } from "../core/jsonl.js";
import { type Line, readLineBatches } from "../core/lines.js";
import { postProcessInWorkers } from "./internal/post-process-pool.js";
import { NoteIndex, type NoteLookup } from "./note-lookup.js";
import { type PostProcessOptions, PostProcessor, type PostProcessStats } from "./post-process.js";

export interface PostProcessFileOptions extends Omit<PostProcessOptions, "notes"> {
  /** teacher-responses.jsonl written by step a. */
  responsesFile: string;
  /** The notes JSONL, or a ready lookup. */
  notes: string | NoteLookup;
  /** Folder for accepted.jsonl, rejects.jsonl, summary.json. */
  outDir: string;
  /**
   * Worker threads that process the responses, a run of whole notes each (0: this thread). "auto" (the
   * default) uses up to 4, one per core, for files of 4 MB or more. The files are the same either way.
   * Workers need a notes file (not a lookup) and "contiguous" grouping; otherwise this thread does it all.
   */
  workers?: number | "auto";
}

export interface PostProcessFileResult {
  stats: PostProcessStats;
  files: { accepted: string; rejects: string; summary: string };
  /** Worker threads that did the work (0: this thread, also when it had to redo the workers' run). */
  workers: number;
}

/** Smaller files are not worth starting workers for (a worker's start costs about what 2 MB of responses do). */
const AUTO_WORKERS_MIN_BYTES = 4 * 2 ** 20;

/** Feeds lines of the responses file to a processor; a line that is not JSON becomes a `bad_record` reject. */
export function pushLines(processor: PostProcessor, lines: readonly Line[], responsesFile: string): void {
  for (const line of lines) {
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

function workerCount(options: PostProcessFileOptions): number {
  const asked = options.workers ?? defaults.synth.postProcess.workers;
  if (typeof options.notes !== "string" || (options.grouping ?? "contiguous") !== "contiguous") return 0;
  if (asked !== "auto") return asked;
  const cores = availableParallelism();
  return cores > 1 && statSync(options.responsesFile).size >= AUTO_WORKERS_MIN_BYTES ? Math.min(cores, 4) : 0;
}

/**
 * Step b over files: teacher-responses.jsonl -> accepted.jsonl + rejects.jsonl + summary.json,
 * line by line. A line that is not JSON becomes a `bad_record` reject naming its line number.
 */
export async function postProcessFile(options: PostProcessFileOptions): Promise<PostProcessFileResult> {
  const { responsesFile, notes, outDir, workers: _workers, ...rest } = options;
  mkdirSync(outDir, { recursive: true });
  const workers = workerCount(options);
  const lookup = typeof notes === "string" ? await NoteIndex.open(notes) : notes;
  const files = {
    accepted: join(outDir, "accepted.jsonl"),
    rejects: join(outDir, "rejects.jsonl"),
    summary: join(outDir, "summary.json"),
  };
  let accepted = new JsonlWriter(files.accepted);
  let rejects = new JsonlWriter(files.rejects);
  let failed = true;
  let stats: PostProcessStats | undefined;
  let used = 0;
  try {
    if (workers > 0 && lookup instanceof NoteIndex) {
      stats = await postProcessInWorkers({
        responsesFile,
        notes: lookup.share(),
        options: rest,
        workers,
        accepted,
        rejects,
      });
      // undefined: a note's responses were not in one run (they came back later): this thread redoes it
      // all, so the outcome (an error naming the response, or files) is exactly the one-thread outcome.
      if (stats !== undefined) used = workers;
      else {
        accepted.abort();
        rejects.abort();
        accepted = new JsonlWriter(files.accepted);
        rejects = new JsonlWriter(files.rejects);
      }
    }
    if (stats === undefined) {
      const processor = new PostProcessor(
        { ...rest, notes: lookup },
        (row) => accepted.write(row),
        (reject) => rejects.write(reject),
      );
      for await (const batch of readLineBatches(responsesFile)) pushLines(processor, batch, responsesFile);
      stats = processor.stats;
    }
    failed = false;
  } finally {
    // On an error (e.g. non-contiguous responses) the outputs stay as .partial files.
    for (const writer of [accepted, rejects]) failed ? writer.abort() : writer.close();
    if (typeof notes === "string") lookup.close?.();
  }
  writeFileSync(files.summary, `${JSON.stringify(stats, null, 2)}\n`);
  return { stats, files, workers: used };
}
