import { escapeHtml, jsonForScript } from "./escape-html.js";
import { plotlySource } from "./plotly-source.js";
import type { Figure } from "./types.js";

/** Widest figure the exported pages draw: fits the printable width of an A4 page (see pageStyle's @page). */
export const PAGE_FIGURE_WIDTH = 680;

const TITLE_FONT_PX = 17; // plotly's default title size

function titleParts(layout: Record<string, unknown>): { text: string; rest: Record<string, unknown> } | undefined {
  const title = layout.title;
  if (typeof title === "string") return { text: title, rest: {} };
  if (title && typeof title === "object" && typeof (title as { text?: unknown }).text === "string") {
    const { text, ...rest } = title as { text: string } & Record<string, unknown>;
    return { text, rest };
  }
  return undefined;
}

/** Break text at spaces into lines of at most `max` characters (plotly never wraps a title itself). */
function wrapLine(line: string, max: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of line.split(/ +/)) {
    if (current && current.length + 1 + word.length > max) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  lines.push(current);
  return lines;
}

/**
 * The figure laid out to fit `width` pixels, so nothing is clipped where it is drawn at that width: a
 * title longer than one line is wrapped (plotly draws it on one line and cuts both ends) and pushes the
 * top margin to make room for its lines, axes may grow their margins for long tick labels, and a fixed layout width
 * wider than `width` is narrowed. The figure value itself is not changed.
 */
export function fitFigure(fig: Figure, width = PAGE_FIGURE_WIDTH): Figure {
  const layout: Record<string, unknown> = { ...(fig.layout ?? {}) };
  if (typeof layout.width === "number" && layout.width > width) layout.width = width;
  const drawnWidth = typeof layout.width === "number" ? layout.width : width;
  const title = titleParts(layout);
  if (title) {
    const fontSize = Number((title.rest.font as { size?: unknown } | undefined)?.size) || TITLE_FONT_PX;
    const maxChars = Math.max(20, Math.floor((drawnWidth - 40) / (0.6 * fontSize)));
    const lines = title.text.split(/<br\s*\/?>/i).flatMap((line) => wrapLine(line, maxChars));
    // Above the plot area, and plotly grows the top margin to hold every line (automargin).
    layout.title = {
      automargin: true,
      yref: "paper",
      y: 1,
      yanchor: "bottom",
      pad: { b: 10 },
      ...title.rest,
      text: lines.join("<br>"),
    };
  }
  for (const axis of ["xaxis", "yaxis"]) {
    const current = (layout[axis] as Record<string, unknown> | undefined) ?? {};
    if (current.automargin === undefined) layout[axis] = { ...current, automargin: true };
  }
  return { ...fig, layout };
}

/**
 * A `<script>` defining window.Plotly from the inlined plotly.js unless the page already has it, so a
 * page (or a notebook front end) that runs it twice keeps one copy.
 */
export function plotlyLibraryScript(): string {
  return `<script>if (typeof window.Plotly === "undefined") {\n${plotlySource()}\n}</script>`;
}

let figureCounter = 0;

/**
 * A figure as an HTML fragment that draws itself with window.Plotly. With `library`, the fragment carries
 * plotly.js; without, it waits (up to 10 s) for another output on the page to define it, and says so in
 * the figure's place when none does. Where scripts do not run (a static notebook viewer), the fragment
 * shows `caption` instead of an empty box.
 */
export function figureHtml(fig: Figure, options: { library: boolean; caption: string }): string {
  const id = `cd-figure-${Date.now().toString(36)}-${++figureCounter}`;
  const config = { responsive: true, displaylogo: false, ...(fig.config ?? {}) };
  return `<div class="cd-plotly-figure" id="${id}" style="width:100%;max-width:100%"><p class="cd-figure-pending">${escapeHtml(options.caption)}</p></div>
${options.library ? plotlyLibraryScript() : ""}<script>(function () {
  var id = ${jsonForScript(id)}, data = ${jsonForScript(fig.data)}, layout = ${jsonForScript(fig.layout ?? {})}, config = ${jsonForScript(config)};
  var tries = 0;
  function draw() {
    var el = document.getElementById(id);
    if (!el) return;
    if (window.Plotly) { el.textContent = ""; window.Plotly.newPlot(el, data, layout, config); return; }
    if (++tries < 100) { setTimeout(draw, 100); return; }
    el.textContent = "[figure not drawn: plotly.js is carried by the first figure shown since the kernel started; re-run that cell, or restart the kernel and run all]";
  }
  draw();
})();</script>`;
}
