import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { commands } from "../../lib/src/cli/data.js";
import { datasetRegistrySchema } from "../../lib/src/config/datasets.js";
import { findInvalidUtf8 } from "../../lib/src/core/text-bytes.js";
import {
  DataError,
  RejectLog,
  readCsvTable,
  readJsonlEntries,
  readLineBatches,
  readMimicIvNotes,
  readNotesFrom,
} from "../../lib/src/data/index.js";
import { readAllNotes } from "../../lib/src/data/notes.js";
import { readNerJsonl } from "../../lib/src/ner/jsonl.js";
import { NoteIndex } from "../../lib/src/synth/note-lookup.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("data-encoding-");

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const note = (id: string, text: string) =>
  JSON.stringify({ note_id: id, patient_id: "p1", note_type: "progress_note", date: "2150-01-02", text });

/** Write bytes made of strings (UTF-8) and raw byte arrays, in order. */
function writeBytes(name: string, ...parts: (string | number[] | Buffer)[]): string {
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p)))));
  return file;
}

test("a UTF-8 BOM at the start of a notes JSONL is skipped: the first note is read, no reject", async () => {
  const file = writeBytes("bom.jsonl", BOM, `${note("n1", "First note.")}\n${note("n2", "Second.")}\n`);
  const log = new RejectLog();
  const notes = await readAllNotes(file, { onReject: log.add, onWarning: log.warn });
  assert.equal(
    notes.map((n) => n.note_id),
    ["n1", "n2"],
  );
  assert.is(log.count, 0, JSON.stringify(log.items));
  assert.is(notes[0].text, "First note.");
});

test("a BOM is skipped by the synth line reader, the NER reader and the step-c note index", async () => {
  const file = writeBytes(
    "bom-ner.jsonl",
    BOM,
    `${JSON.stringify({ note_id: "a", text: "Aspirin daily.", spans: [] })}\n`,
  );
  const batches: string[] = [];
  for await (const batch of readLineBatches(file)) for (const line of batch) batches.push(line.text);
  assert.ok(batches[0].startsWith("{"), batches[0]);
  const ner = await readNerJsonl(file);
  assert.is(ner.notes.length, 1);
  assert.is(ner.rejects.length, 0);
  const index = await NoteIndex.open(file);
  assert.is(index.problems.length, 0, JSON.stringify(index.problems));
  assert.is(index.get("a"), "Aspirin daily.");
  index.close();
});

test("a BOM at the start of a CSV does not rename the first column", async () => {
  const file = writeBytes("bom.csv", BOM, "note_id,text\nn1,hello\n");
  const table = await readCsvTable(file, { requiredColumns: ["note_id"] });
  assert.equal(table.columns, ["note_id", "text"]);
  assert.is(table.rows[0].values.note_id, "n1");
});

test("cp1252 bytes in a notes JSONL are a counted invalid-utf8 warning with line and byte offset; the note is kept", async () => {
  // Line 2 holds 0x92 (a Windows curly apostrophe) and 0xB5 (micro sign) as single bytes.
  const line1 = `${note("n1", "Clean note.")}\n`;
  const before = note("n2", "Patient").slice(0, -2);
  const file = writeBytes(
    "cp1252.jsonl",
    line1,
    before,
    [0x92],
    "s creatinine 88 ",
    [0xb5],
    'mol/L."}\n',
    `${note("n3", "ok")}\n`,
  );
  const log = new RejectLog();
  const notes = await readAllNotes(file, { onReject: log.add, onWarning: log.warn });
  assert.is(notes.length, 3);
  assert.is(log.count, 0);
  assert.equal(log.warningsByReason(), { "invalid-utf8": 1 });
  const warning = log.warnings[0];
  assert.is(warning.line, 2);
  assert.is(warning.byte, Buffer.byteLength(line1) + Buffer.byteLength(before));
  assert.match(warning.message, "2 byte sequences");
  assert.match(warning.message, "0x92");
  assert.match(warning.message, "’");
  assert.ok(notes[1].text.includes("\uFFFD"));
});

test("onInvalidUtf8: fail stops at the first invalid line with file, line and byte", async () => {
  const file = writeBytes(
    "fail.jsonl",
    `${note("n1", "ok")}\n${note("n2", "ok")}\n`,
    note("n3", "").slice(0, -2),
    [0x96],
    '"}\n',
  );
  try {
    await readAllNotes(file, { onInvalidUtf8: "fail" });
    assert.unreachable("should fail");
  } catch (error) {
    assert.ok(DataError.isInstance(error), String(error));
    const data = error as DataError;
    assert.is(data.line, 3);
    assert.match(data.message, /fail\.jsonl:3 \(byte \d+\)/);
    assert.match(data.message, "0x96");
  }
});

test("without onWarning, invalid UTF-8 is summed up in one process warning naming the file", async () => {
  const file = writeBytes(
    "warn.jsonl",
    note("n1", "").slice(0, -2),
    [0xa0, 0x41],
    '"}\n',
    note("n2", "").slice(0, -2),
    [0xb0],
    '"}\n',
  );
  const seen: Error[] = [];
  const listener = (warning: Error) => seen.push(warning);
  process.on("warning", listener);
  try {
    await readAllNotes(file);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", listener);
  }
  const ours = seen.filter((w) => w.message.includes("warn.jsonl"));
  assert.is(ours.length, 1);
  assert.match(ours[0].message, "2 invalid-utf8");
  assert.match(ours[0].message, "warn.jsonl:1");
});

test("invalid UTF-8 across a chunk boundary and a valid multi-byte character cut by a chunk are told apart", async () => {
  // chunkBytes 7 cuts "µ" (C2 B5) and the lone 0xE9 (Latin-1 é) falls in a later chunk.
  const file = writeBytes("chunks.jsonl", '{"a":"µµ"}\n{"b":"caf', [0xe9], '"}\n');
  const problems: { lineNo: number; byte: number }[] = [];
  const lines: string[] = [];
  for await (const batch of readLineBatches(file, { chunkBytes: 7, onInvalidUtf8: (p) => problems.push(p) }))
    for (const line of batch) lines.push(line.text);
  assert.equal(lines, ['{"a":"µµ"}', '{"b":"caf\uFFFD"}']);
  assert.equal(
    problems.map((p) => [p.lineNo, p.byte]),
    [[2, Buffer.byteLength('{"a":"µµ"}\n{"b":"caf')]],
  );
});

test("findInvalidUtf8 counts what TextDecoder replaces (overlong, surrogate, truncated sequences)", () => {
  const cases: number[][] = [
    [0xc0, 0xaf], // overlong
    [0xed, 0xa0, 0x80], // UTF-16 surrogate
    [0xe2, 0x82], // truncated euro sign
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0x41, 0x92, 0x42, 0x96],
  ];
  for (const bytes of cases) {
    const decoded = new TextDecoder().decode(Uint8Array.from(bytes));
    const replacements = [...decoded].filter((c) => c === "\uFFFD").length;
    assert.is(findInvalidUtf8(Uint8Array.from(bytes))?.count, replacements, JSON.stringify(bytes));
  }
  assert.is(findInvalidUtf8(Buffer.from("café µmol/L ≥ 5 °C")), null);
});

test("the NER reader and the CSV/MIMIC reader report invalid UTF-8 with line and byte too", async () => {
  const ner = writeBytes(
    "ner.jsonl",
    '{"note_id":"a","text":"ok","spans":[]}\n{"note_id":"b","text":"37',
    [0xb0],
    'C","spans":[]}\n',
  );
  const read = await readNerJsonl(ner);
  assert.is(read.notes.length, 2);
  assert.equal(
    read.warnings.map((w) => [w.source, w.reason]),
    [[`${ner}:2`, "invalid_utf8"]],
  );
  const header = "note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text\n";
  const row1 = '10-DS-1,10,20,DS,1,2150-01-02 00:00:00,,"Line one.\nTemp 37';
  const csv = writeBytes("mimic.csv", header, row1, [0xb0], 'C."\n10-DS-2,10,20,DS,2,2150-01-03 00:00:00,,Fine.\n');
  const log = new RejectLog();
  const notes = [];
  for await (const n of readMimicIvNotes(csv, { onReject: log.add, onWarning: log.warn })) notes.push(n);
  assert.is(notes.length, 2);
  assert.equal(log.warningsByReason(), { "invalid-utf8": 1 });
  // The bad byte is on the second physical line of the first row (the quoted field spans lines).
  assert.is(log.warnings[0].line, 3);
  assert.is(log.warnings[0].byte, Buffer.byteLength(header + row1));
  try {
    for await (const _ of readMimicIvNotes(csv, { onInvalidUtf8: "fail" })) void _;
    assert.unreachable("should fail");
  } catch (error) {
    assert.ok(DataError.isInstance(error), String(error));
    assert.is((error as DataError).line, 3);
  }
});

test("a plain JSONL reader entry point keeps working on files with a BOM and CRLF line ends", async () => {
  const file = writeBytes("crlf.jsonl", BOM, '{"x":1}\r\n\r\n{"x":2}\r\n');
  const values: unknown[] = [];
  for await (const entry of readJsonlEntries(file)) values.push([entry.line, entry.value]);
  assert.equal(values, [
    [1, { x: 1 }],
    [3, { x: 2 }],
  ]);
});

async function rejectsWith(run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.match((error as Error).message, pattern, (error as Error).message);
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

test("the registry's invalidUtf8: fail reaches readNotesFrom; the CLI counts warnings and takes --invalid-utf8", async () => {
  const file = writeBytes(
    "cli.jsonl",
    BOM,
    `${note("n1", "ok")}\n`,
    note("n2", "").slice(0, -2),
    [0x96],
    '"}\n',
    `${note("n3", "ok")}\n`,
  );
  const registry = datasetRegistrySchema.parse({
    datasets: [{ id: "strict", description: "d", kind: "notes", path: file, restricted: false, invalidUtf8: "fail" }],
  });
  const strict = { ...registry.datasets[0], resolvedPath: file };
  await rejectsWith(async () => {
    for await (const _ of readNotesFrom(strict)) void _;
  }, /cli\.jsonl:2 \(byte \d+\).*0x96/);
  const lenient: string[] = [];
  for await (const n of readNotesFrom(strict, { onInvalidUtf8: "report", onWarning: () => undefined }))
    lenient.push(n.note_id);
  assert.equal(lenient, ["n1", "n2", "n3"]);

  const err: string[] = [];
  const out: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.join(" "));
  try {
    const code = await commands["notes-stats"].run([file, "--json"]);
    assert.is(code, 0, err.join("\n"));
    const stats = JSON.parse(out.join("\n"));
    assert.is(stats.notes, 3);
    assert.equal(stats.warningsByReason, { "duplicate-text": 1, "invalid-utf8": 1 });
    assert.match(err.join("\n"), "cli.jsonl:2");
    await rejectsWith(() => commands["notes-stats"].run([file, "--invalid-utf8=fail"]), /cli\.jsonl:2/);
  } finally {
    console.log = log;
    console.error = error;
  }
});

test.run();
