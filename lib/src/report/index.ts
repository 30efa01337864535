// Public surface of lib/report: show figures and tables in notebook cells, write them to files, and
// export executed notebooks as supplementary material (HTML, PDF, CSV, SVG/PNG, manifest) behind a guard
// against restricted text.
export type { RegistryDataset } from "./dataset-registry.js";
export { html, inNotebook, show, type TableOptions, table } from "./display.js";
export {
  type GuardFinding,
  type GuardOptions,
  type RestrictedIndex,
  RestrictedOutputError,
  type ScanStats,
} from "./export-guard.js";
export { type ExportedNotebook, type ExportOptions, type ExportResult, exportNotebooks } from "./export-notebooks.js";
export { scrubLocalPaths } from "./local-paths.js";
export type { NotebookDocument } from "./notebook-file.js";
export type { DataFrameLike, Figure, Row, TablePayload } from "./types.js";
export { type FigureImages, type FigureSize, writeFigure } from "./write-figure.js";
export { writeTableCsv } from "./write-table.js";
