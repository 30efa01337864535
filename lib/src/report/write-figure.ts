import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { ToolkitError } from "../core/errors.js";
import { runChromium } from "./chromium.js";
import { escapeHtml, jsonForScript } from "./escape-html.js";
import { fitFigure } from "./figure-html.js";
import { plotlySource } from "./plotly-source.js";
import type { Figure } from "./types.js";

export interface FigureSize {
  width?: number;
  height?: number;
}

/** A standalone page drawing one figure, plotly inlined (no network needed to open it). */
export function figurePageHtml(fig: Figure, title = "figure"): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<script>${plotlySource()}</script></head>
<body><div id="figure"></div>
<script>Plotly.newPlot("figure", ${jsonForScript(fig.data)}, ${jsonForScript(fitFigure(fig, Number(fig.layout?.width) || undefined).layout ?? {})}, ${jsonForScript({ responsive: true, ...(fig.config ?? {}) })});</script>
</body></html>
`;
}

export interface FigureImages {
  svg?: string;
  png?: Buffer;
}

/**
 * Render figures to SVG text and/or PNG bytes in ONE headless Chromium run (starting Chromium costs
 * seconds), with plotly's own exporter (Plotly.toImage), so each image is what plotly draws, at an exact size.
 */
export async function figureImages(
  figs: readonly Figure[],
  formats: readonly ("svg" | "png")[] = ["svg", "png"],
  size: FigureSize = {},
): Promise<FigureImages[]> {
  if (figs.length === 0) return [];
  const width = size.width ?? 900;
  const height = size.height ?? 500;
  const scratch = mkdtempSync(join(tmpdir(), "cd-figure-"));
  // Fitted to the image width first: a long title wraps instead of running off both edges.
  const jobs = figs.map((fig) => ({
    data: fig.data,
    layout: { ...(fitFigure(fig, width).layout ?? {}), width, height },
  }));
  try {
    const page = join(scratch, "figures.html");
    writeFileSync(
      page,
      `<!doctype html><html><head><meta charset="utf-8"><script>${plotlySource()}</script></head><body>
<div id="figure" style="width:${width}px;height:${height}px"></div>
<script>
const done = (id, text) => { const pre = document.createElement("pre"); pre.id = id; pre.textContent = text; document.body.appendChild(pre); };
(async () => {
  const jobs = ${jsonForScript(jobs)};
  const formats = ${jsonForScript(formats)};
  for (let i = 0; i < jobs.length; i++) {
    try {
      const gd = await Plotly.newPlot("figure", jobs[i].data, jobs[i].layout, { staticPlot: true });
      for (const format of formats) done("cd-" + format + "-" + i, await Plotly.toImage(gd, { format, width: ${width}, height: ${height} }));
      Plotly.purge(gd);
    } catch (error) { done("cd-error-" + i, String((error && error.stack) || error)); }
  }
  done("cd-finished", "yes");
})();
</script></body></html>`,
    );
    const budget = 10_000 + 5_000 * figs.length;
    const { stdout } = await runChromium(
      [`--virtual-time-budget=${budget}`, "--dump-dom", pathToFileURL(page).href],
      60_000 + 10_000 * figs.length,
    );
    const pre = (id: string) => {
      const found = stdout.match(new RegExp(`<pre id="${id}">([\\s\\S]*?)</pre>`));
      return found ? unescapeHtml(found[1]) : undefined;
    };
    if (pre("cd-finished") === undefined)
      throw new ToolkitError("plotly did not finish rendering the figures within Chromium's time budget", {
        stage: "report",
      });
    return figs.map((_, i) => {
      const failed = pre(`cd-error-${i}`);
      if (failed !== undefined)
        throw new ToolkitError(`plotly could not render figure ${i + 1}: ${failed.slice(0, 500)}`, { stage: "report" });
      const images: FigureImages = {};
      const svgUrl = pre(`cd-svg-${i}`);
      if (svgUrl !== undefined) images.svg = decodeDataUrl(svgUrl).toString("utf8");
      const pngUrl = pre(`cd-png-${i}`);
      if (pngUrl !== undefined) images.png = decodeDataUrl(pngUrl);
      return images;
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function decodeDataUrl(url: string): Buffer {
  const comma = url.indexOf(",");
  const header = url.slice(0, comma);
  const body = url.slice(comma + 1);
  return header.endsWith(";base64") ? Buffer.from(body, "base64") : Buffer.from(decodeURIComponent(body), "utf8");
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/**
 * Write a figure to `path`; the extension picks the format: .html (interactive, plotly inlined, opens
 * offline), .svg or .png (drawn in headless Chromium), .json (the figure value itself). Returns `path`.
 */
export async function writeFigure(fig: Figure, path: string, size: FigureSize = {}): Promise<string> {
  const extension = extname(path).toLowerCase();
  mkdirSync(dirname(path), { recursive: true });
  if (extension === ".html") writeFileSync(path, figurePageHtml(fig));
  else if (extension === ".json") writeFileSync(path, `${JSON.stringify(fig, null, 2)}\n`);
  else if (extension === ".svg" || extension === ".png") {
    const format = extension.slice(1) as "svg" | "png";
    const [images] = await figureImages([fig], [format], size);
    writeFileSync(path, format === "svg" ? images.svg! : images.png!);
  } else
    throw new ToolkitError(`report.writeFigure: cannot tell the format of ${path}: use .html, .svg, .png or .json`, {
      stage: "report",
      file: path,
    });
  return path;
}
