import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findJupyterPython, kernelSpecStartable, readKernelSpec } from "../../scripts/internal/jupyter-env.js";
import { listNotebooks } from "../../scripts/internal/notebooks.js";
import { root, runScript } from "../foundation/helpers.js";
import { missing } from "../helpers/skip.js";
import { tempDir } from "../helpers/temp-dir.js";

// How CI executes every notebook: the same runner a user calls (`npm run notebooks`), for real, through tslab.
// Under CI=true a missing Jupyter or tslab kernel fails this test instead of skipping it.

const notebooksDir = join(root, "notebooks");
const scratch = tempDir("notebooks-test-");

function jupyterReady(): boolean {
  const python = findJupyterPython();
  const kernel = python ? readKernelSpec(python) : undefined;
  if (python && kernel && kernelSpecStartable(kernel)) return true;
  return missing("Jupyter with the tslab kernel", "npm run setup:jupyter") as false;
}

function libraryBuilt(): boolean {
  if (existsSync(join(root, "lib", "dist", "index.js"))) return true;
  throw new Error("lib/dist is missing: notebooks import the built library; run `npm run build` (npm test does)");
}

test("every source notebook is committed clean (no outputs, no execution counts, cell ids, tslab kernel)", () => {
  if (listNotebooks(notebooksDir).length === 0) {
    console.warn("  (no notebooks under notebooks/ yet)");
    return;
  }
  const run = runScript("run-notebooks.ts", ["--check-clean"]);
  assert.is(run.status, 0, run.output);
});

test("report.show and report.table emit rich outputs inside a real tslab kernel", () => {
  if (!jupyterReady() || !libraryBuilt()) return;
  const out = join(scratch, "fixture-out");
  const run = runScript("run-notebooks.ts", ["--dir", "tests/report/fixtures/notebooks", "--out", out]);
  assert.is(run.status, 0, run.output);
  assert.match(run.stdout, /skipped cell 5 \(id [^)]+\): \/\/ @cluster/);
  const executed = JSON.parse(readFileSync(join(out, "a-report", "a-display.ipynb"), "utf8"));
  const outputs = executed.cells.flatMap((cell: { outputs?: unknown[] }) => cell.outputs ?? []);
  const figure = outputs.find(
    (output: { data?: Record<string, unknown> }) => output.data?.["application/vnd.plotly.v1+json"],
  );
  assert.ok(figure, "a plotly output");
  assert.equal(figure.data["application/vnd.plotly.v1+json"].data[0].y, [3, 5]);
  // The HTML fallback for front ends without the plotly extension; the first figure carries plotly.js.
  assert.match(String(figure.data["text/html"]), /plotly\.js v3[\s\S]*window\.Plotly\.newPlot/);
  const table = outputs.find(
    (output: { data?: Record<string, unknown> }) => output.data?.["application/vnd.clinical-distill.table+json"],
  );
  assert.match(String(table.data["text/html"]), /&lt;b&gt;escaped&lt;\/b&gt;/);
  assert.equal(table.data["application/vnd.clinical-distill.table+json"].columns, ["criterion", "note", "f1"]);
});

test("every notebook under notebooks/ executes headless through the runner, in order", () => {
  const notebooks = listNotebooks(notebooksDir);
  if (notebooks.length === 0) {
    console.warn("  (no notebooks under notebooks/ yet)");
    return;
  }
  if (!jupyterReady() || !libraryBuilt()) return;
  // The same output folder as `npm run notebooks`, so a test run leaves what the demo and export read.
  // The runner bounds each cell (600 s); this bounds the whole run, generously, so a hang cannot eat CI's 90 minutes.
  const run = runScript("run-notebooks.ts", [], {}, 50 * 60_000);
  assert.is(run.status, 0, `the notebook runner failed:\n${run.output.slice(-4000)}`);
  for (const notebook of notebooks)
    assert.ok(existsSync(join(root, "out", "notebooks", notebook)), `${notebook} executed`);
});

test("the executed notebooks pass the export guard with the project's registry and export to HTML and CSV", () => {
  const notebooks = listNotebooks(join(root, "out", "notebooks"));
  if (notebooks.length === 0) {
    console.warn("  (no executed notebooks to export)");
    return;
  }
  // PDF and images are covered by tests/report/render.test.ts; here the guard and the pages of the real notebooks.
  const out = join(scratch, "report");
  const run = runScript("export.ts", ["--out", out, "--no-pdf", "--no-images"]);
  assert.is(run.status, 0, run.output.slice(-4000));
  for (const notebook of notebooks)
    assert.ok(existsSync(join(out, "notebooks", notebook.replace(/\.ipynb$/, ".html"))), `${notebook} exported`);
  const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
  assert.is(manifest.notebooks.length, notebooks.length);
});

test.run();
