// The one CSV parser reads a file in chunks (readCsvRows streams gigabyte MIMIC files); a record cut at any
// point between chunks must come out as it does from the whole text, with the same line numbers.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CsvParser, parseCsv, readCsvRows } from "../../lib/src/core/csv.js";
import { tempDir } from "../helpers/temp-dir.js";

const fail = (line: number, message: string) => new Error(`line ${line}: ${message}`);
const TEXT = '\ufeffid,text\r\n1,"a, ""quoted""\r\nword"\r\n\r\n2,"two\nlines"\n3,\r\n4,"""",x\n5,last';

test("a text pushed in two pieces, cut anywhere, gives the records of the whole text", () => {
  const whole = parseCsv(TEXT, fail);
  assert.is(whole.length, 6);
  assert.equal(whole[1], { record: ["1", 'a, "quoted"\r\nword'], line: 3 });
  for (let cut = 0; cut <= TEXT.length; cut++) {
    const parser = new CsvParser(fail);
    const records = [...parser.push(TEXT.slice(0, cut), false), ...parser.push(TEXT.slice(cut), true)];
    assert.equal(records, whole, `cut at ${cut}`);
  }
});

test("a text pushed one character at a time gives the same records and the same errors", () => {
  const parser = new CsvParser(fail);
  const records = [...TEXT].flatMap((char) => parser.push(char, false));
  assert.equal([...records, ...parser.push("", true)], parseCsv(TEXT, fail));
  const open = new CsvParser(fail);
  for (const char of 'a\n"open\nstill open') open.push(char, false);
  assert.throws(() => open.push("", true), /line 2: a quoted field is never closed/);
});

test("readCsvRows keeps rows and lines across stream chunks (a file larger than one chunk)", async () => {
  const lines = ["id,text"];
  for (let i = 0; i < 20_000; i++) lines.push(i % 7 === 0 ? `${i},"multi\nline ""${i}"""` : `${i},plain ${i}`);
  const file = join(tempDir("core-csv-"), "big.csv");
  await writeFile(file, lines.join("\r\n"));
  const expected = parseCsv(lines.join("\r\n"), fail).slice(1);
  const rows = [];
  for await (const row of readCsvRows(file)) rows.push(row);
  assert.is(rows.length, 20_000);
  assert.equal(
    rows.map((row) => [row.line, row.values.id, row.values.text]),
    expected.map(({ record, line }) => [line, ...record]),
  );
  assert.is(rows[7].values.text, 'multi\nline "7"');
});

test.run();
