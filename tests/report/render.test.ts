import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findChromium, runChromium } from "../../lib/src/report/chromium.js";
import { exportNotebooks, type Figure, type NotebookDocument } from "../../lib/src/report/index.js";
import { PLOTLY_MIME } from "../../lib/src/report/types.js";
import { missing } from "../helpers/skip.js";
import { tempDir } from "../helpers/temp-dir.js";

// The export opens in a real headless Chromium, offline, with its figure drawn by the inlined plotly.
const scratch = tempDir("render-test-");
const fig: Figure = {
  data: [{ type: "bar", x: ["ABDOMINAL", "HBA1C", "CREATININE"], y: [0.8, 0.6, 0.7], name: "sample F1" }],
  layout: { title: { text: "Rendered in Chromium" } },
};
const nb: NotebookDocument = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: "markdown", id: "m", source: "# Render check\n\nSample numbers, drawn offline." },
    {
      cell_type: "code",
      id: "c",
      source: "report.show(fig);",
      execution_count: 1,
      outputs: [{ output_type: "display_data", data: { [PLOTLY_MIME]: fig, "text/plain": "[figure]" } }],
    },
  ],
};

test("the exported page draws its figure in headless Chromium; PDF, SVG and PNG are written", async () => {
  if (!findChromium()) {
    missing("Chromium", "apt-get install chromium (or set CHROMIUM_PATH)");
    return;
  }
  const notebooks = join(scratch, "notebooks");
  mkdirSync(join(notebooks, "a-check"), { recursive: true });
  writeFileSync(join(notebooks, "a-check", "a-render.ipynb"), JSON.stringify(nb));
  const outDir = join(scratch, "report");
  const result = await exportNotebooks({ notebooksDir: notebooks, outDir, log: () => {} });
  assert.equal(
    result.warnings.filter((warning) => /Chromium/.test(warning)),
    [],
  );

  const pdf = readFileSync(join(outDir, "pdf", "a-check", "a-render.pdf"));
  assert.is(pdf.subarray(0, 5).toString(), "%PDF-");
  const svg = readFileSync(join(outDir, "figures", "a-check", "a-render", "cell-2-1.svg"), "utf8");
  assert.match(svg, /^<svg[^>]*class="main-svg"/);
  assert.match(svg, /Rendered in Chromium/);
  const png = readFileSync(join(outDir, "figures", "a-check", "a-render", "cell-2-1.png"));
  assert.equal([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

  const page = pathToFileURL(join(outDir, "notebooks", "a-check", "a-render.html")).href;
  const { stdout: dom } = await runChromium(["--virtual-time-budget=15000", "--dump-dom", page]);
  assert.match(dom, /<svg[^>]*class="main-svg"/, "plotly drew an SVG into the page");
  assert.match(dom, /class="point"|class="bars"/, "the bars are in the DOM");
  assert.match(dom, /Rendered in Chromium/);

  const screenshot = join(process.env.RENDER_SCREENSHOT_DIR ?? scratch, "export-render.png");
  await runChromium(["--virtual-time-budget=15000", "--window-size=1100,900", `--screenshot=${screenshot}`, page]);
  assert.ok(existsSync(screenshot));
  assert.ok(statSync(screenshot).size > 20_000, `a drawn page, not a blank one (${statSync(screenshot).size} bytes)`);
});

test.run();
