import { closeSync, mkdirSync, openSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { readLineBatches } from "../../data/lines.js";
import { writeAllSync } from "../../llm/internal/checked-write.js";

/**
 * JSONL in and out, line by line, in bounded memory. Reading hands out batches of lines (one await
 * per megabyte rather than per line); writing buffers and flushes with one write per megabyte.
 */

// The line reader lives in data/lines.ts, shared with the notes and NER readers (BOM, invalid UTF-8).
export { type Line, readLineBatches } from "../../data/lines.js";

/** Parsed JSON values with their line numbers; a bad line is reported, not thrown. */
export async function* readJsonl(
  file: string,
): AsyncGenerator<
  { lineNo: number; value: unknown; error?: undefined } | { lineNo: number; value?: undefined; error: string }
> {
  for await (const batch of readLineBatches(file)) {
    for (const line of batch) {
      try {
        yield { lineNo: line.lineNo, value: JSON.parse(line.text) };
      } catch (error) {
        yield { lineNo: line.lineNo, error: (error as Error).message };
      }
    }
  }
}

/** The first `limit` JSON values of a file as an array (for tables and figures; stream big files instead). */
export async function readJsonlRows<T = unknown>(file: string, limit = Number.POSITIVE_INFINITY): Promise<T[]> {
  const rows: T[] = [];
  if (limit <= 0) return rows;
  for await (const batch of readLineBatches(file)) {
    for (const line of batch) {
      try {
        rows.push(JSON.parse(line.text) as T);
      } catch (error) {
        throw new Error(`${file} line ${line.lineNo}: not valid JSON (${(error as Error).message})`);
      }
      if (rows.length >= limit) return rows;
    }
  }
  return rows;
}

/**
 * Buffered JSONL writer. Writes to `<file>.partial` and renames on close, so a killed run never
 * leaves a complete-looking but cut-off file.
 */
export class JsonlWriter {
  readonly file: string;
  private fd: number | undefined;
  // Lines are encoded straight into one reusable buffer: no array of strings to join, no second copy.
  private buffer: Buffer;
  private used = 0;
  count = 0;
  constructor(
    file: string,
    private readonly flushBytes = 1 << 20,
  ) {
    this.file = file;
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(`${file}.partial`, "w");
    this.buffer = Buffer.allocUnsafe(Math.max(1 << 16, Math.min(flushBytes, 1 << 24) * 2));
  }
  write(value: unknown): void {
    this.writeLine(JSON.stringify(value));
  }
  /** Write an already serialised JSON line (without newline). */
  writeLine(line: string): void {
    this.count++;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.used + line.length * 3 + 1 > this.buffer.length) {
      this.flush();
      if (line.length * 3 + 1 > this.buffer.length) {
        if (this.fd !== undefined)
          writeAllSync(this.fd, Buffer.from(`${line}\n`), `${this.file}.partial`, "a JSONL line");
        return;
      }
    }
    this.used += this.buffer.write(line, this.used, "utf8");
    this.buffer[this.used++] = 10;
    if (this.used >= this.flushBytes) this.flush();
  }
  private flush(): void {
    // Checked: a full disk is an error naming the file, never a silently short file.
    if (this.fd !== undefined && this.used > 0)
      writeAllSync(this.fd, this.buffer.subarray(0, this.used), `${this.file}.partial`, "JSONL lines");
    this.used = 0;
  }
  /** Finish the file: flush, close, and give it its final name. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(`${this.file}.partial`, this.file);
  }
  /** Stop after a failure: flush what was written and leave it as `<file>.partial`, never under the final name. */
  abort(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
    } finally {
      // The failure may be the disk itself: close even when the last flush cannot be written.
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
