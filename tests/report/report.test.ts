import { readFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { describeFigure } from "../../lib/src/report/display.js";
import { escapeHtml, jsonForScript } from "../../lib/src/report/escape-html.js";
import { notebookToHtml } from "../../lib/src/report/export-html.js";
import { markdownToHtml } from "../../lib/src/report/export-markdown.js";
import {
  type Figure,
  inNotebook,
  type NotebookDocument,
  show,
  table,
  writeFigure,
  writeTableCsv,
} from "../../lib/src/report/index.js";
import { toTablePayload } from "../../lib/src/report/table-data.js";
import { tableHtml, tableText } from "../../lib/src/report/table-html.js";
import { PLOTLY_MIME, TABLE_MIME } from "../../lib/src/report/types.js";
import { tableCsv } from "../../lib/src/report/write-table.js";
import { tempDir } from "../helpers/temp-dir.js";

const scratch = tempDir("report-test-");
const fig: Figure = { data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: { title: { text: "Two bars" } } };

/** Capture console.log while `run` runs. */
function captureLog(run: () => void): string {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    run();
  } finally {
    console.log = original;
  }
  return lines.join("\n");
}

test("table payload: columns in first-seen order, missing values empty, maxRows counted", () => {
  const payload = toTablePayload([{ a: 1, b: "x" }, { b: "y", c: true }, { a: 3 }], "T", 2);
  assert.equal(payload.columns, ["a", "b", "c"]);
  assert.equal(payload.rows, [
    [1, "x", null],
    [null, "y", true],
  ]);
  assert.is(payload.totalRows, 3);
  assert.is(payload.title, "T");
  const odd = toTablePayload([{ big: 10n, when: new Date("2131-05-02T00:00:00Z"), obj: { k: 1 }, nan: Number.NaN }]);
  assert.equal(odd.rows[0], ["10", "2131-05-02T00:00:00.000Z", '{"k":1}', "NaN"]);
  assert.throws(() => toTablePayload("rows" as never), /array of row objects or a nodejs-polars DataFrame/);
});

test("table payload from a nodejs-polars DataFrame keeps its column order", () => {
  const frame = pl.DataFrame({ criterion: ["ABDOMINAL", "HBA1C"], f1: [0.5, 0.75] });
  const payload = toTablePayload(frame);
  assert.equal(payload.columns, ["criterion", "f1"]);
  assert.equal(payload.rows, [
    ["ABDOMINAL", 0.5],
    ["HBA1C", 0.75],
  ]);
});

test("HTML tables escape every value, caption and header; numbers right-aligned and rounded", () => {
  const html = tableHtml(toTablePayload([{ "<col>": "<script>alert(1)</script>", n: 0.123456789 }], "a & b"));
  assert.not.match(html, /<script>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /<th>&lt;col&gt;<\/th>/);
  assert.match(html, /<caption>a &amp; b<\/caption>/);
  assert.match(html, /<td class="num">0.1235<\/td>/);
  const cut = tableHtml(toTablePayload([{ a: 1 }, { a: 2 }], undefined, 1));
  assert.match(cut, /showing 1 of 2 rows/);
  assert.is(escapeHtml(`"'&<>`), "&quot;&#39;&amp;&lt;&gt;");
});

test("text tables line up and say when rows were cut", () => {
  const text = tableText(
    toTablePayload(
      [
        { name: "a", value: 1 },
        { name: "longer", value: 22 },
      ],
      "T",
      1,
    ),
  );
  assert.equal(text.split("\n"), ["T", "name  value", "----  -----", "a     1", "(showing 1 of 2 rows)"]);
});

test("CSV: header row, quoting of commas, quotes and newlines", () => {
  const file = writeTableCsv(
    [{ id: "S1", text: 'a, "b"\nc', ok: true, n: 1.5 }, { id: "S2" }],
    join(scratch, "t", "x.csv"),
  );
  assert.is(readFileSync(file, "utf8"), 'id,text,ok,n\nS1,"a, ""b""\nc",true,1.5\nS2,,,\n');
  assert.is(tableCsv({ columns: ["a"], rows: [[null]], totalRows: 1 }), "a\n\n");
});

test("outside a notebook, show and table print text instead of failing", () => {
  assert.is(inNotebook(), false);
  assert.is(
    captureLog(() => show(fig)),
    "[figure: Two bars; 1 trace(s): bar]",
  );
  assert.match(
    captureLog(() => table([{ a: 1 }], { title: "T" })),
    /^T\na\n-\n1$/,
  );
  assert.throws(() => show({ layout: {} } as never), /expected a plotly figure/);
  assert.is(describeFigure({ data: [] }), "[figure: untitled; 0 trace(s): none]");
});

test("script-embedded JSON cannot close the script element", () => {
  const json = jsonForScript({ text: "</script><script>alert(1)</script>\u2028" });
  assert.not.match(json, /<\/script/i);
  assert.equal(JSON.parse(json), { text: "</script><script>alert(1)</script>\u2028" });
});

test("markdown: headings, lists, code, tables, emphasis, links; raw HTML and script links escaped", () => {
  const html = markdownToHtml(
    [
      "# Title *here*",
      "",
      "Reads `data/sample/notes.jsonl`, writes **out/**.",
      "",
      "- one",
      "- two",
      "",
      "1. first",
      "2. second",
      "",
      "| a | b |",
      "|---|---|",
      "| 1 | <i>2</i> |",
      "",
      "```ts",
      "const x = 1 < 2;",
      "```",
      "",
      "<img src=x onerror=alert(1)> [ok](https://example.org/x) [bad](javascript:alert(1))",
    ].join("\n"),
  );
  assert.match(html, /<h1>Title <em>here<\/em><\/h1>/);
  assert.match(html, /<code>data\/sample\/notes.jsonl<\/code>/);
  assert.match(html, /<strong>out\/<\/strong>/);
  assert.match(html, /<ul><li>one<\/li><li>two<\/li><\/ul>/);
  assert.match(html, /<ol><li>first<\/li><li>second<\/li><\/ol>/);
  assert.match(html, /<td>&lt;i&gt;2&lt;\/i&gt;<\/td>/);
  assert.match(html, /<pre><code>const x = 1 &lt; 2;<\/code><\/pre>/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(html, /<a href="https:\/\/example.org\/x">ok<\/a>/);
  assert.not.match(html, /href="javascript/);
});

function executedNotebook(withFigure: boolean): NotebookDocument {
  const outputs: NotebookDocument["cells"][number]["outputs"] = [
    { output_type: "stream", name: "stdout", text: ["<b>not bold</b>\n"] },
    {
      output_type: "error",
      ename: "Error",
      evalue: "bad \x1b[31mred\x1b[0m",
      traceback: ["Error: bad \x1b[31mred\x1b[0m"],
    },
  ];
  if (withFigure) {
    outputs.push({ output_type: "display_data", data: { [PLOTLY_MIME]: fig, "text/plain": "[figure]" } });
    outputs.push({ output_type: "display_data", data: { [PLOTLY_MIME]: fig, "text/plain": "[figure]" } });
  }
  outputs.push({
    output_type: "display_data",
    data: { "text/html": "<table class='cd-table'><tr><td>t</td></tr></table>", [TABLE_MIME]: {}, "text/plain": "t" },
  });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown", source: ["# Page title\n", "Text."] },
      { cell_type: "code", source: "console.log(1 < 2);", outputs, execution_count: 1 },
    ],
  };
}

test("notebook HTML: plotly inlined once when there are figures, not at all otherwise; text escaped", () => {
  const withFigures = notebookToHtml(executedNotebook(true), { title: "T <1>", indexHref: "../index.html" });
  assert.is((withFigures.match(/<div class="plotly-figure" id="figure-\d"/g) ?? []).length, 2);
  assert.is((withFigures.match(/Plotly\.newPlot\("figure-/g) ?? []).length, 2);
  // Nothing is loaded from the network: no external scripts, stylesheets or images.
  assert.not.match(withFigures, /<script[^>]+src=|<link[^>]+href=|<img[^>]+src="http/i);
  assert.match(withFigures, /<title>T &lt;1&gt;<\/title>/);
  assert.match(withFigures, /&lt;b&gt;not bold&lt;\/b&gt;/);
  assert.match(withFigures, /console\.log\(1 &lt; 2\);/);
  assert.match(withFigures, /Error: bad red/);

  assert.match(withFigures, /<h1>Page title<\/h1>/);
  assert.match(withFigures, /<table class='cd-table'>/);
  const plain = notebookToHtml(executedNotebook(false), { title: "T" });
  assert.ok(plain.length < 20_000, `no plotly inlined without figures (${plain.length} bytes)`);
  assert.match(plain, /Error: bad red/);
  assert.not.match(plain, /\x1b/, "terminal colour codes removed");
  assert.ok(withFigures.length > 1_000_000, "plotly inlined");
  assert.ok(withFigures.length < plain.length + 6_000_000, "plotly inlined only once");
});

test("writeFigure: .html inlines plotly and the figure; .json is the value; unknown extension refused", async () => {
  const page = readFileSync(await writeFigure(fig, join(scratch, "f", "fig.html")), "utf8");
  assert.match(page, /Plotly\.newPlot\("figure", \[\{"type":"bar"/);
  assert.ok(page.length > 1_000_000);
  assert.equal(JSON.parse(readFileSync(await writeFigure(fig, join(scratch, "f", "fig.json")), "utf8")), fig);
  try {
    await writeFigure(fig, join(scratch, "f", "fig.gif"));
    assert.unreachable("expected an error");
  } catch (error) {
    assert.match((error as Error).message, /cannot tell the format of .*fig\.gif/);
  }
});

test.run();
