import type { Worker } from "node:worker_threads";
import type { JsonlWriter } from "../../core/jsonl.js";
import { type Line, readLineBatches } from "../../core/lines.js";
import type { SharedNoteIndex } from "../note-lookup.js";
import { addStats, emptyStats, type PostProcessOptions, type PostProcessStats } from "../post-process.js";
import { startWorker } from "./start-worker.js";

/**
 * Step b in worker threads. This thread reads the responses and cuts them into runs of whole notes (about
 * CHUNK_CHARS each); each worker runs the one-thread PostProcessor over a run and sends back the accepted and
 * rejected lines as bytes with its stats; this thread writes them in input order. Dedupe state is per note and
 * a run holds whole notes, so the files are the ones a single pass writes. Where a run starts cut from its note
 * is decided from a cheap look at `"note_id"` in the line; the workers report the notes they really met, and
 * if any note turns up in two runs (a wrong look, or a note that comes back later), or a worker fails, this
 * returns undefined and the caller redoes the file in one thread, which gives the one-thread outcome exactly.
 */

export interface WorkerSetup {
  responsesFile: string;
  notes: SharedNoteIndex;
  options: Omit<PostProcessOptions, "notes">;
}

export interface ChunkRequest {
  index: number;
  lines: Line[];
}

export type ChunkReply =
  | {
      index: number;
      accepted: Uint8Array;
      acceptedLines: number;
      rejects: Uint8Array;
      rejectsLines: number;
      stats: PostProcessStats;
      notes: string[];
    }
  | { index: number; error: string };

const CHUNK_CHARS = 1 << 20;
const NOTE_ID = /"note_id"\s*:\s*("(?:[^"\\]|\\.)*")/;

/** The line's note id as far as a look at its text tells (undefined: cannot tell); a guess, checked later. */
function noteIdHint(text: string): string | undefined {
  const match = NOTE_ID.exec(text);
  if (!match) return undefined;
  try {
    return JSON.parse(match[1]) as string;
  } catch {
    return undefined;
  }
}

export async function postProcessInWorkers(run: {
  responsesFile: string;
  notes: SharedNoteIndex;
  options: Omit<PostProcessOptions, "notes">;
  workers: number;
  accepted: JsonlWriter;
  rejects: JsonlWriter;
}): Promise<PostProcessStats | undefined> {
  const setup: WorkerSetup = { responsesFile: run.responsesFile, notes: run.notes, options: run.options };
  const workers: Worker[] = [];
  const outstanding: number[] = [];
  const done = new Map<number, ChunkReply>();
  const seen = new Set<string>();
  const stats = emptyStats();
  let sent = 0;
  let written = 0;
  let redo = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  // Writes finished runs in input order; a note seen in an earlier run means the cut was wrong.
  const writeReady = () => {
    for (let reply = done.get(written); reply && !redo; reply = done.get(written)) {
      done.delete(written);
      if ("error" in reply || reply.notes.some((note) => seen.has(note))) {
        redo = true;
        break;
      }
      for (const note of reply.notes) seen.add(note);
      run.accepted.writeEncoded(reply.accepted, reply.acceptedLines);
      run.rejects.writeEncoded(reply.rejects, reply.rejectsLines);
      addStats(stats, reply.stats);
      written++;
    }
  };

  const spawn = (slot: number) => {
    const worker = startWorker("post-process-worker", setup);
    worker.on("message", (reply: ChunkReply) => {
      outstanding[slot]--;
      done.set(reply.index, reply);
      writeReady();
      notify();
    });
    worker.on("error", (error) => {
      process.emitWarning(`post-processing worker failed (${error.message}); redoing the file in one thread`);
      redo = true;
      notify();
    });
    workers.push(worker);
    outstanding.push(0);
  };
  for (let slot = 0; slot < run.workers; slot++) spawn(slot);

  const until = async (ready: () => boolean) => {
    while (!ready() && !redo) await new Promise<void>((resolve) => (wake = resolve));
  };
  const send = async (lines: Line[]) => {
    // At most two runs queued per worker: memory stays bounded whatever the file size.
    await until(() => sent - written < 2 * workers.length);
    if (redo) return;
    let slot = 0;
    for (let s = 1; s < workers.length; s++) if (outstanding[s] < outstanding[slot]) slot = s;
    outstanding[slot]++;
    workers[slot].postMessage({ index: sent++, lines } satisfies ChunkRequest);
  };

  try {
    let chunk: Line[] = [];
    let chars = 0;
    let lastNote: string | undefined;
    for await (const batch of readLineBatches(run.responsesFile)) {
      for (const line of batch) {
        const note = noteIdHint(line.text);
        // Cut only between two notes, once the run is long enough.
        if (chars >= CHUNK_CHARS && note !== undefined && note !== lastNote) {
          await send(chunk);
          if (redo) return undefined;
          chunk = [];
          chars = 0;
        }
        chunk.push(line);
        chars += line.text.length;
        if (note !== undefined) lastNote = note;
      }
    }
    if (chunk.length > 0) await send(chunk);
    await until(() => written === sent);
    return redo ? undefined : stats;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
