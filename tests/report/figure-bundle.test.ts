import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findChromium, runChromium } from "../../lib/src/report/chromium.js";
import { figureBundle, show } from "../../lib/src/report/display.js";
import { notebookToHtml } from "../../lib/src/report/export-html.js";
import { fitFigure, PAGE_FIGURE_WIDTH } from "../../lib/src/report/figure-html.js";
import { type Figure, scrubLocalPaths } from "../../lib/src/report/index.js";
import { PLOTLY_MIME } from "../../lib/src/report/types.js";
import { missing } from "../helpers/skip.js";
import { tempDir } from "../helpers/temp-dir.js";

const scratch = tempDir("figure-bundle-test-");
const longTitle = "SAMPLE DATA (pipeline demo, not a result): entity F1 by type and labeler (strict)";
const fig: Figure = {
  data: [{ type: "bar", x: ["medication", "disease"], y: [0.8, 0.6], name: "sample F1" }],
  layout: { title: { text: longTitle }, width: 1200 },
};
const PLOTLY_HEADER = "plotly.js v3";

/** A stand-in for tslab's display function, found the way the library finds the kernel's (module cache). */
function fakeKernel(): { shown: Record<string, unknown>[]; remove: () => void } {
  const cache = createRequire(import.meta.url).cache;
  const file = join(scratch, "node_modules", "tslab", "dist", "jupyter.js");
  const shown: Record<string, unknown>[] = [];
  const lastWriteDisplayData = (content: { data: Record<string, unknown> }) => shown.push(content.data);
  cache[file] = { exports: { lastWriteDisplayData } } as unknown as NodeJS.Module;
  return { shown, remove: () => delete cache[file] };
}

test("a figure is shown as plotly JSON, an offline HTML fallback and text; plotly.js travels with the first only", () => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("clinical-distill.report.plotly-sent")];
  const kernel = fakeKernel();
  try {
    show(fig);
    show(fig);
  } finally {
    kernel.remove();
  }
  assert.is(kernel.shown.length, 2);
  const [first, second] = kernel.shown;
  for (const bundle of [first, second]) {
    assert.equal(Object.keys(bundle).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
    assert.match(String(bundle["text/plain"]), /^\[figure: SAMPLE DATA/);
    assert.match(String(bundle["text/html"]), /window\.Plotly\.newPlot/);
    // Where scripts do not run (a static viewer), the figure's place says what it is.
    assert.match(String(bundle["text/html"]), /<p class="cd-figure-pending">\[figure: SAMPLE DATA \(pipeline demo/);
  }
  assert.ok(String(first["text/html"]).includes(PLOTLY_HEADER), "the first figure carries plotly.js");
  assert.ok(String(first["text/html"]).length > 3_000_000);
  assert.ok(!String(second["text/html"]).includes(PLOTLY_HEADER), "later figures reuse window.Plotly");
  assert.ok(String(second["text/html"]).length < 5_000, `${String(second["text/html"]).length} characters`);
  assert.ok(!String(second["text/html"]).includes("https://"), "nothing is fetched from a CDN");
});

test("fitFigure wraps a long title into lines that fit, lets it push the margin, narrows a fixed width", () => {
  const before = JSON.stringify(fig);
  const fitted = fitFigure(fig);
  assert.is(JSON.stringify(fig), before, "the figure passed in is not changed");
  assert.is(fitted.layout?.width, PAGE_FIGURE_WIDTH);
  const title = fitted.layout?.title as { text: string; automargin: boolean };
  const lines = title.text.split("<br>");
  assert.ok(lines.length >= 2, title.text);
  assert.is(lines.join(" "), longTitle, "every word kept, in order");
  for (const line of lines) assert.ok(line.length * 0.6 * 17 <= PAGE_FIGURE_WIDTH - 40, line);
  assert.is(title.automargin, true);
  const short = fitFigure({ data: [], layout: { title: "F1", yaxis: { automargin: false } } });
  const layout = short.layout as { title: { text: string }; yaxis: { automargin: boolean } };
  assert.is(layout.title.text, "F1");
  assert.is(layout.yaxis.automargin, false, "an explicit choice is kept");
});

test("the HTML fallback draws in a page without the plotly extension, reusing the first figure's plotly.js", async () => {
  if (!findChromium()) return void missing("Chromium", "apt-get install chromium (or set CHROMIUM_PATH)");
  const first = figureBundle(fig, { library: true })["text/html"];
  const second = figureBundle({ ...fig, layout: { title: "Second figure" } }, { library: false })["text/html"];
  const page = join(scratch, "fallback.html");
  // As the classic notebook shows text/html outputs: one after another in one page.
  writeFileSync(
    page,
    `<!doctype html><html><body><div class="output">${first}</div><div class="output">${second}</div></body></html>`,
  );
  const { stdout: dom } = await runChromium(["--virtual-time-budget=15000", "--dump-dom", pathToFileURL(page).href]);
  assert.is(dom.match(/class="plot-container plotly"/g)?.length ?? 0, 2, "both figures drawn");
  assert.match(dom, /<svg[^>]*class="main-svg"/);
  assert.match(dom, /Second figure/);
  assert.not.match(dom, /cd-figure-pending/, "the caption gives way to the drawing");
  assert.match(dom, /SAMPLE DATA \(pipeline demo, not a result\)/);

  const alone = join(scratch, "alone.html");
  writeFileSync(alone, `<!doctype html><html><body>${second}</body></html>`);
  const { stdout: lonely } = await runChromium([
    "--virtual-time-budget=15000",
    "--dump-dom",
    pathToFileURL(alone).href,
  ]);
  assert.not.match(lonely, /class="main-svg"/);
  assert.match(lonely, /figure not drawn: plotly\.js is carried by the first figure shown since the kernel started/);
});

test("the <project> placeholder is escaped wherever it lands in HTML", () => {
  const root = "/home/u/proj";
  const nb = scrubLocalPaths(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown" as const, source: `Files under ${root}/out and [the csv](${root}/out/a.csv).` },
        {
          cell_type: "code" as const,
          source: `read("${root}/data")`,
          outputs: [
            {
              output_type: "display_data",
              data: {
                "text/html": `<table><tr><td title="${root}/out/a.parquet">${root}/out/a.parquet</td></tr></table>`,
                "text/plain": `${root}/out/a.parquet`,
              },
            },
            { output_type: "display_data", data: { "image/svg+xml": `<svg><text>${root}/fig.svg</text></svg>` } },
            { output_type: "stream", name: "stdout", text: `wrote ${root}/out/b.csv\n` },
          ],
        },
      ],
    },
    root,
    "/home/u",
  );
  const output = nb.cells[1].outputs?.[0].data as unknown as Record<string, string>;
  assert.is(output["text/plain"], "<project>/out/a.parquet", "text stays text");
  assert.is(
    output["text/html"],
    `<table><tr><td title="&lt;project&gt;/out/a.parquet">&lt;project&gt;/out/a.parquet</td></tr></table>`,
  );
  const page = notebookToHtml(nb, { title: "paths" });
  assert.not.match(page, /<project>/, "no bare <project> tag anywhere in the page");
  for (const expected of [
    "Files under &lt;project&gt;/out",
    "&lt;project&gt;/out/a.parquet</td>",
    "<text>&lt;project&gt;/fig.svg</text>",
    "wrote &lt;project&gt;/out/b.csv",
    "read(&quot;&lt;project&gt;/data&quot;)",
  ])
    assert.ok(page.includes(expected), expected);
});

test.run();
