import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { N2C2_CRITERIA, NOTE_TYPES, RejectLog, readCsvTable, readN2c2Dir } from "../../lib/src/data/index.js";
import { CRITERION_LABELS } from "../../lib/src/data/n2c2-criteria.js";
import { readAllNotes } from "../../lib/src/data/notes.js";
import { resolveFromRoot } from "../../lib/src/paths.js";

const notesFile = resolveFromRoot("data/sample/notes.jsonl");
const n2c2Dir = resolveFromRoot("data/sample/n2c2");

test("sample notes: at least 30, all valid, unique ids, every note type, 1-8 KB each", async () => {
  const log = new RejectLog();
  const notes = await readAllNotes(notesFile, { onReject: log.add });
  assert.is(log.count, 0, JSON.stringify(log.items));
  assert.ok(notes.length >= 30, `${notes.length} notes`);
  assert.is(new Set(notes.map((n) => n.note_id)).size, notes.length);
  for (const type of NOTE_TYPES)
    assert.ok(
      notes.some((n) => n.note_type === type),
      type,
    );
  for (const note of notes) {
    const bytes = Buffer.byteLength(note.text);
    assert.ok(bytes >= 1000 && bytes <= 8192, `${note.note_id}: ${bytes} bytes`);
    assert.ok((NOTE_TYPES as readonly string[]).includes(note.note_type), note.note_id);
  }
  assert.ok(new Set(notes.map((n) => n.patient_id)).size >= 20);
  assert.ok(
    notes.some((n) => Buffer.byteLength(n.text) > 6000),
    "at least one long note",
  );
});

test("sample discharge summaries carry the usual sections and dated labs", async () => {
  const notes = (await readAllNotes(notesFile)).filter((n) => n.note_type === "discharge_summary");
  const sections = [
    /Chief Complaint/,
    /History of Present Illness|HPI/,
    /Past Medical History|PMH/,
    /Discharge Medications/,
    /Discharge Diagnosis/,
  ];
  const complete = notes.filter((n) => sections.every((pattern) => pattern.test(n.text)));
  assert.ok(complete.length >= 10, `${complete.length} complete discharge summaries`);
  const all = (await readAllNotes(notesFile)).map((n) => n.text).join("\n");
  for (const lab of [/HbA1c/i, /creat/i, /pl(atele)?t/i, /LVEF/, /Hgb|hemoglobin/i, /potassium|\bK\b/i])
    assert.match(all, lab);
  assert.match(all, /\[\*\*Hospital1 18\*\*\]/, "de-identification placeholders");
  assert.match(all, /not checked|not done/i, "some facts are absent");
});

test("sample n2c2: >= 8 patients, train and test, all 13 tags, both labels per criterion", async () => {
  const train = await readN2c2Dir(join(n2c2Dir, "train"));
  const test_ = await readN2c2Dir(join(n2c2Dir, "test"));
  assert.ok(train.length >= 5 && test_.length >= 3, `${train.length} train, ${test_.length} test`);
  const patients = [...train, ...test_];
  assert.ok(patients.length >= 8);
  assert.is(new Set(patients.map((p) => p.patientId)).size, patients.length, "patient ids unique across splits");
  for (const patient of patients) {
    assert.equal(Object.keys(patient.tags).sort(), [...N2C2_CRITERIA].sort(), patient.patientId);
    assert.ok(patient.records.length >= 2 && patient.records.length <= 5, patient.patientId);
    const dates = patient.records.map((r) => r.date);
    assert.equal(dates, [...dates].sort(), `${patient.patientId}: records in date order`);
  }
  for (const criterion of N2C2_CRITERIA)
    for (const label of CRITERION_LABELS)
      assert.ok(
        patients.some((p) => p.tags[criterion] === label),
        `${criterion} has a "${label}" patient`,
      );
});

test("sample n2c2 files: separators are exactly 100 '*', each record starts with its date line", async () => {
  for (const split of ["train", "test"]) {
    for (const name of await readdir(join(n2c2Dir, split))) {
      const text = await readFile(join(n2c2Dir, split, name), "utf8");
      const starLines = text.split("\n").filter((line) => /^\*+\s*$/.test(line));
      for (const line of starLines) assert.is(line.trimEnd().length, 100, `${name}: separator length`);
      const dateLines = text.split("\n").filter((line) => line.startsWith("Record date: "));
      assert.is(dateLines.length, starLines.length + 1, `${name}: one date line per record`);
    }
  }
});

test("other sample tables refer only to notes that exist", async () => {
  const ids = new Set((await readAllNotes(notesFile)).map((n) => n.note_id));
  const apixaban = resolveFromRoot("data/sample/apixaban/annotations.csv");
  if (!existsSync(apixaban)) return;
  const table = await readCsvTable(apixaban, { requiredColumns: ["note_id"] });
  for (const row of table.rows)
    assert.ok(ids.has(row.values.note_id), `apixaban row ${row.row}: ${row.values.note_id}`);
});

test.run();
