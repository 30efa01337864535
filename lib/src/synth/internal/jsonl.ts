import { isAscii } from "node:buffer";
import { closeSync, createReadStream, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * JSONL in and out, line by line, in bounded memory. Reading hands out batches of lines (one await
 * per megabyte rather than per line); writing buffers and flushes with one write per megabyte.
 */

export interface Line {
  /** 1-based line number in the file. */
  lineNo: number;
  text: string;
}

/**
 * Batches of non-empty lines. A last line without a newline is still returned.
 *
 * Works on bytes: each chunk is cut after its last newline byte (which never falls inside a UTF-8
 * sequence), and the whole lines are decoded at once, as Latin-1 when they are plain ASCII (a copy,
 * several times faster than V8's UTF-8 decoder) and as UTF-8 otherwise (invalid bytes become U+FFFD,
 * as before).
 */
export async function* readLineBatches(file: string, chunkBytes = 1 << 20): AsyncGenerator<Line[]> {
  const stream = createReadStream(file, { highWaterMark: chunkBytes });
  let carry: Buffer | undefined;
  let lineNo = 0;
  let batch: Line[] = [];
  // Adds the lines of `bytes`, which ends with a newline.
  const addLines = (bytes: Buffer) => {
    const text = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n", start);
      if (end < 0) break;
      lineNo++;
      const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (stop > start && !isBlank(text, start, stop)) batch.push({ lineNo, text: text.slice(start, stop) });
      start = end + 1;
    }
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const first = chunk.indexOf(10);
    if (first < 0) {
      carry = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
      continue;
    }
    // The line that started in an earlier chunk is joined on its own; the rest is decoded in place.
    let from = 0;
    if (carry) {
      addLines(Buffer.concat([carry, chunk.subarray(0, first + 1)]));
      from = first + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) addLines(chunk.subarray(from, last + 1));
    carry = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : undefined;
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  if (carry) {
    const rest = carry.toString("utf8");
    if (rest.trim() !== "") yield [{ lineNo: lineNo + 1, text: rest.replace(/\r$/, "") }];
  }
}

/** Whether text[start, stop) is whitespace only (what String.prototype.trim removes); stops at the first other character. */
function isBlank(text: string, start: number, stop: number): boolean {
  const first = text.charCodeAt(start);
  // JSON lines start with "{" or "["; the common case is decided by one character.
  if (first > 32 && first < 127) return false;
  return text.slice(start, stop).trim() === "";
}

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
        if (this.fd !== undefined) writeSync(this.fd, `${line}\n`);
        return;
      }
    }
    this.used += this.buffer.write(line, this.used, "utf8");
    this.buffer[this.used++] = 10;
    if (this.used >= this.flushBytes) this.flush();
  }
  private flush(): void {
    if (this.fd !== undefined && this.used > 0) writeSync(this.fd, this.buffer, 0, this.used);
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
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}
