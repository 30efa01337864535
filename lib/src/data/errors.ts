/**
 * Errors from reading data files. Each names the file and where in it (line, row, column, field),
 * so a user can open the file and fix it. Recognised by a marker, not `instanceof`, because a
 * notebook can load two copies of the library (the built package and the source).
 */
const DATA_ERROR = Symbol.for("clinical-distill.DataError");

export interface DataErrorLocation {
  /** The file as the caller named it. */
  file: string;
  /** 1-based line in the file (JSONL line, XML line, CSV physical line). */
  line?: number;
  /** 1-based column, where the format has one (XML). */
  column?: number;
  /** 1-based data row (CSV: the header is not counted). */
  row?: number;
  /** Field or tag the problem is about. */
  field?: string;
  /** 0-based byte offset in the file, for problems in the bytes themselves (invalid UTF-8). */
  byte?: number;
}

export class DataError extends Error {
  readonly [DATA_ERROR] = true;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly row?: number;
  readonly field?: string;
  readonly byte?: number;
  /** The problem alone, without the location prefix. */
  readonly reason: string;

  constructor(location: DataErrorLocation, reason: string) {
    super(`${formatLocation(location)}: ${reason}`);
    this.name = "DataError";
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.row = location.row;
    this.field = location.field;
    this.byte = location.byte;
    this.reason = reason;
  }

  static isInstance(value: unknown): value is DataError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[DATA_ERROR] === true;
  }
}

/** A malformed n2c2 2018 Track 1 XML file: bad XML, missing TEXT, missing/duplicate/unknown tag, bad label. */
export class N2c2FormatError extends DataError {
  constructor(location: DataErrorLocation, reason: string) {
    super(location, reason);
    this.name = "N2c2FormatError";
  }
}

/** `file:line:column (row N, field F, byte B)`: the shape editors and terminals turn into links. */
export function formatLocation(location: DataErrorLocation): string {
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  const extra: string[] = [];
  if (location.row !== undefined) extra.push(`row ${location.row}`);
  if (location.field !== undefined) extra.push(`field "${location.field}"`);
  if (location.byte !== undefined) extra.push(`byte ${location.byte}`);
  return extra.length > 0 ? `${text} (${extra.join(", ")})` : text;
}
