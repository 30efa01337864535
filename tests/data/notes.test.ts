import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { DataError, RejectLog, readJsonl, readJsonlEntries, readNotes, writeJsonl } from "../../lib/src/data/index.js";
import { readAllNotes } from "../../lib/src/data/notes.js";
import { tempDir } from "../helpers/temp-dir.js";

const fixtures = join(import.meta.dirname, "fixtures");
const good = join(fixtures, "notes-good.jsonl");
const bad = join(fixtures, "notes-bad.jsonl");

async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

test("readNotes streams valid notes in order and keeps extra keys", async () => {
  const notes = await readAllNotes(good);
  assert.equal(
    notes.map((note) => note.note_id),
    ["N1", "N2", "N3"],
  );
  assert.is(notes[1].text, "Dear Dr. X,\nAll well.");
  assert.is(notes[2].hadm_id, "H9");
});

test("readNotes without a reject handler throws on the first bad line, naming file, line and field", async () => {
  const error = await thrown(() => readAllNotes(bad));
  assert.ok(DataError.isInstance(error));
  const dataError = error as DataError;
  assert.is(dataError.file, bad);
  assert.is(dataError.line, 2);
  assert.is(dataError.field, "patient_id");
  assert.match(dataError.message, `${bad}:2`);
});

test("readNotes with onReject counts every bad line with its reason and keeps the good ones", async () => {
  const log = new RejectLog();
  const notes = await readAllNotes(bad, { onReject: log.add });
  assert.equal(
    notes.map((note) => note.note_id),
    ["N1", "N3"],
  );
  assert.equal(
    log.items.map((item) => [item.line, item.reason]),
    [
      [2, "schema"],
      [3, "empty-text"],
      [4, "duplicate-note-id"],
      [5, "schema"],
      [7, "invalid-json"],
    ],
  );
  assert.equal(log.byReason(), { schema: 2, "duplicate-note-id": 1, "empty-text": 1, "invalid-json": 1 });
  assert.is(log.items[3].field, "date");
  assert.match(log.items[3].message, "calendar date");
  assert.match(log.items[2].message, "line 1");
  // accepted + rejected = non-blank input lines
  assert.is(notes.length + log.count, 7);
});

test("a torn (truncated) last line is reported by line number, not a crash", async () => {
  const dir = tempDir("cd-notes-");
  const file = join(dir, "torn.jsonl");
  await writeFile(file, `${(await readFile(good, "utf8")).split("\n")[0]}\n{"note_id":"X","patient_id":"P`);
  const error = (await thrown(() => readAllNotes(file))) as DataError;
  assert.ok(DataError.isInstance(error));
  assert.is(error.line, 2);
  assert.match(error.message, "not valid JSON");
  assert.not.match(error.message, "patient_id", "no input text in error messages (it may be restricted data)");
  const garbled = join(dir, "garbled.jsonl");
  await writeFile(garbled, '{"text": Patient has secret history}\n');
  const garbledError = (await thrown(() => readAllNotes(garbled))) as DataError;
  assert.is(garbledError.line, 1);
  assert.not.match(garbledError.message, "secret");
});

test("a missing file is a DataError naming it", async () => {
  const error = (await thrown(() => readAllNotes(join(fixtures, "nope.jsonl")))) as DataError;
  assert.ok(DataError.isInstance(error));
  assert.match(error.message, "nope.jsonl");
  assert.match(error.message, "ENOENT");
});

test("readJsonl validates against a schema and reports entries with line numbers", async () => {
  const schema = z.object({ note_id: z.string() });
  const entries = [];
  for await (const entry of readJsonlEntries(good, schema)) entries.push(entry);
  assert.equal(
    entries.map((entry) => [entry.line, entry.value.note_id]),
    [
      [1, "N1"],
      [2, "N2"],
      [3, "N3"],
    ],
  );
  const strict = z.object({ note_id: z.string(), score: z.number() });
  const error = (await thrown(async () => {
    for await (const _ of readJsonl(good, strict));
  })) as DataError;
  assert.is(error.line, 1);
  assert.is(error.field, "score");
});

test("writeJsonl round-trips items and returns the count", async () => {
  const dir = tempDir("cd-jsonl-");
  const file = join(dir, "sub", "out.jsonl");
  async function* items() {
    yield { a: 1, text: "line\nbreak" };
    yield { a: 2 };
  }
  assert.is(await writeJsonl(file, items()), 2);
  const back = [];
  for await (const value of readJsonl(file)) back.push(value);
  assert.equal(back, [{ a: 1, text: "line\nbreak" }, { a: 2 }]);
});

test("writeJsonl is atomic: a failure mid-stream leaves the old file and no temporary file", async () => {
  const dir = tempDir("cd-atomic-");
  const file = join(dir, "out.jsonl");
  await writeJsonl(file, [{ keep: true }]);
  async function* failing() {
    yield { a: 1 };
    throw new Error("source failed");
  }
  const error = (await thrown(() => writeJsonl(file, failing()))) as Error;
  assert.is(error.message, "source failed");
  assert.is(await readFile(file, "utf8"), '{"keep":true}\n');
  assert.equal(await readdir(dir), ["out.jsonl"]);
  const unwritable = (await thrown(() => writeJsonl(join(dir, "x.jsonl"), [undefined]))) as DataError;
  assert.ok(DataError.isInstance(unwritable));
  assert.equal(await readdir(dir), ["out.jsonl"]);
});

test("readNotes stops reading when the consumer breaks early", async () => {
  let count = 0;
  for await (const _ of readNotes(good)) {
    count += 1;
    break;
  }
  assert.is(count, 1);
});

test.run();
