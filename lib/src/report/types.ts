/**
 * Figures are plain values: a plotly `{ data, layout }` object that a cell shows with `show(fig)` and
 * the export writes to HTML, SVG or PNG unchanged. Library code builds them; nothing here draws.
 */
export interface Figure {
  /** Plotly traces (bar, scatter, ...), as plotly.js takes them. */
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** A table row: column name to a printable value. */
export type Row = Record<string, unknown>;

/** Anything shaped like a nodejs-polars DataFrame (duck-typed so this module does not load polars). */
export interface DataFrameLike {
  columns: string[];
  toRecords(): Row[];
}

/** Mime types the display helpers emit; the export reads them back from executed notebooks. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";
/** Structured copy of a table shown with `table()`, so the export can write it as CSV. */
export const TABLE_MIME = "application/vnd.clinical-distill.table+json";

/** The payload stored under TABLE_MIME. */
export interface TablePayload {
  title?: string;
  columns: string[];
  rows: unknown[][];
  /** Rows in the source before `maxRows` cut the display (the CSV then holds only what was shown). */
  totalRows: number;
}
