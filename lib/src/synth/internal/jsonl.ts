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

/** Batches of non-empty lines. A last line without a newline is still returned. */
export async function* readLineBatches(file: string, chunkBytes = 1 << 20): AsyncGenerator<Line[]> {
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: chunkBytes });
  let rest = "";
  let lineNo = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    const batch: Line[] = [];
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n", start);
      if (end < 0) break;
      lineNo++;
      let line = text.slice(start, end);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line.trim() !== "") batch.push({ lineNo, text: line });
      start = end + 1;
    }
    rest = text.slice(start);
    if (batch.length > 0) yield batch;
  }
  if (rest.trim() !== "") yield [{ lineNo: lineNo + 1, text: rest.replace(/\r$/, "") }];
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
  private parts: string[] = [];
  private pending = 0;
  count = 0;
  constructor(
    file: string,
    private readonly flushBytes = 1 << 20,
  ) {
    this.file = file;
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(`${file}.partial`, "w");
  }
  write(value: unknown): void {
    this.writeLine(JSON.stringify(value));
  }
  /** Write an already serialised JSON line (without newline). */
  writeLine(line: string): void {
    this.parts.push(line, "\n");
    this.pending += line.length + 1;
    this.count++;
    if (this.pending >= this.flushBytes) this.flush();
  }
  private flush(): void {
    if (this.fd === undefined || this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.pending = 0;
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
