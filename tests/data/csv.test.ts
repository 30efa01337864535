import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import {
  DataError,
  RejectLog,
  readCsvRows,
  readCsvTable,
  readMimicIvNotes,
  readNotesFrom,
} from "../../lib/src/data/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const fixtures = join(import.meta.dirname, "fixtures");

async function thrown(run: () => Promise<unknown>): Promise<DataError> {
  try {
    await run();
  } catch (error) {
    assert.ok(DataError.isInstance(error), `expected a DataError, got ${error}`);
    return error as DataError;
  }
  throw new Error("expected an error");
}

test("readCsvTable reads rows with row numbers and physical lines (quoted newlines included)", async () => {
  const table = await readCsvTable(join(fixtures, "annotations.csv"), { requiredColumns: ["item_id", "gold"] });
  assert.equal(table.columns, ["item_id", "note_id", "gold", "comment"]);
  assert.equal(
    table.rows.map((r) => [r.row, r.line, r.values.item_id, r.values.gold]),
    [
      [1, 2, "S001:a", "yes"],
      [2, 4, "S001:b", "no"],
      [3, 5, "S002:a", "12"],
    ],
  );
  assert.is(table.rows[1].values.comment, "multi\nline comment");
});

test("a wrong header names the file and the missing columns", async () => {
  const file = join(fixtures, "annotations-wrong-header.csv");
  const error = await thrown(() => readCsvTable(file, { requiredColumns: ["item_id", "gold"] }));
  assert.is(error.file, file);
  assert.is(error.line, 1);
  assert.match(error.message, '"item_id", "gold"');
  assert.match(error.message, "header has: item, note_id, label");
});

test("a row with too few fields names file and line", async () => {
  const error = await thrown(() => readCsvTable(join(fixtures, "annotations-short-row.csv")));
  assert.match(error.message, "annotations-short-row.csv:3");
  assert.match(error.message, "not valid CSV");
});

test("a rowSchema failure names row and field", async () => {
  const rowSchema = z.object({ item_id: z.string(), gold: z.enum(["yes", "no"]) });
  const error = await thrown(async () => {
    for await (const _ of readCsvRows(join(fixtures, "annotations.csv"), { rowSchema }));
  });
  assert.is(error.row, 3);
  assert.is(error.field, "gold");
  assert.match(error.message, '(row 3, field "gold")');
});

test("empty files, duplicate and blank header names are errors", async () => {
  const dir = tempDir("cd-csv-");
  const cases: [string, string, string][] = [
    ["empty.csv", "", "empty"],
    ["dup.csv", "a,b,a\n1,2,3\n", 'column "a" twice'],
    ["blank.csv", "a,,c\n1,2,3\n", "column 2 has no name"],
  ];
  for (const [name, content, expected] of cases) {
    await writeFile(join(dir, name), content);
    const error = await thrown(() => readCsvTable(join(dir, name)));
    assert.match(error.message, expected);
  }
  await writeFile(join(dir, "header-only.csv"), "a,b\n");
  assert.equal((await readCsvTable(join(dir, "header-only.csv"))).columns, ["a", "b"]);
});

test("readMimicIvNotes maps MIMIC-IV-Note CSV (gzipped) to notes and counts bad rows", async () => {
  const dir = tempDir("cd-mimic-");
  const file = join(dir, "discharge.csv.gz");
  const csv = [
    "note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text",
    '10000001-DS-1,10000001,20000001,DS,1,2180-05-07 00:00:00,2180-05-09 15:26:00,"Name: ___\nDischarge text."',
    "10000001-DS-2,10000001,20000002,DS,2,2180-06-27 00:00:00,,",
    "10000001-DS-1,10000001,20000003,DS,3,2180-07-01 00:00:00,,again",
    "10000002-DS-1,10000002,20000004,DS,1,not a date,,text",
  ].join("\n");
  await writeFile(file, gzipSync(csv));
  const log = new RejectLog();
  const notes = [];
  for await (const note of readNotesFrom({ resolvedPath: file }, { onReject: log.add })) notes.push(note);
  assert.is(notes.length, 1);
  assert.is(notes[0].patient_id, "10000001");
  assert.is(notes[0].note_type, "discharge_summary");
  assert.is(notes[0].date, "2180-05-07");
  assert.is(notes[0].hadm_id, "20000001");
  assert.equal(
    log.items.map((r) => [r.row, r.reason]),
    [
      [2, "empty-text"],
      [3, "duplicate-note-id"],
      [4, "schema"],
    ],
  );
  const error = await thrown(async () => {
    for await (const _ of readMimicIvNotes(file));
  });
  assert.is(error.row, 2);
});

test("readNotesFrom reads this project's JSONL by format and refuses unknown formats", async () => {
  const notes = [];
  for await (const note of readNotesFrom({ resolvedPath: join(fixtures, "notes-good.jsonl"), format: "jsonl" }))
    notes.push(note.note_id);
  assert.equal(notes, ["N1", "N2", "N3"]);
  const error = await thrown(async () => readNotesFrom({ resolvedPath: "x.parquet", format: "parquet" }));
  assert.match(error.message, 'unknown notes format "parquet"');
});

test.run();
