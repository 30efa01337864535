import { isAscii, isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { forEachInvalidUtf8Line, hasUtf8Bom, type InvalidUtf8Line } from "./text-bytes.js";

/**
 * The one line reader of the project's JSONL readers (notes, NER, synth steps): batches of lines
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
 * Batches of non-empty lines. A last line without a newline is still returned. A UTF-8 byte order
 * mark at the start of the file is dropped (it is not part of the first line's text).
 *
 * Works on bytes: each chunk is cut after its last newline byte (which never falls inside a UTF-8
 * sequence), and the whole lines are decoded at once, as Latin-1 when they are plain ASCII (a copy,
 * several times faster than V8's UTF-8 decoder) and as UTF-8 otherwise. Only non-ASCII bytes are
 * checked for validity, and only a buffer that fails the check is scanned for where.
 */
export async function* readLineBatches(file: string, options: ReadLinesOptions | number = {}): AsyncGenerator<Line[]> {
  const { chunkBytes = 1 << 20, onInvalidUtf8 }: ReadLinesOptions =
    typeof options === "number" ? { chunkBytes: options } : options;
  const stream = createReadStream(file, { highWaterMark: chunkBytes });
  let carry: Buffer | undefined;
  let carryStart = 0;
  let lineNo = 0;
  let fileOffset = 0;
  let batch: Line[] = [];
  // Adds the lines of `bytes`, which ends with a newline and starts at file offset `at`.
  const addLines = (bytes: Buffer, at: number) => {
    let text: string;
    if (isAscii(bytes)) text = bytes.toString("latin1");
    else {
      if (onInvalidUtf8 && !isUtf8(bytes)) forEachInvalidUtf8Line(bytes, lineNo + 1, at, onInvalidUtf8);
      text = bytes.toString("utf8");
    }
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
      addLines(Buffer.concat([carry, chunk.subarray(0, first + 1)]), carryStart);
      from = first + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) addLines(chunk.subarray(from, last + 1), chunkStart + from);
    carry = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : undefined;
    carryStart = chunkStart + last + 1;
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  if (carry) {
    if (onInvalidUtf8 && !isUtf8(carry)) forEachInvalidUtf8Line(carry, lineNo + 1, carryStart, onInvalidUtf8);
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
