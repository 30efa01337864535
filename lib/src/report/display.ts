import { figureHtml, fitFigure } from "./figure-html.js";
import { toTablePayload } from "./table-data.js";
import { tableHtml, tableText } from "./table-html.js";
import { inNotebook, tslabWriter } from "./tslab-writer.js";
import { type DataFrameLike, type Figure, PLOTLY_MIME, type Row, TABLE_MIME } from "./types.js";

/**
 * Send one rich output with several representations; the front end picks the richest it knows, and
 * text/plain is what terminals, logs and plain-text exports see. Returns false outside tslab.
 */
export function displayBundle(bundle: Record<string, unknown>): boolean {
  const writer = tslabWriter();
  if (!writer) return false;
  writer({ data: bundle, metadata: {}, transient: {} }, false);
  return true;
}

function figureTitle(fig: Figure): string {
  const title = fig.layout?.title;
  if (typeof title === "string") return title;
  if (title && typeof title === "object" && typeof (title as { text?: unknown }).text === "string")
    return (title as { text: string }).text;
  return "untitled";
}

/** One-line description of a figure, for terminals and the text/plain representation. */
export function describeFigure(fig: Figure): string {
  const kinds = [...new Set(fig.data.map((trace) => String(trace.type ?? "scatter")))].join(", ");
  return `[figure: ${figureTitle(fig)}; ${fig.data.length} trace(s): ${kinds || "none"}]`;
}

// Whether this kernel process has already sent plotly.js with a figure; kept on globalThis so two copies of
// the library loaded in one kernel (dist and sources) share it.
const LIBRARY_SENT = Symbol.for("clinical-distill.report.plotly-sent");
type WithFlag = typeof globalThis & { [LIBRARY_SENT]?: boolean };

/**
 * The output bundle of one figure: the plotly MIME type (JupyterLab, VS Code and the export draw it), an
 * HTML fallback that draws with plotly.js inlined, offline (the classic notebook and any front end
 * without the plotly extension), and a one-line text/plain. plotly.js (about 4.7 MB) travels only with
 * the first figure of a kernel process (`library`); later fallbacks reuse the page's window.Plotly.
 */
export function figureBundle(fig: Figure, options: { library: boolean }): Record<string, unknown> {
  const fitted = fitFigure(fig);
  const value = { data: fitted.data, layout: fitted.layout ?? {}, ...(fitted.config ? { config: fitted.config } : {}) };
  return {
    [PLOTLY_MIME]: value,
    "text/html": figureHtml(fitted, { library: options.library, caption: describeFigure(fig) }),
    "text/plain": describeFigure(fig),
  };
}

/** Show a plotly figure in a notebook cell (outside a notebook: print a one-line description). */
export function show(fig: Figure): void {
  if (!fig || !Array.isArray(fig.data))
    throw new TypeError("report.show: expected a plotly figure { data: [...], layout }");
  if (!inNotebook()) {
    console.log(describeFigure(fig));
    return;
  }
  const state = globalThis as WithFlag;
  displayBundle(figureBundle(fig, { library: !state[LIBRARY_SENT] }));
  state[LIBRARY_SENT] = true;
}

export interface TableOptions {
  title?: string;
  /** Rows to show (default 50); the rest are counted, not shown. */
  maxRows?: number;
}

/** Show rows (array of objects) or a polars DataFrame as an HTML table in a cell; as text outside a notebook. */
export function table(rows: readonly Row[] | DataFrameLike, options: TableOptions = {}): void {
  const payload = toTablePayload(rows, options.title, options.maxRows ?? 50);
  if (!displayBundle({ "text/html": tableHtml(payload), [TABLE_MIME]: payload, "text/plain": tableText(payload) }))
    console.log(tableText(payload));
}

/** Show an HTML fragment (the caller escapes any text in it) in a cell; nothing outside a notebook. */
export function html(fragment: string): void {
  displayBundle({ "text/html": fragment, "text/plain": fragment.replace(/<[^>]*>/g, "") });
}

export { inNotebook };
