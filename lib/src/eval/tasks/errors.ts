/**
 * Errors for bad evaluation inputs. Each names the file and the row (or the item ids) so a user
 * can fix the input; they carry a marker so notebooks that load two copies of the library (built
 * package and source) still recognise them.
 */
import { hasMarker, ToolkitError } from "../../core/errors.js";

const TABLE_ERROR = Symbol.for("clinical-distill.eval.TableError");
const PREDICTION_FILE_ERROR = Symbol.for("clinical-distill.eval.PredictionFileError");

/** A CSV/parquet table (annotations, held-out questions) with a wrong header, bad value or duplicate id. */
export class TableError extends ToolkitError {
  readonly [TABLE_ERROR] = true;
  declare readonly file: string;
  /** `row`: 1-based line (CSV) or row (parquet, header not counted) where the problem is; undefined for the file. */
  constructor(
    file: string,
    row: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${row === undefined ? "" : `, row ${row}`}: ${problem}`, { stage: "eval", file, row });
    this.name = "TableError";
  }
  static isInstance(value: unknown): value is TableError {
    return hasMarker(value, TABLE_ERROR);
  }
}

/** A predictions file that does not cover the evaluated items exactly once each. */
export class PredictionFileError extends ToolkitError {
  readonly [PREDICTION_FILE_ERROR] = true;
  declare readonly file: string;
  constructor(
    file: string,
    readonly problem: string,
    /** The item ids concerned (missing, duplicated or unknown). */
    readonly itemIds: readonly string[] = [],
  ) {
    super(`${file}: ${problem}`, { stage: "eval", file });
    this.name = "PredictionFileError";
  }
  static isInstance(value: unknown): value is PredictionFileError {
    return hasMarker(value, PREDICTION_FILE_ERROR);
  }
}

/** Show at most `limit` ids, then how many more: error messages stay readable with 40,000 items. */
export function listIds(ids: readonly string[], limit = 10): string {
  const shown = ids.slice(0, limit).join(", ");
  return ids.length > limit ? `${shown} and ${ids.length - limit} more` : shown;
}
