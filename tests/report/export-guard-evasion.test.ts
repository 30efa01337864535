/**
 * The export guard probed as a hostile tester would (issue 15): each probe hides a copied excerpt of a
 * restricted note in a way the old guard let through, and must now be refused, naming notebook, cell and
 * the length of the matching run, never the text. Unrelated clinical text that shares only short phrases
 * must still pass (a false refusal would block every export).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readDatasetRegistry } from "../../lib/src/report/dataset-registry.js";
import { buildRestrictedIndex, indexShingles, scanNotebook } from "../../lib/src/report/export-guard.js";
import {
  exportNotebooks,
  type GuardFinding,
  type NotebookDocument,
  RestrictedOutputError,
} from "../../lib/src/report/index.js";
import { toTablePayload } from "../../lib/src/report/table-data.js";
import { PLOTLY_MIME, TABLE_MIME } from "../../lib/src/report/types.js";
import { tempDir } from "../helpers/temp-dir.js";

type Output = NonNullable<NotebookDocument["cells"][number]["outputs"]>[number];

const fixtures = join(import.meta.dirname, "fixtures", "restricted");
const registryFile = join(fixtures, "registry.yaml");
const notes = readFileSync(join(fixtures, "notes.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line).text as string);
const scratch = tempDir("guard-evasion-");
const index = await buildRestrictedIndex(readDatasetRegistry(registryFile));

// 14 words of note R001, copied: every probe below hides these (or part of them).
const excerpt = "the patient is a retired lighthouse keeper who walked three miles each morning along";
const words = excerpt.split(" ");
const firstHalf = words.slice(0, 7).join(" ");
const secondHalf = words.slice(7).join(" ");
if (!notes[0].toLowerCase().includes(excerpt)) throw new Error("the excerpt is not in the fixture note");

const stream = (text: string): Output => ({ output_type: "stream", name: "stdout", text });
const html = (markup: string): Output => ({ output_type: "display_data", data: { "text/html": markup } });

function notebook(cells: { type?: "code" | "markdown"; source?: string; outputs?: Output[] }[]): NotebookDocument {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown", id: "title", source: "# Probe\n\nCounts only." },
      ...cells.map((cell, i) => ({
        cell_type: cell.type ?? "code",
        id: `c${i + 2}`,
        source: cell.source ?? "display(x)",
        ...(cell.type === "markdown" ? {} : { outputs: cell.outputs ?? [], execution_count: i + 1 }),
      })),
    ],
  };
}

const summary = (findings: GuardFinding[]) =>
  findings.map((finding) => `${finding.notebook} ${finding.cell}-${finding.endCell} ${finding.part} ${finding.words}`);

/** The probe must be refused exactly once, at these cells, with this many words in the run. */
function refuses(name: string, nb: NotebookDocument, cell: number, endCell: number, count = words.length): void {
  const findings = scanNotebook(nb, `probe/${name}.ipynb`, index);
  assert.ok(findings.length > 0, `${name}: not refused`);
  assert.ok(
    findings.some(
      (finding) =>
        finding.notebook === `probe/${name}.ipynb` &&
        finding.cell === cell &&
        finding.endCell === endCell &&
        finding.dataset === "test-restricted-notes" &&
        finding.words === count,
    ),
    `${name}: expected cells ${cell}-${endCell} with ${count} words, got ${summary(findings).join("; ")}`,
  );
  const message = new RestrictedOutputError(findings).message;
  assert.match(message, new RegExp(`probe/${name}\\.ipynb, cell ${cell} \\(id c${cell}\\)`));
  assert.match(message, new RegExp(`\\(${count} words in a row\\)`));
  for (const word of ["lighthouse", "keeper", "harbour"])
    assert.not.ok(message.toLowerCase().includes(word), `${name}: the message repeats restricted text`);
}

/** Applies `change` to every word of the excerpt. */
const eachWord = (change: (word: string, i: number) => string) => words.map(change).join(" ");

test("an excerpt printed over two outputs (console.log line by line) is one run", () => {
  refuses("two-outputs", notebook([{ outputs: [stream(`${firstHalf}\n`), stream(`${secondHalf}\n`)] }]), 2, 2);
});

test("an excerpt printed over two cells is one run, and the finding names both cells", () => {
  refuses("two-cells", notebook([{ outputs: [stream(firstHalf)] }, { outputs: [stream(secondHalf)] }]), 2, 3);
});

test("text in HTML attributes (alt, title) and comments is published, so it is scanned", () => {
  refuses("alt", notebook([{ outputs: [html(`<img src="x.png" alt="${excerpt}">`)] }]), 2, 2);
  refuses("title", notebook([{ outputs: [html(`<span title='${excerpt}'>n = 12</span>`)] }]), 2, 2);
  refuses("comment", notebook([{ outputs: [html(`<p>n = 12</p><!-- ${excerpt} -->`)] }]), 2, 2);
  refuses("unquoted", notebook([{ outputs: [html(`<td data-a=${words.join(" data-b=")}>1</td>`)] }]), 2, 2);
});

test("HTML character references (named, decimal, hex) are decoded", () => {
  const encoded = eachWord((word) =>
    word.replace(/e/g, "&#101;").replace(/a/g, "&#x61;").replace(/o/g, "&ocirc;").replace(/t/, "&#X74;"),
  );
  refuses("entities-html", notebook([{ outputs: [html(`<p>${encoded}</p>`)] }]), 2, 2);
  refuses("entities-text", notebook([{ outputs: [stream(encoded)] }]), 2, 2);
});

test("zero-width characters, soft hyphens and other invisible format characters are removed", () => {
  const invisible = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u{e0041}"];
  const hidden = eachWord((word, i) => `${word.slice(0, 2)}${invisible[i % invisible.length]}${word.slice(2)}`);
  refuses("zero-width", notebook([{ outputs: [stream(hidden)] }]), 2, 2);
  refuses(
    "soft-hyphen",
    notebook([{ outputs: [html(eachWord((word) => `${word.slice(0, 3)}&shy;${word.slice(3)}`))] }]),
    2,
    2,
  );
});

test("look-alike letters (Cyrillic, Greek, fullwidth, accents) and other scripts' digits are folded", () => {
  const cyrillic = excerpt
    .replace(/a/g, "а")
    .replace(/e/g, "е")
    .replace(/o/g, "о")
    .replace(/p/g, "р")
    .replace(/c/g, "с");
  refuses("cyrillic", notebook([{ outputs: [stream(cyrillic)] }]), 2, 2);
  refuses(
    "greek",
    notebook([{ outputs: [stream(excerpt.replace(/o/g, "ο").replace(/i/g, "ι").replace(/k/g, "κ"))] }]),
    2,
    2,
  );
  const fullwidth = [...excerpt].map((char) =>
    char === " " ? char : String.fromCharCode(char.charCodeAt(0) + 0xfee0),
  );
  refuses("fullwidth", notebook([{ outputs: [stream(fullwidth.join(""))] }]), 2, 2);
  refuses("accents", notebook([{ outputs: [stream(excerpt.replace(/e/g, "é").replace(/a/g, "a\u0301"))] }]), 2, 2);
  // "a creatinine that rose from 1.1 to 1.9 over four days" with Arabic-Indic digits.
  refuses(
    "digits",
    notebook([{ outputs: [stream("a creatinine that rose from ١.١ to ١.٩ over four days")] }]),
    2,
    2,
    13,
  );
});

test("case is folded, including capitals whose lower case is two characters (İ)", () => {
  refuses("case", notebook([{ outputs: [stream(eachWord((word, i) => (i % 2 ? word.toUpperCase() : word)))] }]), 2, 2);
  refuses("dotted-capital", notebook([{ outputs: [stream(excerpt.toUpperCase().replace(/I/g, "İ"))] }]), 2, 2);
});

test("a word broken by a line break, or by a hyphen and a line break, is read joined too", () => {
  const broken = excerpt
    .replace("lighthouse", "light\nhouse")
    .replace("keeper", "kee-\nper")
    .replace("morning", "morn\r\ning");
  refuses("line-break", notebook([{ outputs: [stream(broken)] }]), 2, 2);
  // Split at the end of one output, continued in the next (a fixed-width console.log of a note).
  refuses(
    "line-break-outputs",
    notebook([
      {
        outputs: [
          stream("the patient is a retired lighth"),
          stream("ouse keeper who walked three miles each morning along"),
        ],
      },
    ]),
    2,
    2,
  );
  // Markup inside a word does not separate it on screen.
  refuses(
    "markup-in-word",
    notebook([{ outputs: [html(eachWord((word) => `<b>${word.slice(0, 2)}</b>${word.slice(2)}`))] }]),
    2,
    2,
  );
});

test("markdown cells are scanned as rendered (emphasis inside words) and as written", () => {
  const emphasis = eachWord((word) => (word.length > 3 ? `${word.slice(0, 2)}**${word.slice(2)}**` : word));
  refuses("markdown-emphasis", notebook([{ type: "markdown", source: `Example:\n\n${emphasis}` }]), 2, 2);
  const findings = scanNotebook(notebook([{ type: "markdown", source: `> ${excerpt}` }]), "probe/md.ipynb", index);
  assert.equal(summary(findings), [`probe/md.ipynb 2-2 source ${words.length}`]);
  const inCode = scanNotebook(
    notebook([{ source: `const s = "${firstHalf}" +\n  "${secondHalf}";` }]),
    "probe/code.ipynb",
    index,
  );
  assert.equal(summary(inCode), [`probe/code.ipynb 2-2 source ${words.length}`]);
});

test("figure JSON and tables: an excerpt spread over several strings or cells of a table is one run", () => {
  const figure = {
    data: [
      { type: "bar", x: words, y: words.map((_, i) => i), name: "counts" },
      { type: "scatter", hovertext: [firstHalf, secondHalf] },
    ],
    layout: { title: { text: "Counts" } },
  };
  refuses(
    "figure",
    notebook([
      { outputs: [{ output_type: "display_data", data: { [PLOTLY_MIME]: figure, "text/plain": "[figure]" } }] },
    ]),
    2,
    2,
  );
  const table = toTablePayload([{ id: "R001", a: firstHalf, b: secondHalf }]);
  refuses(
    "table",
    notebook([{ outputs: [{ output_type: "display_data", data: { [TABLE_MIME]: table, "text/plain": "[table]" } }] }]),
    2,
    2,
  );
  // Shown as HTML, but the plain-text copy of the bundle holds the note: it is in the notebook too.
  refuses(
    "text-plain",
    notebook([
      { outputs: [{ output_type: "execute_result", data: { "text/html": "<b>12</b>", "text/plain": excerpt } }] },
    ]),
    2,
    2,
  );
});

test("unrelated clinical text that shares only short phrases (< 8 words) passes, and so do tables of numbers", () => {
  const unrelated = [
    "The patient is a retired teacher with a history of hypertension.", // 5 shared words
    "She walked three miles each morning before the fall.", // 5 shared words
    "Ankle swelling and orthopnoea on two pillows were noted, with a creatinine of 2.0.", // 4 shared
    "Holding his lisinopril was discussed with the family; the lighthouse keeper who visited agreed.",
    "Overnight she remained afebrile and tolerated a regular diet; basal bolus insulin was continued.",
  ].join("\n");
  const numbers = Array.from({ length: 400 }, (_, i) => `${(i * 37) % 100}\n`).join("");
  const sample = readFileSync(join(import.meta.dirname, "..", "..", "data", "sample", "notes.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line).text as string);
  const nb = notebook([
    { outputs: [stream(unrelated)] },
    {
      outputs: [stream(numbers), html(`<table>${sample.map((text) => `<tr><td>${text}</td></tr>`).join("")}</table>`)],
    },
    { type: "markdown", source: unrelated },
  ]);
  assert.equal(scanNotebook(nb, "probe/unrelated.ipynb", index), []);
});

test("the threshold is the config's: 6 words refused with minWords 6, passed with the default 8", async () => {
  const six = notebook([{ outputs: [stream("notes: retired lighthouse keeper who walked three; end")] }]);
  assert.equal(scanNotebook(six, "probe/six.ipynb", index), []);
  const strict = await buildRestrictedIndex(readDatasetRegistry(registryFile), { minWords: 6 });
  assert.equal(summary(scanNotebook(six, "probe/six.ipynb", strict)), ["probe/six.ipynb 2-2 output 6"]);
  const experiment = join(scratch, "strict.yaml");
  writeFileSync(experiment, `name: strict\nexport:\n  guard:\n    minWords: 6\n`);
  const notebooks = join(scratch, "strict", "notebooks");
  mkdirSync(notebooks, { recursive: true });
  writeFileSync(join(notebooks, "a.ipynb"), JSON.stringify(six));
  try {
    await exportNotebooks({
      notebooksDir: notebooks,
      outDir: join(scratch, "strict", "report"),
      experimentFile: experiment,
      registryFile,
      pdf: false,
      images: false,
      log: () => {},
    });
    assert.unreachable("minWords 6 from the experiment should refuse");
  } catch (error) {
    assert.instance(error, RestrictedOutputError);
    assert.match(
      (error as Error).message,
      /a\.ipynb, cell 2 \(id c2\): text from restricted dataset "test-restricted-notes" \(6 words in a row\)/,
    );
  }
});

test("export scans .ipynb_checkpoints copies beside the notebooks, and refuses naming the checkpoint", async () => {
  const notebooks = join(scratch, "checkpoints", "notebooks");
  const clean = notebook([{ outputs: [stream("12 notes, 3 rejected")] }]);
  const leaked = notebook([{ outputs: [stream(excerpt)] }]);
  for (const [path, nb] of [
    ["a-x/a-ok.ipynb", clean],
    ["a-x/.ipynb_checkpoints/a-ok-checkpoint.ipynb", leaked],
  ] as const) {
    mkdirSync(dirname(join(notebooks, path)), { recursive: true });
    writeFileSync(join(notebooks, path), JSON.stringify(nb));
  }
  try {
    await exportNotebooks({
      notebooksDir: notebooks,
      outDir: join(scratch, "checkpoints", "report"),
      registryFile,
      pdf: false,
      images: false,
      log: () => {},
    });
    assert.unreachable("the checkpoint copy should have been refused");
  } catch (error) {
    assert.instance(error, RestrictedOutputError);
    assert.match(
      (error as Error).message,
      /a-x\/\.ipynb_checkpoints\/a-ok-checkpoint\.ipynb, cell 2 \(id c2\): text from restricted dataset "test-restricted-notes" \(14 words in a row\)/,
    );
  }
  const ignored = readFileSync(join(import.meta.dirname, "..", "..", ".gitignore"), "utf8").split("\n");
  assert.ok(ignored.includes(".ipynb_checkpoints/"), ".ipynb_checkpoints/ is git-ignored");
});

test("a restricted JSONL file (plain or .gz) that starts with a byte order mark is indexed as without one", async () => {
  const plain = readFileSync(join(fixtures, "notes.jsonl"));
  const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]);
  const dir = join(scratch, "bom");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "notes.jsonl"), withBom);
  writeFileSync(join(dir, "notes.jsonl.gz"), gzipSync(withBom));
  const indexOf = (file: string) =>
    buildRestrictedIndex([
      { name: "bom", paths: [file], restricted: true, declaredPaths: [file], pathSource: "registry" },
    ]);
  const expected = await indexOf(join(fixtures, "notes.jsonl"));
  for (const file of [join(dir, "notes.jsonl"), join(dir, "notes.jsonl.gz")]) {
    const read = await indexOf(file);
    // With the mark, the first line is not JSON and its keys would be read as words of the note.
    assert.is(read.scanned[0].words, expected.scanned[0].words, file);
    assert.is(indexShingles(read), indexShingles(expected), file);
  }
});

test.run();
