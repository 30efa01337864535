import { escapeHtml, jsonForScript } from "./escape-html.js";
import { markdownToHtml } from "./export-markdown.js";
import { fitFigure, PAGE_FIGURE_WIDTH } from "./figure-html.js";
import { joinSource, type NotebookDocument, type NotebookOutput, stripAnsi } from "./notebook-file.js";
import { plotlySource } from "./plotly-source.js";
import { PLOTLY_MIME } from "./types.js";

/** Shared look of the exported pages (kept small; printed to PDF too). */
export const pageStyle = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
h1, h2, h3 { line-height: 1.25; }
pre { background: #f6f8fa; padding: .6rem .8rem; overflow-x: auto; font-size: 13px; white-space: pre-wrap; word-break: break-word; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.cell { margin: 1rem 0; }
.cell-label { color: #777; font: 12px ui-monospace, monospace; }
.source { border-left: 3px solid #9ab; }
.stderr { background: #fff4f4; }
.error { background: #ffecec; border-left: 3px solid #c33; }
.cd-table { border-collapse: collapse; margin: .5rem 0; font-size: 13px; max-width: 100%; }
.cd-table th, .cd-table td { border: 1px solid #ccd; padding: 3px 8px; text-align: left; vertical-align: top; }
/* Long cells (note text, paths, model output) wrap, anywhere if they must, so a table never outgrows the page. */
.cd-table th, .cd-table td, .output.html th, .output.html td, .markdown th, .markdown td { overflow-wrap: anywhere; }
.cd-measure, .cd-measure th, .cd-measure td { overflow-wrap: normal !important; }
.cd-measure { width: min-content !important; max-width: none !important; }
.output.html table { max-width: 100%; }
.output.html, .output.svg { max-width: 100%; overflow-x: auto; }
img.output, .output.svg svg { max-width: 100%; height: auto; }
.cd-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cd-table caption { font-weight: 600; text-align: left; padding: 4px 0; }
.cd-table-note, .notice { color: #666; font-size: 13px; }
.plotly-figure { width: 100%; max-width: ${PAGE_FIGURE_WIDTH}px; min-height: 420px; }
.banner { background: #fff8e1; border: 1px solid #f0d58c; padding: .5rem .8rem; font-size: 14px; }
/* A4 with 12 mm margins: 186 mm (about 703 px) printable, wider than any figure (${PAGE_FIGURE_WIDTH} px). */
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  .cd-table { font-size: 11px; }
  table { zoom: var(--cd-print-zoom, 1); }
  .cd-table th, .cd-table td { padding: 2px 4px; }
  .output.html, .output.svg { overflow: visible; }
  .plotly-figure, pre.source, tr, img { break-inside: avoid; }
  h1, h2, h3, .cell-label { break-after: avoid; }
  .modebar-container { display: none !important; }
}
`;

export interface HtmlPageOptions {
  title: string;
  /** Shown above the notebook (e.g. "outputs from sample data"). */
  banner?: string;
  /** Link back to the index page. */
  indexHref?: string;
}

/** How many plotly figures an output bundle list holds (to decide whether plotly is inlined at all). */
function hasPlotly(nb: NotebookDocument): boolean {
  return nb.cells.some((cell) => (cell.outputs ?? []).some((output) => output.data?.[PLOTLY_MIME] !== undefined));
}

function textOf(value: unknown): string {
  return Array.isArray(value) ? value.join("") : typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

/** One output, richest representation first, as nbconvert does; anything unknown falls back to text/plain. */
function renderOutput(output: NotebookOutput, figureId: () => string): string {
  if (output.output_type === "stream") {
    const cls = output.name === "stderr" ? "output stderr" : "output";
    return `<pre class="${cls}">${escapeHtml(stripAnsi(textOf(output.text)))}</pre>`;
  }
  if (output.output_type === "error") {
    const trace = (output.traceback ?? []).map(stripAnsi).join("\n");
    const head = stripAnsi(`${output.ename ?? "Error"}: ${output.evalue ?? ""}`);
    return `<pre class="output error">${escapeHtml(trace.includes(head) ? trace : `${head}\n${trace}`)}</pre>`;
  }
  const data = output.data ?? {};
  if (data[PLOTLY_MIME] !== undefined) {
    const raw = data[PLOTLY_MIME] as { data?: unknown; layout?: unknown; config?: unknown };
    // Fitted to the page width: titles wrapped, margins made room for them, so the PDF clips nothing.
    const figure = fitFigure({
      data: Array.isArray(raw.data) ? raw.data : [],
      layout: (raw.layout as Record<string, unknown>) ?? {},
      ...(raw.config ? { config: raw.config as Record<string, unknown> } : {}),
    });
    const id = figureId();
    const config = { responsive: true, displaylogo: false, ...((figure.config as object) ?? {}) };
    return `<div class="plotly-figure" id="${id}"></div>
<script>Plotly.newPlot(${JSON.stringify(id)}, ${jsonForScript(figure.data ?? [])}, ${jsonForScript(figure.layout ?? {})}, ${jsonForScript(config)});</script>`;
  }
  // HTML outputs are the kernel's own rich output (tables from report.table escape their cells), kept as
  // nbconvert keeps them; the export guard has already scanned them raw, attributes and comments included.
  if (data["text/html"] !== undefined) return `<div class="output html">${textOf(data["text/html"])}</div>`;
  if (data["image/svg+xml"] !== undefined) return `<div class="output svg">${textOf(data["image/svg+xml"])}</div>`;
  for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
    if (typeof data[mime] === "string")
      return `<img class="output" alt="figure" src="data:${mime};base64,${(data[mime] as string).replace(/\s/g, "")}">`;
  }
  if (data["text/markdown"] !== undefined)
    return `<div class="output">${markdownToHtml(textOf(data["text/markdown"]))}</div>`;
  if (data["text/plain"] !== undefined)
    return `<pre class="output">${escapeHtml(stripAnsi(textOf(data["text/plain"])))}</pre>`;
  return `<p class="notice">(an output of type ${escapeHtml(Object.keys(data).join(", ") || output.output_type)} that HTML cannot show)</p>`;
}

/** Printable width of the page style's A4 page with 12 mm margins, in CSS pixels. */
export const PRINTABLE_WIDTH = Math.floor(((210 - 2 * 12) / 25.4) * 96);

/**
 * Wide tables in print: a table whose narrowest layout that keeps words whole is wider than the printed
 * page is scaled down to fit (to 55% at the least); what still does not fit breaks inside words (CSS).
 */
const fitTablesScript = `<script>(function () {
  for (const table of document.querySelectorAll("table")) {
    table.classList.add("cd-measure");
    const need = table.getBoundingClientRect().width;
    table.classList.remove("cd-measure");
    if (need > ${PRINTABLE_WIDTH}) table.style.setProperty("--cd-print-zoom", Math.max(0.55, ${PRINTABLE_WIDTH} / need).toFixed(3));
  }
})();</script>`;

/** One cell as the page shows it: `source` is the cell up to its outputs (label and code, or the markdown). */
export interface RenderedCell {
  source: string;
  outputs: string[];
  html: string;
}

/**
 * Every cell of a notebook as it is published. The export guard scans exactly these strings, so what
 * it checks and what the page holds cannot drift apart.
 */
export function renderCells(nb: NotebookDocument): RenderedCell[] {
  let figures = 0;
  const figureId = () => `figure-${++figures}`;
  return nb.cells.map((cell, index) => {
    const number = index + 1;
    const source = joinSource(cell.source);
    if (cell.cell_type === "markdown") {
      const html = `<section class="cell markdown" id="cell-${number}">${markdownToHtml(source)}</section>`;
      return { source: html, outputs: [], html };
    }
    if (cell.cell_type !== "code") {
      const html = `<section class="cell raw" id="cell-${number}"><pre>${escapeHtml(source)}</pre></section>`;
      return { source: html, outputs: [], html };
    }
    const outputs = (cell.outputs ?? []).map((output) => renderOutput(output, figureId));
    const count = cell.execution_count ?? " ";
    const head = `<section class="cell code" id="cell-${number}">
<div class="cell-label">cell ${number} · In [${count}]</div>
<pre class="source"><code>${escapeHtml(source)}</code></pre>
`;
    return { source: head, outputs, html: `${head}${outputs.join("\n")}\n</section>` };
  });
}

/**
 * One executed notebook as a self-contained HTML page: markdown, code, outputs; plotly inlined ONCE
 * when the notebook has figures (so it renders offline, with no CDN), nothing inlined when it has none.
 */
export function notebookToHtml(nb: NotebookDocument, options: HtmlPageOptions): string {
  const cells = renderCells(nb).map((cell) => cell.html);
  const plotly = hasPlotly(nb) ? `<script>${plotlySource()}</script>` : "";
  const back = options.indexHref ? `<p><a href="${escapeHtml(options.indexHref)}">&larr; all notebooks</a></p>` : "";
  const banner = options.banner ? `<p class="banner">${escapeHtml(options.banner)}</p>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${pageStyle}</style>
${plotly}
</head><body>
${back}${banner}
${cells.join("\n")}
${fitTablesScript}
</body></html>
`;
}
