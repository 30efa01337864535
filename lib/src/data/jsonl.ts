import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { z } from "zod";
import { formatPath } from "../config/load.js";
import { DataError } from "./errors.js";
import { type InvalidUtf8Line, readLineBatches } from "./lines.js";
import { type Reject, type RejectHandler, type WarningHandler, warningSink } from "./rejects.js";
import { describeInvalidBytes, type InvalidUtf8Mode } from "./text-bytes.js";

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
  const onInvalidUtf8 = (problem: InvalidUtf8Line) => {
    const item = invalidUtf8Problem(file, problem);
    if (options.onInvalidUtf8 === "fail") throw new DataError(item, item.message);
    warnings.warn(item);
  };
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
