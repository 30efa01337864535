import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { noteTextHash, RejectLog, readMimicIvNotes } from "../../lib/src/data/index.js";
import { readAllNotes } from "../../lib/src/data/notes.js";
import { readNerJsonl } from "../../lib/src/ner/jsonl.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("data-duplicates-");

const note = (id: string, text: string) =>
  JSON.stringify({ note_id: id, patient_id: "p1", note_type: "progress_note", date: "2150-01-02", text });

test("noteTextHash: equal across whitespace, line ends, no-break spaces and full-width forms; case and content count", () => {
  const base = noteTextHash("BP 120/80. Cr 1.2 mg/dL.\nPlan: continue.");
  assert.is(noteTextHash("  BP 120/80.  Cr 1.2 mg/dL.\r\n\r\nPlan:\tcontinue.\n"), base);
  assert.is(noteTextHash("BP\u00a0120/80. Cr 1.2 mg/dL. Plan: continue."), base);
  assert.is(noteTextHash("ＢＰ 120/80. Cr 1.2 mg/dL. Plan: continue."), base);
  assert.is.not(noteTextHash("bp 120/80. Cr 1.2 mg/dL. Plan: continue."), base);
  assert.is.not(noteTextHash("BP 120/80. Cr 1.3 mg/dL. Plan: continue."), base);
  assert.match(base, /^[0-9a-f]{64}$/);
});

test("readNotes flags a note repeating another's text under a new id: both kept, a counted duplicate-text warning naming both", async () => {
  const file = join(dir, "dup.jsonl");
  writeFileSync(
    file,
    [
      note("a1", "Seen today.\nBP 120/80."),
      note("b2", "Different note."),
      note("c3", "Seen today. BP 120/80.  "),
      note("d4", "Seen today.\n\nBP 120/80."),
    ].join("\n"),
  );
  const log = new RejectLog();
  const notes = await readAllNotes(file, { onReject: log.add, onWarning: log.warn });
  assert.equal(
    notes.map((n) => n.note_id),
    ["a1", "b2", "c3", "d4"],
  );
  assert.equal(log.warningsByReason(), { "duplicate-text": 2 });
  assert.equal(
    log.warnings.map((w) => w.line),
    [3, 4],
  );
  assert.match(log.warnings[0].message, "note c3 has the same text as note a1 (line 1)");
  assert.match(log.warnings[1].message, "note d4 has the same text as note a1 (line 1)");
  const strict = new RejectLog();
  const kept = await readAllNotes(file, { onReject: strict.add, onDuplicateText: "reject" });
  assert.equal(
    kept.map((n) => n.note_id),
    ["a1", "b2"],
  );
  assert.equal(strict.byReason(), { "duplicate-text": 2 });
});

test("MIMIC CSV notes and NER notes are checked for duplicate text too", async () => {
  const csv = join(dir, "mimic.csv");
  writeFileSync(
    csv,
    "note_id,subject_id,note_type,charttime,text\n" +
      '1-DS-1,1,DS,2150-01-02 00:00:00,"Discharged home."\n' +
      '2-DS-1,2,DS,2150-01-03 00:00:00,"Discharged  home.\n"\n',
  );
  const log = new RejectLog();
  for await (const _ of readMimicIvNotes(csv, { onReject: log.add, onWarning: log.warn })) void _;
  assert.equal(
    log.warnings.map((w) => [w.reason, w.row]),
    [["duplicate-text", 2]],
  );
  assert.match(log.warnings[0].message, "note 2-DS-1 has the same text as note 1-DS-1 (row 1)");
  const ner = join(dir, "ner.jsonl");
  writeFileSync(
    ner,
    `${JSON.stringify({ note_id: "x", text: "On aspirin." })}\n${JSON.stringify({ note_id: "y", text: "On aspirin." })}\n`,
  );
  const read = await readNerJsonl(ner);
  assert.is(read.notes.length, 2);
  assert.equal(
    read.warnings.map((w) => [w.noteId, w.reason]),
    [["y", "duplicate_text"]],
  );
});

test.run();
