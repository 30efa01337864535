/**
 * Errors from reading data files. Each names the file and where in it (line, row, column, field),
 * so a user can open the file and fix it. Recognised by a marker, not `instanceof`, because a
 * notebook can load two copies of the library (the built package and the source).
 */
import { type ErrorPlace, formatPlace, hasMarker, ToolkitError } from "./errors.js";

const DATA_ERROR = Symbol.for("clinical-distill.DataError");

/** Where in a data file: the file, and where known its line (JSONL, XML, CSV physical line), row, column, field, byte. */
export type DataErrorLocation = Omit<ErrorPlace, "stage"> & { file: string };

export class DataError extends ToolkitError {
  readonly [DATA_ERROR] = true;
  declare readonly file: string;
  /** The problem alone, without the location prefix. */
  readonly reason: string;

  constructor(location: DataErrorLocation, reason: string) {
    super(`${formatPlace(location)}: ${reason}`, { ...location, stage: "data" });
    this.name = "DataError";
    this.reason = reason;
  }

  static isInstance(value: unknown): value is DataError {
    return hasMarker(value, DATA_ERROR);
  }
}
