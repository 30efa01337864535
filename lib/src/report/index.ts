// Public surface of lib/report: show figures and tables in notebook cells, write them to files, and
// export executed notebooks as supplementary material (HTML, PDF, CSV, SVG/PNG, manifest) behind a guard
// against restricted text.
export { findChromium, runChromium } from "./chromium.js";
export { type RegistryDataset, readDatasetRegistry } from "./dataset-registry.js";
export { describeFigure, displayBundle, html, inNotebook, show, type TableOptions, table } from "./display.js";
export { escapeHtml } from "./escape-html.js";
export {
  buildRestrictedIndex,
  DEFAULT_GUARD_MIN_WORDS,
  type GuardFinding,
  type GuardOptions,
  indexShingles,
  type RestrictedIndex,
  RestrictedOutputError,
  type ScanStats,
  scanNotebook,
} from "./export-guard.js";
export { notebookToHtml, renderCells } from "./export-html.js";
export { markdownToHtml } from "./export-markdown.js";
export { type ExportedNotebook, type ExportOptions, type ExportResult, exportNotebooks } from "./export-notebooks.js";
export { normalizeGuardText } from "./guard-text.js";
export { scrubLocalPaths } from "./local-paths.js";
export { type NotebookDocument, readNotebook } from "./notebook-file.js";
export { toTablePayload } from "./table-data.js";
export { tableHtml, tableText } from "./table-html.js";
export {
  type DataFrameLike,
  type Figure,
  PLOTLY_MIME,
  type Row,
  TABLE_MIME,
  type TablePayload,
} from "./types.js";
export { type FigureImages, type FigureSize, figureImages, figurePageHtml, writeFigure } from "./write-figure.js";
export { tableCsv, writeTableCsv } from "./write-table.js";
