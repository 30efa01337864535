import { parentPort, workerData } from "node:worker_threads";
import { NoteIndex } from "../note-lookup.js";
import { PostProcessor } from "../post-process.js";
import { pushLines } from "../post-process-file.js";
import type { ChunkReply, ChunkRequest, WorkerSetup } from "./post-process-pool.js";

// Step b over one run of whole notes per message; the reply carries the JSONL bytes and the stats.
const setup = workerData as WorkerSetup;
const notes = NoteIndex.fromShared(setup.notes);

/** JSON lines encoded as UTF-8 into one transferable buffer (no array of strings to join, no second copy). */
class EncodedLines {
  bytes = Buffer.allocUnsafeSlow(1 << 20);
  used = 0;
  lines = 0;
  push(value: unknown): void {
    const line = JSON.stringify(value);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = this.used + line.length * 3 + 1;
    if (most > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(most, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    this.used += this.bytes.write(line, this.used, "utf8");
    this.bytes[this.used++] = 10;
    this.lines++;
  }
  /** The encoded lines, on an ArrayBuffer of their own (allocUnsafeSlow never pools). */
  view(): Uint8Array {
    return new Uint8Array(this.bytes.buffer, 0, this.used);
  }
}

parentPort?.on("message", ({ index, lines }: ChunkRequest) => {
  let reply: ChunkReply;
  try {
    const accepted = new EncodedLines();
    const rejects = new EncodedLines();
    const processor = new PostProcessor(
      { ...setup.options, notes },
      (row) => accepted.push(row),
      (reject) => rejects.push(reject),
    );
    pushLines(processor, lines, setup.responsesFile);
    reply = {
      index,
      accepted: accepted.view(),
      acceptedLines: accepted.lines,
      rejects: rejects.view(),
      rejectsLines: rejects.lines,
      stats: processor.stats,
      notes: processor.notesInOrder(),
    };
  } catch (error) {
    reply = { index, error: (error as Error).message };
  }
  const transfer = "accepted" in reply ? [reply.accepted.buffer, reply.rejects.buffer] : [];
  parentPort?.postMessage(reply, transfer as ArrayBuffer[]);
});
