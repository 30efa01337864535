import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "csv-stringify/sync";
import { toTablePayload } from "./table-data.js";
import type { DataFrameLike, Row, TablePayload } from "./types.js";

/** CSV text for a table payload (header row first; values quoted as needed by csv-stringify). */
export function tableCsv(table: TablePayload): string {
  return stringify([table.columns, ...table.rows], { cast: { boolean: (value) => String(value) } });
}

/** Write rows (array of objects) or a polars DataFrame as CSV with a header row. Returns `path`. */
export function writeTableCsv(rows: readonly Row[] | DataFrameLike, path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, tableCsv(toTablePayload(rows)));
  return path;
}
