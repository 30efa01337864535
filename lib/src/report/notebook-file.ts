import { readFileSync } from "node:fs";
import { ToolkitError } from "../core/errors.js";

/** The parts of an nbformat 4 notebook the export reads. */
export interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error" | string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface NotebookCell {
  id?: string;
  cell_type: "code" | "markdown" | "raw" | string;
  source: string | string[];
  outputs?: NotebookOutput[];
  execution_count?: number | null;
}

export interface NotebookDocument {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** nbformat stores multi-line strings as arrays of lines; join them. */
export function joinSource(source: string | string[] | undefined): string {
  return Array.isArray(source) ? source.join("") : (source ?? "");
}

/** Read a notebook file; errors name the file. */
export function readNotebook(file: string): NotebookDocument {
  let parsed: NotebookDocument;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8")) as NotebookDocument;
  } catch (error) {
    throw new ToolkitError(
      `${file}: not a readable notebook (${(error as Error).message})`,
      { stage: "report", file },
      { cause: error },
    );
  }
  if (!Array.isArray(parsed?.cells))
    throw new ToolkitError(`${file}: not a notebook (no "cells" array)`, { stage: "report", file, field: "cells" });
  return parsed;
}

/** First markdown heading of a notebook, as its title. */
export function notebookTitle(nb: NotebookDocument, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const heading = joinSource(cell.source).match(/^#{1,6}\s+(.+)$/m);
    if (heading) return heading[1].trim();
  }
  return fallback;
}

const ansi = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Text without terminal colour codes (tracebacks carry them). */
export function stripAnsi(text: string): string {
  return text.replace(ansi, "");
}
