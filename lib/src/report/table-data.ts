import type { DataFrameLike, Row, TablePayload } from "./types.js";

function isDataFrameLike(value: unknown): value is DataFrameLike {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as DataFrameLike).columns) &&
    typeof (value as DataFrameLike).toRecords === "function"
  );
}

/** A cell value as it should appear in a table or CSV: plain JSON-able, never undefined. */
export function plainCell(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

/** Rows (array of objects) or a polars DataFrame -> columns + row arrays; columns in first-seen order. */
export function toTablePayload(source: readonly Row[] | DataFrameLike, title?: string, maxRows?: number): TablePayload {
  let rows: readonly Row[];
  let columns: string[];
  if (isDataFrameLike(source)) {
    columns = [...source.columns];
    rows = source.toRecords();
  } else if (Array.isArray(source)) {
    rows = source;
    const seen = new Set<string>();
    for (const row of rows) for (const key of Object.keys(row ?? {})) seen.add(key);
    columns = [...seen];
  } else {
    throw new TypeError("report.table: expected an array of row objects or a nodejs-polars DataFrame");
  }
  const limit = maxRows === undefined ? rows.length : Math.max(0, Math.floor(maxRows));
  return {
    title,
    columns,
    rows: rows.slice(0, limit).map((row) => columns.map((column) => plainCell(row?.[column]))),
    totalRows: rows.length,
  };
}

/** Text for one cell in HTML or plain text: numbers get at most 4 decimals, so tables stay readable. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && !Number.isInteger(value)) return String(Number(value.toFixed(4)));
  return String(value);
}
