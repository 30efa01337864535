/**
 * The scoring path's fast pieces behave like the slow ones they replaced: the CSV reader (RFC 4180, errors
 * naming file and line), several proportions from one set of resamples, and graded items that share
 * hidden classes (reads of 40,000 graded items were ~20x slower when each had its own).
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bootstrapProportion, bootstrapProportions } from "../../lib/src/core/bootstrap.js";
import { parseCsv } from "../../lib/src/core/csv.js";
import { TableError } from "../../lib/src/eval/tasks/errors.js";
import { readStrictCsvTable } from "../../lib/src/eval/tasks/internal/strict-csv.js";
import { tempDir } from "../helpers/temp-dir.js";

const scratch = tempDir("scoring-internals-");
const fail = (line: number, message: string) => new Error(`line ${line}: ${message}`);

test("parseCsv reads quotes, doubled quotes, CRLF, a BOM, fields across lines, and skips empty lines", () => {
  const text = '\ufeffid,text\r\n1,"a, ""quoted"" word"\r\n\r\n2,"two\nlines"\n3,\n';
  assert.equal(parseCsv(text, fail), [
    { record: ["id", "text"], line: 1 },
    { record: ["1", 'a, "quoted" word'], line: 2 },
    { record: ["2", "two\nlines"], line: 5 },
    { record: ["3", ""], line: 6 },
  ]);
  assert.equal(parseCsv("a,b", fail), [{ record: ["a", "b"], line: 1 }]);
});

test("parseCsv names the line of an unclosed quote, text after a closing quote, a stray quote", () => {
  assert.throws(() => parseCsv('a\n"open\nstill open', fail), /line 2: a quoted field is never closed/);
  assert.throws(() => parseCsv('a\n"x"y\n', fail), /line 2: text after a closing quote/);
  assert.throws(() => parseCsv('a\nx"y\n', fail), /line 2: a quote inside an unquoted field/);
});

test("readCsvTable reports a bad row with the file and line", () => {
  const file = join(scratch, "table.csv");
  writeFileSync(file, 'id,text\n1,"ok"\n2,"unclosed\n');
  try {
    readStrictCsvTable(file, ["id", "text"]);
    assert.unreachable("an unclosed quote must be an error");
  } catch (error) {
    assert.instance(error, TableError);
    assert.match((error as Error).message, "table.csv");
    assert.match((error as Error).message, /not valid CSV: a quoted field is never closed/);
  }
  writeFileSync(file, "id,text\n1,a\n2,b,extra\n");
  assert.throws(() => readStrictCsvTable(file, ["id", "text"]), /expected 2 fields, found 3/);
});

test("bootstrapProportions gives each set what bootstrapProportion gives it alone (items and clusters)", () => {
  const n = 500;
  const a = Array.from({ length: n }, (_, i) => (i * 7) % 10 < 6);
  const b = Array.from({ length: n }, (_, i) => (i * 3) % 10 < 8 || a[i]);
  const clusters = Array.from({ length: n }, (_, i) => `note-${i % 37}`);
  for (const options of [
    { resamples: 200, seed: 3 },
    { resamples: 200, seed: 3, unit: "cluster" as const, clusters },
  ]) {
    assert.equal(bootstrapProportions([a, b], options), [
      bootstrapProportion(a, options),
      bootstrapProportion(b, options),
    ]);
  }
  assert.throws(() => bootstrapProportions([a, b.slice(1)]), /flag set 1 has 499 items, set 0 has 500/);
});

test("graded items share a few hidden classes, whatever their kind", () => {
  // %HaveSameMap needs --allow-natives-syntax, so the check runs in a child process.
  const script = `
    const { gradeItems } = await import("./lib/src/eval/tasks/grade.ts");
    const items = [], predictions = new Map();
    const texts = ['{"answer": "Yes"}', '{"answer": "12.5"}', "no idea", '{"answer": "NA"}', '{"answer": "1'];
    for (let i = 0; i < 400; i++) {
      const type = ["boolean", "numeric", "na_boolean", "na_numeric"][i % 4];
      const gold = type.startsWith("na_") ? "NA" : type === "numeric" ? "12.5" : "Yes";
      items.push({ itemId: "i" + i, task: "synthetic", noteId: "n" + (i % 9), questionId: type, questionType: type,
        question: "q", gold, ...(i % 3 ? { difficulty: String(i % 5) } : {}) });
      predictions.set("i" + i, { item_id: "i" + i, model: "m", ok: i % 11 !== 0, text: texts[i % 5], reason: "x" });
    }
    const graded = gradeItems(items, predictions);
    const maps = [];
    for (const item of graded) if (!maps.some((other) => %HaveSameMap(other, item))) maps.push(item);
    console.log(String(maps.length));
  `;
  const run = spawnSync(
    process.execPath,
    ["--allow-natives-syntax", "--import", "tsx", "--input-type=module", "-e", script],
    { cwd: resolve(import.meta.dirname, "../.."), encoding: "utf8" },
  );
  assert.is(run.status, 0, run.stderr);
  // Optional difficulty and problem: at most four shapes (two here, plus their field-representation variants).
  const count = Number(run.stdout.trim().split("\n").at(-1));
  assert.ok(count >= 1 && count <= 8, `graded items have ${JSON.stringify(run.stdout)} hidden classes`);
});

test.run();
