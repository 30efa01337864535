import { isAscii, isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { type Readable, Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { parse } from "csv-parse";
import type { z } from "zod";
import { formatPath } from "../config/load.js";
import { DataError } from "./errors.js";
import { assertReadableFile, invalidUtf8Problem } from "./jsonl.js";
import { type WarningHandler, warningSink } from "./rejects.js";
import { forEachInvalidUtf8Line, type InvalidUtf8Line, type InvalidUtf8Mode } from "./text-bytes.js";

export interface CsvRow<T = Record<string, string>> {
  /** 1-based data row (the header is row 0), as spreadsheet users count after the header. */
  row: number;
  /** 1-based physical line where the row ends (differs from row + 1 when quoted fields span lines). */
  line: number;
  values: T;
}

export interface ReadCsvOptions<S extends z.ZodType | undefined = undefined> {
  /** Columns the header must have (others are allowed and kept). */
  requiredColumns?: readonly string[];
  /** Optional per-row schema over the `{column: value}` object; failures name row and field. */
  rowSchema?: S;
  /** Field delimiter, `,` unless told. */
  delimiter?: string;
  /** Problems with rows that were kept (`invalid-utf8`); without it, one process warning per file. */
  onWarning?: WarningHandler;
  /** Bytes that are not UTF-8: `report` (default: read as U+FFFD, warned with line and byte) or `fail`. */
  onInvalidUtf8?: InvalidUtf8Mode;
}

type RowValues<S> = S extends z.ZodType ? z.output<S> : Record<string, string>;

/**
 * Stream the rows of a CSV file with a header line. Errors are DataErrors naming the file and the
 * row or line: unreadable file, empty file, blank or duplicate header names, missing required
 * columns, a row with the wrong number of fields, an unclosed quote, a row failing `rowSchema`.
 */
export async function* readCsvRows<S extends z.ZodType | undefined = undefined>(
  file: string,
  options: ReadCsvOptions<S> = {},
): AsyncGenerator<CsvRow<RowValues<S>>> {
  await assertReadableFile(file);
  const warnings = warningSink(options.onWarning);
  const parser = parse({ bom: true, delimiter: options.delimiter ?? ",", skip_empty_lines: true, info: true });
  const checker = utf8Checker((problem) => {
    const item = invalidUtf8Problem(file, problem);
    if (options.onInvalidUtf8 === "fail") throw new DataError(item, item.message);
    warnings.warn(item);
  });
  checker.on("error", (error) => parser.destroy(error));
  openText(file).pipe(checker).pipe(parser);
  let columns: string[] | undefined;
  let row = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        columns = checkHeader(file, record, options.requiredColumns ?? []);
        continue;
      }
      row += 1;
      const values = Object.fromEntries(columns.map((column, index) => [column, record[index]]));
      if (!options.rowSchema) {
        yield { row, line: info.lines, values: values as RowValues<S> };
        continue;
      }
      const parsed = options.rowSchema.safeParse(values);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue.path.length > 0 ? formatPath(issue.path) : undefined;
        throw new DataError({ file, line: info.lines, row, field }, issue.message);
      }
      yield { row, line: info.lines, values: parsed.data as RowValues<S> };
    }
  } catch (error) {
    if (DataError.isInstance(error)) throw error;
    const lines = (error as { lines?: unknown }).lines;
    throw new DataError(
      { file, line: typeof lines === "number" ? lines : undefined },
      `not valid CSV: ${(error as Error).message}`,
    );
  } finally {
    parser.destroy();
    checker.destroy();
  }
  if (!columns) throw new DataError({ file }, "the file is empty (expected a header line)");
  warnings.finish(file);
}

export interface CsvTable<T = Record<string, string>> {
  file: string;
  columns: string[];
  rows: CsvRow<T>[];
}

/** Read a whole CSV table (annotation tables are small); see readCsvRows for the checks. */
export async function readCsvTable<S extends z.ZodType | undefined = undefined>(
  file: string,
  options: ReadCsvOptions<S> = {},
): Promise<CsvTable<RowValues<S>>> {
  const rows: CsvRow<RowValues<S>>[] = [];
  let columns: string[] = [];
  for await (const row of readCsvRows(file, options)) rows.push(row);
  if (rows.length > 0) columns = Object.keys(rows[0].values as object);
  else columns = await readCsvHeader(file);
  return { file, columns, rows };
}

/** Just the header of a CSV file (validated as readCsvRows does, without required columns). */
export async function readCsvHeader(file: string): Promise<string[]> {
  await assertReadableFile(file);
  const parser = openText(file).pipe(parse({ bom: true, skip_empty_lines: true, to_line: 1 }));
  try {
    for await (const record of parser as AsyncIterable<string[]>) return checkHeader(file, record, []);
  } finally {
    parser.destroy();
  }
  throw new DataError({ file }, "the file is empty (expected a header line)");
}

function checkHeader(file: string, header: string[], required: readonly string[]): string[] {
  const columns = header.map((name) => name.trim());
  const blank = columns.indexOf("");
  if (blank >= 0) throw new DataError({ file, line: 1 }, `header column ${blank + 1} has no name`);
  const duplicate = columns.find((name, index) => columns.indexOf(name) !== index);
  if (duplicate !== undefined)
    throw new DataError({ file, line: 1, field: duplicate }, `header names column "${duplicate}" twice`);
  const missing = required.filter((name) => !columns.includes(name));
  if (missing.length > 0)
    throw new DataError(
      { file, line: 1 },
      `header is missing required column${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")} (header has: ${columns.join(", ")})`,
    );
  return columns;
}

/**
 * A pass-through that checks the bytes are UTF-8 on their way to the CSV parser. A sequence cut at
 * a chunk's end is held back to the next chunk; lines are counted by newline bytes (a quoted field
 * spanning lines counts each physical line, as editors do).
 */
function utf8Checker(onInvalid: (problem: InvalidUtf8Line) => void): Transform {
  let held: Buffer | undefined;
  let offset = 0;
  let line = 1;
  const check = (bytes: Buffer) => {
    if (!isAscii(bytes) && !isUtf8(bytes)) forEachInvalidUtf8Line(bytes, line, offset, onInvalid);
    for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) line++;
    offset += bytes.length;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        const bytes = held ? Buffer.concat([held, chunk]) : chunk;
        const cut = bytes.length - incompleteTail(bytes);
        held = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : undefined;
        check(bytes.subarray(0, cut));
        done(null, chunk);
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        if (held) check(held);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

/** Bytes at the end of `bytes` that begin a multi-byte sequence the chunk does not finish (0 to 3). */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/** A byte stream of the file, decompressed when it ends in `.gz` (MIMIC ships `discharge.csv.gz`). */
function openText(file: string): Readable {
  const raw = createReadStream(file);
  if (!file.endsWith(".gz")) return raw;
  const gunzip = createGunzip();
  raw.on("error", (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}
