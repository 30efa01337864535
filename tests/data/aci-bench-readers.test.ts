import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RejectLog, readLineBatches } from "../../lib/src/data/index.js";
import { readAllNotes } from "../../lib/src/data/notes.js";
import { NoteIndex } from "../../lib/src/synth/note-lookup.js";
import { aciBenchNotes } from "../helpers/aci-bench.js";
import { tempDir } from "../helpers/temp-dir.js";

// The readers on real visit notes (ACI-BENCH, read in place): a file as a Windows tool leaves it
// (BOM, CRLF, one Windows-1252 apostrophe) and a note repeated under another id.
const dir = tempDir("aci-readers-");

const record = (id: string, text: string) =>
  JSON.stringify({ note_id: id, patient_id: `p-${id}`, note_type: "clinic_note", date: "2150-01-02", text });

test("real notes: BOM, CRLF, a cp1252 apostrophe and a repeated note are read, counted and located", async () => {
  const all = await aciBenchNotes();
  if (!all) return;
  // Clean UTF-8 first: the corpus's own non-ASCII (about half its notes) is no invalid-utf8.
  const cleanFile = join(dir, "clean.jsonl");
  writeFileSync(cleanFile, `${all.map((n) => record(n.id, n.text)).join("\n")}\n`);
  const clean = new RejectLog();
  const cleanNotes = await readAllNotes(cleanFile, { onReject: clean.add, onWarning: clean.warn });
  assert.is(cleanNotes.length, all.length);
  assert.is(clean.count + clean.warnings.length, 0, JSON.stringify(clean.byReason()));
  assert.ok(
    all.some((n) => /[^\x00-\x7f]/.test(n.text)),
    "expected real notes with non-ASCII text",
  );

  const notes = all.slice(0, 60);
  const target = notes.findIndex((n, i) => i > 0 && n.text.includes("'"));
  assert.ok(target > 0, "no note with an apostrophe");
  const lines = notes.map((n) => Buffer.from(`${record(n.id, n.text)}\r\n`));
  // In the target note, the first apostrophe becomes the single byte 0x92 (Windows-1252 ’).
  const json = lines[target].toString("utf8");
  const at = json.indexOf("'");
  lines[target] = Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from([0x92]), Buffer.from(json.slice(at + 1))]);
  // Note 5 again under a new id, re-wrapped the way a copy-paste does.
  const copy = notes[5].text.replace(/\n+/g, "\n\n").replace(/\. /g, ".  ");
  lines.push(Buffer.from(`${record("copy-of-5", copy)}\r\n`));
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const file = join(dir, "windows.jsonl");
  writeFileSync(file, Buffer.concat([bom, ...lines]));

  const log = new RejectLog();
  const read = await readAllNotes(file, { onReject: log.add, onWarning: log.warn });
  assert.is(read.length, notes.length + 1);
  assert.is(read[0].note_id, notes[0].id, "the first note survives the BOM");
  assert.is(read[0].text, notes[0].text);
  assert.is(log.count, 0, JSON.stringify(log.items));
  assert.equal(log.warningsByReason(), { "duplicate-text": 1, "invalid-utf8": 1 });
  const invalid = log.warnings.find((w) => w.reason === "invalid-utf8")!;
  assert.is(invalid.line, target + 1);
  const expectedByte =
    bom.length + lines.slice(0, target).reduce((sum, l) => sum + l.length, 0) + Buffer.byteLength(json.slice(0, at));
  assert.is(invalid.byte, expectedByte);
  assert.match(invalid.message, "0x92");
  const duplicate = log.warnings.find((w) => w.reason === "duplicate-text")!;
  assert.is(duplicate.line, notes.length + 1);
  assert.match(duplicate.message, `note copy-of-5 has the same text as note ${notes[5].id} (line 6)`);
  // The decoded text differs from the source only at the bad byte.
  assert.is(read[target].text, notes[target].text.replace("'", "\uFFFD"));

  // The synth line reader and the step-c note index read the same file the same way.
  let count = 0;
  for await (const batch of readLineBatches(file)) count += batch.length;
  assert.is(count, notes.length + 1);
  const index = await NoteIndex.open(file);
  assert.is(index.problems.length, 0, JSON.stringify(index.problems));
  assert.is(index.get(notes[0].id), notes[0].text);
  index.close();
});

test.run();
