import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readDatasetRegistry } from "../../lib/src/report/dataset-registry.js";
import { buildRestrictedIndex, scanNotebook } from "../../lib/src/report/export-guard.js";
import {
  exportNotebooks,
  type Figure,
  type NotebookDocument,
  RestrictedOutputError,
  scrubLocalPaths,
} from "../../lib/src/report/index.js";
import { toTablePayload } from "../../lib/src/report/table-data.js";
import { PLOTLY_MIME, TABLE_MIME } from "../../lib/src/report/types.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = resolve(import.meta.dirname, "..", "..");
const fixtures = join(import.meta.dirname, "fixtures");
const registryFile = join(fixtures, "restricted", "registry.yaml");
const restrictedNotes = readFileSync(join(fixtures, "restricted", "notes.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as { note_id: string; text: string });
const scratch = tempDir("export-test-");
const quiet = () => {};
const fig: Figure = {
  data: [{ type: "bar", x: ["met", "not met"], y: [4, 7], name: "sample counts" }],
  layout: { title: { text: "Export test figure" } },
};

function executed(
  cells: { source: string; outputs?: NotebookDocument["cells"][number]["outputs"] }[],
): NotebookDocument {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: [
      { cell_type: "markdown", id: "title", source: "# Export test notebook\n\nA test fixture, sample numbers only." },
      ...cells.map((cell, i) => ({
        cell_type: "code",
        id: `c${i + 2}`,
        source: cell.source,
        outputs: cell.outputs ?? [],
        execution_count: i + 1,
      })),
    ],
  };
}

function writeExecuted(dir: string, path: string, nb: NotebookDocument): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), JSON.stringify(nb));
}

const cleanNotebook = executed([
  {
    source: 'console.log("counts")',
    outputs: [{ output_type: "stream", name: "stdout", text: "12 notes, 3 rejected\n" }],
  },
  {
    source: "report.show(fig)",
    outputs: [{ output_type: "display_data", data: { [PLOTLY_MIME]: fig, "text/plain": "[figure]" } }],
  },
  {
    source: "report.table(rows)",
    outputs: [
      {
        output_type: "display_data",
        data: {
          [TABLE_MIME]: toTablePayload([{ criterion: "HBA1C", f1: 0.5, note: "a, b" }], "Per criterion"),
          "text/html": "<table></table>",
        },
      },
    ],
  },
]);

// A 20-word excerpt from the middle of a restricted note, re-cased and re-punctuated the way a table cell shows it.
const excerpt = restrictedNotes[0].text.split(/\s+/).slice(10, 30).join(" ").toUpperCase().replace(/,/g, " ;");
const leakingNotebook = executed([
  { source: "1 + 1", outputs: [{ output_type: "execute_result", data: { "text/plain": "2" } }] },
  {
    source: "report.table(notes)",
    outputs: [
      {
        output_type: "display_data",
        data: {
          "text/html": `<table><tr><td>R001</td><td>${excerpt}</td></tr></table>`,
          [TABLE_MIME]: toTablePayload([{ id: "R001", text: excerpt }]),
        },
      },
    ],
  },
  {
    source: "console.log(explanation)",
    outputs: [{ output_type: "stream", name: "stdout", text: restrictedNotes[1].text.slice(40, 260) }],
  },
]);

test("registry: restricted and absent datasets are read through the config layer", () => {
  const datasets = readDatasetRegistry(registryFile);
  assert.equal(
    datasets.map((dataset) => [dataset.name, dataset.restricted, existsSync(dataset.paths[0])]),
    [
      ["test-restricted-notes", true, true],
      ["test-absent-restricted", true, false],
    ],
  );
  assert.equal(readDatasetRegistry(join(scratch, "no-registry.yaml")), []);
});

test("guard: finds copied note text per cell (re-cased, re-punctuated), ignores clean cells and short phrases", async () => {
  const index = await buildRestrictedIndex(readDatasetRegistry(registryFile));
  assert.equal(
    index.datasets.map((dataset) => dataset.name),
    ["test-restricted-notes"],
  );
  assert.equal(
    index.scanned.map((entry) => [entry.dataset, entry.files, entry.notScanned === undefined]),
    [
      ["test-restricted-notes", 1, true],
      ["test-absent-restricted", 0, false],
    ],
  );
  const findings = scanNotebook(leakingNotebook, "b-eval/a-leak.ipynb", index);
  assert.equal(
    findings.map((finding) => [finding.notebook, finding.cell, finding.cellId, finding.part, finding.dataset]),
    [
      ["b-eval/a-leak.ipynb", 3, "c3", "output", "test-restricted-notes"],
      ["b-eval/a-leak.ipynb", 4, "c4", "output", "test-restricted-notes"],
    ],
  );
  const pasted = executed([{ source: `// ${restrictedNotes[1].text}\nconsole.log(1)` }]);
  assert.equal(
    scanNotebook(pasted, "a/pasted.ipynb", index).map((finding) => [finding.cell, finding.part]),
    [[2, "source"]],
    "note text pasted into a cell's source is found too",
  );
  assert.equal(scanNotebook(cleanNotebook, "a/clean.ipynb", index), []);
  const shortQuote = executed([
    {
      source: "x",
      outputs: [{ output_type: "stream", name: "stdout", text: "retired lighthouse keeper who walked three miles" }],
    },
  ]);
  assert.equal(scanNotebook(shortQuote, "a/short.ipynb", index), [], "fewer than 8 words in a row is not flagged");
});

// The old index kept a sample of windows (hash modulo m), so a short copy could fall between kept ones.
test("guard: the index is exact, every 8-word run of every note is found wherever it starts", async () => {
  const index = await buildRestrictedIndex(readDatasetRegistry(registryFile));
  for (const note of restrictedNotes) {
    const words = note.text.match(/[\p{L}\p{N}]+/gu) ?? [];
    for (let start = 0; start + 8 <= words.length; start++) {
      const run = words.slice(start, start + 8).join(" ");
      const nb = executed([{ source: "x", outputs: [{ output_type: "stream", name: "stdout", text: run }] }]);
      assert.equal(
        scanNotebook(nb, "a/run.ipynb", index).map((finding) => [finding.cell, finding.words]),
        [[2, 8]],
        `${note.note_id} words ${start}..${start + 7}`,
      );
    }
  }
});

test("guard: reads any text file in a dataset folder (brat .ann, no extension), skips binary ones and says so", async () => {
  const folder = join(scratch, "mixed-dataset");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "R001.ann"), `T1\tProblem 0 10\t${restrictedNotes[0].text}\n`);
  writeFileSync(join(folder, "NOTES"), restrictedNotes[1].text);
  writeFileSync(join(folder, "table.parquet"), "PAR1 not really parquet");
  writeFileSync(join(folder, "blob.dat"), Buffer.from([1, 2, 0, 3]));
  const registry = join(scratch, "mixed-registry.yaml");
  writeFileSync(
    registry,
    `datasets:\n  - id: mixed\n    description: mixed folder\n    kind: ner\n    path: ${folder}\n    restricted: true\n    agreement: test\n`,
  );
  const index = await buildRestrictedIndex(readDatasetRegistry(registry));
  assert.equal(
    index.scanned.map((entry) => [entry.dataset, entry.files, entry.notScanned]),
    [["mixed", 2, "2 file(s) in a binary format were not read"]],
  );
  assert.is(scanNotebook(leakingNotebook, "b-eval/a-leak.ipynb", index).length, 2);
});

test("export refuses restricted text, names notebook and cell, and writes nothing", async () => {
  const notebooks = join(scratch, "leak", "notebooks");
  const outDir = join(scratch, "leak", "report");
  writeExecuted(notebooks, "a-clean/a-ok.ipynb", cleanNotebook);
  writeExecuted(notebooks, "b-eval/a-leak.ipynb", leakingNotebook);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "earlier.txt"), "an earlier good export");
  try {
    await exportNotebooks({ notebooksDir: notebooks, outDir, registryFile, pdf: false, images: false, log: quiet });
    assert.unreachable("the export should have been refused");
  } catch (error) {
    assert.instance(error, RestrictedOutputError);
    const message = (error as Error).message;
    assert.match(
      message,
      /b-eval\/a-leak\.ipynb, cell 3 \(id c3\): text from restricted dataset "test-restricted-notes"/,
    );
    assert.match(message, /b-eval\/a-leak\.ipynb, cell 4 \(id c4\)/);
    assert.match(message, /Nothing was exported/);
    assert.not.match(message, /lighthouse|LIGHTHOUSE|endocrinology/, "the message never repeats the restricted text");
  }
  assert.is(readFileSync(join(outDir, "earlier.txt"), "utf8"), "an earlier good export");
  assert.ok(!existsSync(join(outDir, "index.html")));
});

test("export refuses the project's sample notes when a registry marks them restricted", async () => {
  const sample = join(root, "data", "sample", "notes.jsonl");
  if (!existsSync(sample)) throw new Error(`the sample notes are missing: ${sample}`);
  const registry = join(scratch, "sample-registry.yaml");
  writeFileSync(
    registry,
    `datasets:\n  - id: sample-notes\n    description: sample notes, marked restricted for this test\n    kind: notes\n    path: data/sample/notes.jsonl\n    restricted: true\n    agreement: test\n`,
  );
  const firstNote = JSON.parse(readFileSync(sample, "utf8").split("\n")[0]) as { text: string };
  const notebooks = join(scratch, "sample", "notebooks");
  writeExecuted(
    notebooks,
    "a-x/a-print-note.ipynb",
    executed([
      { source: "console.log(note.text)", outputs: [{ output_type: "stream", name: "stdout", text: firstNote.text }] },
    ]),
  );
  try {
    await exportNotebooks({
      notebooksDir: notebooks,
      outDir: join(scratch, "sample", "report"),
      registryFile: registry,
      pdf: false,
      images: false,
      log: quiet,
    });
    assert.unreachable("the export should have been refused");
  } catch (error) {
    assert.instance(error, RestrictedOutputError);
    assert.match(
      (error as Error).message,
      /a-x\/a-print-note\.ipynb, cell 2 \(id c2\): text from restricted dataset "sample-notes"/,
    );
  }
});

test("export without Chromium work: pages, CSV tables, figure JSON, index and manifest; replaces the old report", async () => {
  const notebooks = join(scratch, "clean", "notebooks");
  const outDir = join(scratch, "clean", "report");
  writeExecuted(notebooks, "a-clean/a-ok.ipynb", cleanNotebook);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "stale.txt"), "from an older export");
  const result = await exportNotebooks({
    notebooksDir: notebooks,
    outDir,
    registryFile,
    pdf: false,
    images: false,
    log: quiet,
  });
  assert.ok(!existsSync(join(outDir, "stale.txt")), "the old report is replaced as a whole");
  assert.ok(!existsSync(`${outDir}.partial-${process.pid}`));
  const page = readFileSync(join(outDir, "notebooks", "a-clean", "a-ok.html"), "utf8");
  assert.match(page, /<h1>Export test notebook<\/h1>/);
  assert.match(page, /Plotly\.newPlot\("figure-1"/);
  assert.is(
    readFileSync(join(outDir, "tables", "a-clean", "a-ok", "cell-4-1.csv"), "utf8"),
    'criterion,f1,note\nHBA1C,0.5,"a, b"\n',
  );
  assert.equal(JSON.parse(readFileSync(join(outDir, "figures", "a-clean", "a-ok", "cell-3-1.json"), "utf8")), fig);
  const index = readFileSync(result.index, "utf8");
  assert.match(index, /<a href="notebooks\/a-clean\/a-ok\.html">HTML<\/a>/);
  const manifest = JSON.parse(readFileSync(result.manifest, "utf8"));
  assert.is(manifest.project.version, JSON.parse(readFileSync(join(root, "lib", "package.json"), "utf8")).version);
  assert.ok(manifest.git.commit === null || /^[0-9a-f]{40}$/.test(manifest.git.commit));
  assert.is(manifest.experiment.config.name, "sample");
  assert.ok(Object.values(manifest.models).length > 0, "model names from the config");
  const restricted = manifest.datasets.find((dataset: { name: string }) => dataset.name === "test-restricted-notes");
  assert.is(restricted.files.length, 1);
  assert.match(restricted.files[0].sha256, /^[0-9a-f]{64}$/);
  assert.is(restricted.files[0].path, "tests/report/fixtures/restricted/notes.jsonl");
  assert.is(manifest.notebooks[0].tables.length, 1);
  assert.is(manifest.notebooks[0].pdf, null);
});

test("local paths: the project folder and the home folder are replaced in every exported file", async () => {
  assert.equal(
    scrubLocalPaths(
      { text: ["/home/u/x and /home/u/proj/out/a and /home/u/proj2,\n/home/u/y", "not http://host/home/u/x"] },
      "/home/u/proj",
      "/home/u",
    ),
    { text: ["~/x and <project>/out/a and ~/proj2,\n~/y", "not http://host/home/u/x"] },
  );
  const notebooks = join(scratch, "paths", "notebooks");
  const outDir = join(scratch, "paths", "report");
  writeExecuted(
    notebooks,
    "a-paths/a-files.ipynb",
    executed([
      {
        source: "console.log(file)",
        outputs: [{ output_type: "stream", name: "stdout", text: `wrote ${root}/out/eval/predictions.jsonl\n` }],
      },
      {
        source: "report.table(files)",
        outputs: [
          {
            output_type: "display_data",
            data: {
              [TABLE_MIME]: toTablePayload([{ file: `${root}/out/a.parquet` }]),
              "text/html": `<table><tr><td>${root}/out/a.parquet</td></tr></table>`,
            },
          },
        ],
      },
    ]),
  );
  await exportNotebooks({ notebooksDir: notebooks, outDir, registryFile, pdf: false, images: false, log: quiet });
  const page = readFileSync(join(outDir, "notebooks", "a-paths", "a-files.html"), "utf8");
  assert.ok(!page.includes(root), "the page names the local project folder");
  assert.match(page, /wrote &lt;project&gt;\/out\/eval\/predictions\.jsonl/);
  assert.is(
    readFileSync(join(outDir, "tables", "a-paths", "a-files", "cell-3-1.csv"), "utf8"),
    "file\n<project>/out/a.parquet\n",
  );
});

test("npm run export refuses with exit code 1 and the same message", () => {
  const notebooks = join(scratch, "cli", "notebooks");
  writeExecuted(notebooks, "b-eval/a-leak.ipynb", leakingNotebook);
  const run = spawnSync(
    process.execPath,
    [
      join(root, "node_modules", "tsx", "dist", "cli.mjs"),
      join(root, "scripts", "export.ts"),
      "--notebooks",
      notebooks,
      "--out",
      join(scratch, "cli", "report"),
      "--registry",
      registryFile,
    ],
    { cwd: root, encoding: "utf8" },
  );
  assert.is(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /Export refused: 2 notebook cell\(s\)/);
  assert.match(run.stderr, /b-eval\/a-leak\.ipynb, cell 3 \(id c3\)/);
  assert.ok(!existsSync(join(scratch, "cli", "report")));
});

test("export with no executed notebooks says to run the notebooks first", async () => {
  try {
    await exportNotebooks({ notebooksDir: join(scratch, "nothing-here"), outDir: join(scratch, "r"), log: quiet });
    assert.unreachable("expected an error");
  } catch (error) {
    assert.match((error as Error).message, /Run `npm run notebooks` first/);
  }
});

test.run();
