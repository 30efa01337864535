import { isAscii, isUtf8 } from "node:buffer";
import { createReadStream, readFileSync } from "node:fs";
import { forEachInvalidUtf8Line, hasUtf8Bom, type InvalidUtf8Line } from "./text-bytes.js";

/**
 * The one line reader of the project (JSONL notes, NER, synth steps, terminology files): batches of lines
 * (one await per megabyte rather than per line), in bounded memory, with line numbers.
 */

export interface Line {
  /** 1-based line number in the file. */
  lineNo: number;
  text: string;
}

export type { InvalidUtf8Line };

export interface ReadLinesOptions {
  chunkBytes?: number;
  /** Called once per line that holds invalid UTF-8, before that line's batch is handed out. */
  onInvalidUtf8?: (problem: InvalidUtf8Line) => void;
}

/**
 * Batches of non-empty lines of a file, or of a byte stream (e.g. a gunzip stream). A last line without
 * a newline is still returned. A UTF-8 byte order mark at the start is dropped (it is not part of the
 * first line's text).
 *
 * Works on bytes: each chunk is cut after its last newline byte (which never falls inside a UTF-8
 * sequence), and the whole lines are decoded at once, as Latin-1 when they are plain ASCII (a copy,
 * several times faster than V8's UTF-8 decoder) and as UTF-8 otherwise. Only non-ASCII bytes are
 * checked for validity, and only a buffer that fails the check is scanned for where.
 */
export async function* readLineBatches(
  source: string | AsyncIterable<Buffer>,
  options: ReadLinesOptions | number = {},
): AsyncGenerator<Line[]> {
  const { chunkBytes = 1 << 20, onInvalidUtf8 }: ReadLinesOptions =
    typeof options === "number" ? { chunkBytes: options } : options;
  const stream = typeof source === "string" ? createReadStream(source, { highWaterMark: chunkBytes }) : source;
  const splitter = new LineSplitter(onInvalidUtf8);
  let carry: Buffer | undefined;
  let carryStart = 0;
  let fileOffset = 0;
  for await (let chunk of stream as AsyncIterable<Buffer>) {
    let chunkStart = fileOffset;
    fileOffset += chunk.length;
    if (chunkStart === 0 && hasUtf8Bom(chunk)) {
      chunk = chunk.subarray(3);
      chunkStart = 3;
    }
    const first = chunk.indexOf(10);
    if (first < 0) {
      if (!carry) carryStart = chunkStart;
      carry = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
      continue;
    }
    // The line that started in an earlier chunk is joined on its own; the rest is decoded in place.
    let from = 0;
    if (carry) {
      splitter.add(Buffer.concat([carry, chunk.subarray(0, first + 1)]), carryStart);
      from = first + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) splitter.add(chunk.subarray(from, last + 1), chunkStart + from);
    carry = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : undefined;
    carryStart = chunkStart + last + 1;
    const batch = splitter.take();
    if (batch.length > 0) yield batch;
  }
  if (carry) splitter.addLast(carry, carryStart);
  const rest = splitter.take();
  if (rest.length > 0) yield rest;
}

/**
 * The non-empty lines of a whole file at once, read the same way as `readLineBatches` (BOM dropped, line
 * numbers, invalid UTF-8 reported): for small files a synchronous caller reads, such as predictions.
 */
export function readLinesSync(file: string, options: Omit<ReadLinesOptions, "chunkBytes"> = {}): Line[] {
  let bytes = readFileSync(file);
  let start = 0;
  if (hasUtf8Bom(bytes)) {
    bytes = bytes.subarray(3);
    start = 3;
  }
  const splitter = new LineSplitter(options.onInvalidUtf8);
  const last = bytes.lastIndexOf(10);
  if (last >= 0) splitter.add(bytes.subarray(0, last + 1), start);
  if (last + 1 < bytes.length) splitter.addLast(bytes.subarray(last + 1), start + last + 1);
  return splitter.take();
}

/** Turns whole lines of bytes into numbered, non-blank `Line`s; shared by the streaming and whole-file readers. */
class LineSplitter {
  private lineNo = 0;
  private lines: Line[] = [];

  constructor(private readonly onInvalidUtf8?: (problem: InvalidUtf8Line) => void) {}

  /** Adds the lines of `bytes`, which ends with a newline and starts at file offset `at`. */
  add(bytes: Buffer, at: number): void {
    let text: string;
    if (isAscii(bytes)) text = bytes.toString("latin1");
    else {
      if (this.onInvalidUtf8 && !isUtf8(bytes)) forEachInvalidUtf8Line(bytes, this.lineNo + 1, at, this.onInvalidUtf8);
      text = bytes.toString("utf8");
    }
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n", start);
      if (end < 0) break;
      this.lineNo++;
      const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (stop > start && !isBlank(text, start, stop))
        this.lines.push({ lineNo: this.lineNo, text: text.slice(start, stop) });
      start = end + 1;
    }
  }

  /** Adds a last line that has no newline. */
  addLast(bytes: Buffer, at: number): void {
    if (this.onInvalidUtf8 && !isUtf8(bytes)) forEachInvalidUtf8Line(bytes, this.lineNo + 1, at, this.onInvalidUtf8);
    const rest = bytes.toString("utf8");
    if (rest.trim() !== "") this.lines.push({ lineNo: this.lineNo + 1, text: rest.replace(/\r$/, "") });
  }

  /** The lines added since the last call. */
  take(): Line[] {
    const lines = this.lines;
    this.lines = [];
    return lines;
  }
}

/** Whether text[start, stop) is whitespace only (what String.prototype.trim removes); stops at the first other character. */
function isBlank(text: string, start: number, stop: number): boolean {
  const first = text.charCodeAt(start);
  // JSON lines start with "{" or "["; the common case is decided by one character.
  if (first > 32 && first < 127) return false;
  return text.slice(start, stop).trim() === "";
}

/** Non-blank lines of a text file with 1-based numbers, one at a time (terminology files run to hundreds of MB). */
export async function* numberedLines(file: string): AsyncGenerator<[number, string]> {
  for await (const batch of readLineBatches(file)) for (const line of batch) yield [line.lineNo, line.text];
}
