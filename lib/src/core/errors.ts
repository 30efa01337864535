/**
 * The one error base of the toolkit. Every error the library throws on purpose extends `ToolkitError`
 * and says where the problem is: the pipeline stage, and where known the file, the line or row, the
 * column and the field, so a notebook or the CLI can point the user at it. The message is the class's
 * own (each class words its message for its readers); the place is carried beside it as fields.
 *
 * Recognised by a marker rather than `instanceof`, because a notebook can load two copies of the
 * library (the built package and the source): `ToolkitError.isInstance(error)`.
 */
const TOOLKIT_ERROR = Symbol.for("clinical-distill.ToolkitError");

/** The part of the toolkit that raised the error. */
export type Stage =
  | "config"
  | "data"
  | "llm"
  | "prompts"
  | "synth"
  | "eval"
  | "ner"
  | "slurm"
  | "report"
  | "secrets"
  | "cli";

/** Where a problem is. Lines, rows and columns are 1-based; `byte` is a 0-based offset in the file. */
export interface ErrorPlace {
  stage: Stage;
  /** The file as the caller named it. */
  file?: string;
  line?: number;
  column?: number;
  /** Data row (CSV, parquet: the header is not counted). */
  row?: number;
  /** Field, column name, config path or tag the problem is about. */
  field?: string;
  byte?: number;
}

export class ToolkitError extends Error {
  readonly [TOOLKIT_ERROR] = true;
  readonly stage: Stage;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly row?: number;
  readonly field?: string;
  readonly byte?: number;

  constructor(message: string, place: ErrorPlace, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.stage = place.stage;
    this.file = place.file;
    this.line = place.line;
    this.column = place.column;
    this.row = place.row;
    this.field = place.field;
    this.byte = place.byte;
  }

  static isInstance(value: unknown): value is ToolkitError {
    return hasMarker(value, TOOLKIT_ERROR);
  }
}

/** Whether `value` carries a class's `Symbol.for` marker: the body of each error class's `isInstance`. */
export function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

/** `file:line:column (row N, field "F", byte B)`: the shape editors and terminals turn into links. */
export function formatPlace(place: Omit<ErrorPlace, "stage"> & { file: string }): string {
  let text = place.file;
  if (place.line !== undefined) {
    text += `:${place.line}`;
    if (place.column !== undefined) text += `:${place.column}`;
  }
  const extra: string[] = [];
  if (place.row !== undefined) extra.push(`row ${place.row}`);
  if (place.field !== undefined) extra.push(`field "${place.field}"`);
  if (place.byte !== undefined) extra.push(`byte ${place.byte}`);
  return extra.length > 0 ? `${text} (${extra.join(", ")})` : text;
}

/** Dotted field path as a user writes it in YAML: `llm.sampling.temperature`, `datasets[2].path`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
}
