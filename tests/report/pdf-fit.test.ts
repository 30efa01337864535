import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { f1ByTypeFigure } from "../../lib/src/ner/figures.js";
import { findChromium } from "../../lib/src/report/chromium.js";
import { figureBundle } from "../../lib/src/report/display.js";
import { exportNotebooks, type NotebookDocument } from "../../lib/src/report/index.js";
import { toTablePayload } from "../../lib/src/report/table-data.js";
import { tableHtml } from "../../lib/src/report/table-html.js";
import { TABLE_MIME } from "../../lib/src/report/types.js";
import { launchBrowser } from "../browser/cdp.js";
import { missing } from "../helpers/skip.js";
import { tempDir } from "../helpers/temp-dir.js";

// An exported notebook with what clipped in the PDFs before: a wide table with long cells, a wide markdown
// table, a raw HTML table, and the NER figure whose sample-data title is wider than the page.
const root = resolve(import.meta.dirname, "..", "..");
const scratch = tempDir("pdf-fit-test-");
const longToken = `${root}/out/eval/predictions/criterion-HBA1C-run-2026-12-02-seed-17-temperature-0.jsonl`;
const wideRows = [0, 1, 2].map((i) =>
  Object.fromEntries([
    ["note_id", `note-${i}`],
    ["file", longToken],
    ...Array.from({ length: 12 }, (_, c) => [`criterion_column_${c + 1}`, `met (evidence in sentence ${c + 1})`]),
    ["last_column_here", `end-of-row-${i}`],
  ]),
);
const payload = toTablePayload(wideRows, "Wide table: every criterion per note");
const figure = f1ByTypeFigure(
  [
    { labeler: "llm teacher", type: "medication", f1: 0.8 },
    { labeler: "ontology teacher", type: "medication", f1: 0.6 },
    { labeler: "llm teacher", type: "disease", f1: 0.7 },
  ],
  { sample: true },
);
const fullTitle = "SAMPLE DATA (pipeline demo, not a result): entity F1 by type and labeler (strict)";
const markdownTable = `| ${Array.from({ length: 14 }, (_, c) => `markdown_header_${c + 1}`).join(" | ")} |
| ${Array.from({ length: 14 }, () => "---").join(" | ")} |
| ${Array.from({ length: 14 }, (_, c) => `value_${c + 1}_long_enough`).join(" | ")} |`;
const nb: NotebookDocument = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: "markdown", id: "m1", source: `# Fit check\n\n${markdownTable}` },
    {
      cell_type: "code",
      id: "c1",
      source: "report.table(rows)",
      execution_count: 1,
      outputs: [
        {
          output_type: "display_data",
          data: { "text/html": tableHtml(payload), [TABLE_MIME]: payload, "text/plain": "table" },
        },
      ],
    },
    {
      cell_type: "code",
      id: "c2",
      source: "report.show(fig)",
      execution_count: 2,
      outputs: [{ output_type: "display_data", data: figureBundle(figure, { library: true }) }],
    },
    {
      cell_type: "code",
      id: "c3",
      source: "df",
      execution_count: 3,
      outputs: [
        {
          output_type: "display_data",
          data: {
            "text/html": `<table><tr>${Array.from({ length: 16 }, (_, c) => `<th>raw_html_column_${c + 1}</th>`).join("")}</tr></table>`,
          },
        },
      ],
    },
  ],
};

let exported: { pdf: string; page: string } | undefined;
async function exportOnce() {
  if (exported) return exported;
  const notebooks = join(scratch, "notebooks");
  mkdirSync(join(notebooks, "a-fit"), { recursive: true });
  writeFileSync(join(notebooks, "a-fit", "a-wide.ipynb"), JSON.stringify(nb));
  const outDir = join(scratch, "report");
  await exportNotebooks({ notebooksDir: notebooks, outDir, images: false, log: () => {} });
  exported = {
    pdf: join(outDir, "pdf", "a-fit", "a-wide.pdf"),
    page: join(outDir, "notebooks", "a-fit", "a-wide.html"),
  };
  return exported;
}

function hasPdftotext(): boolean {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

test("the exported PDF holds the whole figure title and every table cell (pdftotext)", async () => {
  if (!findChromium()) return void missing("Chromium", "apt-get install chromium (or set CHROMIUM_PATH)");
  if (!hasPdftotext()) return void missing("pdftotext", "apt-get install poppler-utils");
  const { pdf } = await exportOnce();
  // Only text inside the page counts (-x/-y/-W/-H crop to it: pdftotext otherwise reads text drawn past the
  // edge); -raw: in the order it was drawn (cell by cell), not interleaved by rows across columns.
  const size = execFileSync("pdfinfo", [pdf], { encoding: "utf8" }).match(/Page size:\s+([\d.]+) x ([\d.]+) pts/);
  assert.ok(size, "pdfinfo reads the page size");
  const [width, height] = [Math.floor(Number(size[1])), Math.floor(Number(size[2]))];
  const crop = ["-x", "0", "-y", "0", "-W", String(width), "-H", String(height)];
  const text = execFileSync("pdftotext", ["-raw", ...crop, pdf, "-"], { encoding: "utf8" });
  const words = text.replace(/\s+/g, " ");
  // A cell wrapped over lines reads back without its line breaks (and pdftotext drops a hyphen at a break).
  const joined = (value: string) => value.replace(/[\s-]+/g, "");
  assert.ok(words.includes(fullTitle), `the full sample-data title is in the PDF; it has:\n${words.slice(0, 3000)}`);
  for (const expected of [
    "<project>/out/eval/predictions/criterion-HBA1C-run-2026-12-02-seed-17-temperature-0.jsonl",
    "last_column_here",
    "end-of-row-2",
    "markdown_header_14",
    "value_14_long_enough",
    "raw_html_column_16",
  ])
    assert.ok(joined(text).includes(joined(expected)), `"${expected}" is in the PDF text`);
});

test("printed at the A4 page width, no table, figure or title overflows (DOM check in Chromium)", async () => {
  if (!findChromium()) return void missing("Chromium", "apt-get install chromium (or set CHROMIUM_PATH)");
  const { page: file } = await exportOnce();
  const browser = await launchBrowser(["--window-size=800,1000"]);
  try {
    const page = await browser.newPage();
    // As --print-to-pdf does: the page loads (and plotly draws) on an 800 px screen, then prints on A4.
    await page.send("Emulation.setDeviceMetricsOverride", {
      width: 800,
      height: 1000,
      deviceScaleFactor: 1,
      mobile: false,
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitFor(`document.querySelector(".plotly-figure svg.main-svg g.g-gtitle text")`, "the figure to draw");
    const drawn = await page.evaluate<{ width: number; title: { left: number; right: number; top: number } }[]>(
      `[...document.querySelectorAll(".plotly-figure")].map((el) => {
        const svg = el.querySelector("svg.main-svg"), box = svg.getBoundingClientRect();
        const title = [...el.querySelectorAll("g.g-gtitle text")].map((t) => t.getBoundingClientRect());
        return { width: box.width, title: { left: Math.min(...title.map((t) => t.left)) - box.left,
          right: Math.max(...title.map((t) => t.right)) - box.left, top: Math.min(...title.map((t) => t.top)) - box.top } };
      })`,
    );
    assert.is(drawn.length, 1);
    const printable = Math.floor(((210 - 2 * 12) / 25.4) * 96); // A4 less the 12 mm margins of the page style
    for (const figure of drawn) {
      assert.ok(figure.width <= printable, `the figure (${figure.width} px) fits the printed width (${printable} px)`);
      assert.ok(
        figure.title.left >= 0 && figure.title.right <= figure.width && figure.title.top >= 0,
        `the title lies inside the figure: ${JSON.stringify(figure)}`,
      );
    }

    await page.send("Emulation.setEmulatedMedia", { media: "print" });
    await page.send("Emulation.setDeviceMetricsOverride", {
      width: printable,
      height: 1000,
      deviceScaleFactor: 1,
      mobile: false,
    });
    const overflowing = await page.evaluate<string[]>(
      `[...document.querySelectorAll("table, pre, .output, .plotly-figure, .cell")].flatMap((el) => {
        const right = el.getBoundingClientRect().right, limit = document.documentElement.clientWidth;
        const name = el.tagName.toLowerCase() + "." + el.className + " in " + (el.closest(".cell") || {}).id;
        return right > limit + 1 || el.scrollWidth > el.clientWidth + 1 ? [name + ": right " + right + ", scroll " + el.scrollWidth + " > " + el.clientWidth] : [];
      })`,
    );
    assert.equal(overflowing, [], "elements wider than the printed page");
  } finally {
    await browser.close();
  }
});

test.run();
