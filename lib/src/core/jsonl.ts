import { once } from "node:events";
import { closeSync, createWriteStream, mkdirSync, openSync, renameSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { z } from "zod";
import { writeAllSync } from "./checked-write.js";
import { DataError } from "./data-error.js";
import { formatPath, ToolkitError } from "./errors.js";
import { type InvalidUtf8Line, readLineBatches } from "./lines.js";
import { type Reject, type RejectHandler, type WarningHandler, warningSink } from "./rejects.js";
import { describeInvalidBytes, type InvalidUtf8Mode } from "./text-bytes.js";

/**
 * The toolkit's one JSONL reader and writer. Reading streams lines (bounded memory, line numbers) through
 * core/lines.ts; writing is atomic, either all at once (`writeJsonl`) or item by item (`JsonlWriter`).
 */

export interface JsonlEntry<T> {
  /** 1-based line number in the file. */
  line: number;
  value: T;
}

export interface ReadJsonlOptions {
  /** Collect bad lines here instead of throwing on the first one. */
  onReject?: RejectHandler;
  /** Problems with lines that were kept (`invalid-utf8`); without it, summed up in one process warning. */
  onWarning?: WarningHandler;
  /** Bytes that are not UTF-8: `report` (default; read as U+FFFD, one `invalid-utf8` warning per line) or `fail`. */
  onInvalidUtf8?: InvalidUtf8Mode;
}

/**
 * Stream a JSONL file line by line with line numbers (bounded memory, whatever the file size).
 * A UTF-8 byte order mark is skipped. Blank lines are skipped (they hold no item). A line that is
 * not JSON, or does not match `schema`, throws a DataError naming file and line, or goes to
 * `onReject` when given. Invalid UTF-8 is reported or fails, per `onInvalidUtf8`.
 */
export async function* readJsonlEntries<S extends z.ZodType = z.ZodType<unknown>>(
  file: string,
  schema?: S,
  options: ReadJsonlOptions = {},
): AsyncGenerator<JsonlEntry<z.output<S>>> {
  await assertReadableFile(file);
  const warnings = warningSink(options.onWarning);
  const onInvalidUtf8 = invalidUtf8Handler(file, options.onInvalidUtf8, warnings.warn);
  for await (const batch of readLineBatches(file, { onInvalidUtf8 })) {
    for (const { lineNo: line, text } of batch) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        const message = `line is not valid JSON (${describeJsonError(error as Error)}); a torn last line means the writer was interrupted`;
        if (!options.onReject) throw new DataError({ file, line }, message);
        options.onReject({ file, line, reason: "invalid-json", message });
        continue;
      }
      if (!schema) {
        yield { line, value: value as z.output<S> };
        continue;
      }
      const parsed = schema.safeParse(value);
      if (parsed.success) {
        yield { line, value: parsed.data };
        continue;
      }
      const issue = parsed.error.issues[0];
      const field = issue && issue.path.length > 0 ? formatPath(issue.path) : undefined;
      const message = parsed.error.issues
        .map((item) => `${item.path.length > 0 ? formatPath(item.path) : "(item)"}: ${item.message}`)
        .join("; ");
      if (!options.onReject) throw new DataError({ file, line, field }, message);
      options.onReject({ file, line, field, reason: "schema", message });
    }
  }
  warnings.finish(file);
}

/** The `invalid-utf8` problem for a line (never quotes the text around the bytes). */
export function invalidUtf8Problem(file: string, problem: InvalidUtf8Line): Reject {
  const count = problem.count === 1 ? "a byte sequence" : `${problem.count} byte sequences`;
  return {
    file,
    line: problem.lineNo,
    byte: problem.byte,
    reason: "invalid-utf8",
    message:
      `${count} not valid UTF-8, read as U+FFFD; first ${describeInvalidBytes(problem.bytes)} at byte ${problem.byte}` +
      " (was the file saved as Windows-1252 or Latin-1? convert it, e.g. iconv -f windows-1252 -t utf-8)",
  };
}

/** What a reader does with a line of invalid UTF-8, per `mode`: fail with a DataError, or `warn` (the default). */
export function invalidUtf8Handler(
  file: string,
  mode: InvalidUtf8Mode | undefined,
  warn: (problem: Reject) => void,
): (problem: InvalidUtf8Line) => void {
  return (problem) => {
    const item = invalidUtf8Problem(file, problem);
    if (mode === "fail") throw new DataError(item, item.message);
    warn(item);
  };
}

/** Stream the values of a JSONL file (see readJsonlEntries for errors and rejects). */
export async function* readJsonl<S extends z.ZodType = z.ZodType<unknown>>(
  file: string,
  schema?: S,
  options: ReadJsonlOptions = {},
): AsyncGenerator<z.output<S>> {
  for await (const entry of readJsonlEntries(file, schema, options)) yield entry.value;
}

/**
 * Write items as JSONL, atomically: to a temporary file beside the target, renamed over it only
 * when every item is written, so a crash or a bad item never leaves a half-written file where a
 * good one was. Creates the parent folder. Returns the number of lines written.
 */
export async function writeJsonl(file: string, items: AsyncIterable<unknown> | Iterable<unknown>): Promise<number> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const output = createWriteStream(temporary, { encoding: "utf8" });
  let failure: Error | undefined;
  output.on("error", (error) => {
    failure = error;
  });
  let count = 0;
  try {
    // Lines are batched into ~64 KB writes: one stream write per line costs more than the JSON itself.
    let buffer = "";
    for await (const item of items) {
      if (failure) throw failure;
      const line = JSON.stringify(item);
      if (line === undefined) throw new DataError({ file, line: count + 1 }, "item cannot be written as JSON");
      count += 1;
      buffer += `${line}\n`;
      if (buffer.length >= 65_536) {
        const flushed = output.write(buffer);
        buffer = "";
        if (!flushed) await once(output, "drain");
      }
    }
    if (buffer !== "") output.write(buffer);
    output.end();
    await once(output, "finish");
    if (failure) throw failure;
    await rename(temporary, file);
    return count;
  } catch (error) {
    // Wait for the stream to close: its file may still be opening, and would appear after the rm.
    if (!output.closed) {
      const closed = once(output, "close");
      output.destroy();
      await closed.catch(() => undefined);
    }
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A missing file or a folder gets a DataError naming it, before any stream is opened. */
export async function assertReadableFile(file: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch (error) {
    throw new DataError(
      { file },
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  if (!info.isFile()) throw new DataError({ file }, "is not a regular file");
}

/**
 * Where JSON.parse failed, without the snippet of input V8 puts in its message: the input is note
 * text (possibly restricted data) and reject messages are printed and saved.
 */
function describeJsonError(error: Error): string {
  const position = /position (\d+)/.exec(error.message);
  if (position) return `syntax error at character ${Number(position[1]) + 1}`;
  if (/end of JSON input|Unterminated string/i.test(error.message)) return "the line ends inside a JSON value";
  return "syntax error";
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
        throw new ToolkitError(
          `${file} line ${line.lineNo}: not valid JSON (${(error as Error).message})`,
          { stage: "data", file, line: line.lineNo },
          { cause: error },
        );
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
    if (!this.makeRoom(line.length * 3 + 1)) {
      this.writeDirect(Buffer.from(`${line}\n`), "a JSONL line");
      return;
    }
    this.used += this.buffer.write(line, this.used, "utf8");
    this.buffer[this.used++] = 10;
    if (this.used >= this.flushBytes) this.flush();
  }
  /** Append `lines` JSON lines already encoded as UTF-8, each ending in a newline (from a worker thread). */
  writeEncoded(bytes: Uint8Array, lines: number): void {
    this.count += lines;
    if (!this.makeRoom(bytes.length)) {
      this.writeDirect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), "JSONL lines");
      return;
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
    if (this.used >= this.flushBytes) this.flush();
  }
  /** Whether `bytes` more fit in the buffer, flushing it first if they do not fit beside what it holds. */
  private makeRoom(bytes: number): boolean {
    if (this.used + bytes <= this.buffer.length) return true;
    this.flush();
    return bytes <= this.buffer.length;
  }
  /** Bytes too big for the buffer, written straight to the file (the buffer is empty: makeRoom flushed it). */
  private writeDirect(bytes: Buffer, what: string): void {
    if (this.fd !== undefined) writeAllSync(this.fd, bytes, `${this.file}.partial`, what);
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
