import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  DataError,
  N2C2_CRITERIA,
  N2c2FormatError,
  parseN2c2Xml,
  RejectLog,
  readN2c2Dir,
  readN2c2File,
  recordsWithinMonths,
} from "../../lib/src/data/index.js";
import { tempDir } from "../helpers/temp-dir.js";

// n2c2 files as real copies arrive: other encodings, other separator widths, hand-edited XML.
const dir = tempDir("n2c2-input-");

const TAGS = `<TAGS>\n${N2C2_CRITERIA.map((c) => `<${c} met="not met" />`).join("\n")}\n</TAGS>`;
const document = (text: string, declaration = '<?xml version="1.0" encoding="UTF-8" ?>', tags = TAGS) =>
  `${declaration}\n<PatientMatching>\n<TEXT><![CDATA[${text}]]></TEXT>\n${tags}\n</PatientMatching>\n`;

function write(name: string, bytes: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

function parseError(source: string, file = "p.xml"): N2c2FormatError {
  try {
    parseN2c2Xml(source, file);
  } catch (error) {
    assert.instance(error, N2c2FormatError);
    return error as N2c2FormatError;
  }
  throw new Error("expected an N2c2FormatError");
}

test("an ISO-8859-1 file is decoded as its declaration says: é and µ survive", async () => {
  const text = "\nRecord date: 2080-03-01\nPatient is café owner; B12 400 µg daily, 37.2 °C.\n";
  const file = write(
    "latin1.xml",
    Buffer.from(document(text, '<?xml version="1.0" encoding="ISO-8859-1"?>'), "latin1"),
  );
  const log = new RejectLog();
  const patient = await readN2c2File(file, { onWarning: log.warn });
  assert.ok(patient.records[0].text.includes("café owner"), patient.records[0].text);
  assert.ok(patient.records[0].text.includes("400 µg"));
  assert.ok(patient.records[0].text.includes("37.2 °C"));
  assert.is(log.warnings.length, 0);
});

test("windows-1252 bytes 0x92 and 0x96 become ’ and – (not C1 control characters)", async () => {
  const head = Buffer.from(
    document("\nRecord date: 2080-03-01\nPatient", "<?xml version='1.0' encoding='windows-1252'?>").split("]]>")[0],
  );
  const tail = Buffer.from(`s BP 120${"]]>"}${document("").split("]]>")[1]}`);
  const bytes = Buffer.concat([head, Buffer.from([0x92]), Buffer.from("s wife; BP 110"), Buffer.from([0x96]), tail]);
  const patient = await readN2c2File(write("cp1252.xml", bytes));
  assert.ok(patient.text.includes("Patient’s wife; BP 110–"), JSON.stringify(patient.text));
});

test("a UTF-8 file (declared or not) with cp1252 bytes is an invalid-utf8 warning at its line, or an error with fail", async () => {
  const before = document("\nRecord date: 2080-03-01\nTemp 37").split("]]>")[0];
  const after = `C${"]]>"}${document("").split("]]>")[1]}`;
  const file = write("bad-utf8.xml", Buffer.concat([Buffer.from(before), Buffer.from([0xb0]), Buffer.from(after)]));
  const warnings = new RejectLog();
  const patient = await readN2c2File(file, { onWarning: warnings.warn });
  assert.ok(patient.text.includes("37\uFFFDC"));
  assert.is(warnings.warnings.length, 1);
  assert.is(warnings.warnings[0].reason, "invalid-utf8");
  assert.is(warnings.warnings[0].line, 5);
  assert.is(warnings.warnings[0].byte, Buffer.byteLength(before));
  assert.match(warnings.warnings[0].message, "°");
  try {
    await readN2c2File(file, { onInvalidUtf8: "fail" });
    assert.unreachable("should fail");
  } catch (error) {
    assert.ok(DataError.isInstance(error), String(error));
    assert.match((error as Error).message, /bad-utf8\.xml:5 \(byte \d+\)/);
  }
});

test("an unknown encoding in the declaration is a clear error at line 1; a UTF-8 BOM file reads", async () => {
  const file = write(
    "klingon.xml",
    Buffer.from(document("\nRecord date: 2080-03-01\nx\n", '<?xml version="1.0" encoding="klingon-8"?>')),
  );
  try {
    await readN2c2File(file);
    assert.unreachable("should fail");
  } catch (error) {
    assert.instance(error, N2c2FormatError);
    assert.match((error as Error).message, /klingon\.xml:1:\d+: unknown encoding "klingon-8"/);
  }
  const bom = write(
    "bom.xml",
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(document("\nRecord date: 2080-03-01\nµ\n"))]),
  );
  assert.is((await readN2c2File(bom)).records[0].text, "Record date: 2080-03-01\nµ");
});

test("a separator of 80 `*` splits records (dates and time windows stay right); stars inside a record stay text", () => {
  const text = [
    "",
    "Record date: 2079-01-10",
    "Old MI.",
    "*".repeat(80),
    "",
    "Record date: 2080-02-01",
    "Plan:",
    "  ******************************  ",
    "continue aspirin",
    "*".repeat(120),
    "Record date: 2080-06-15",
    "Seen today.",
    "",
  ].join("\n");
  const patient = parseN2c2Xml(document(text), "widths.xml");
  assert.equal(
    patient.records.map((r) => r.date),
    ["2079-01-10", "2080-02-01", "2080-06-15"],
  );
  assert.ok(patient.records[1].text.includes("******************************"));
  assert.ok(patient.records[1].text.endsWith("continue aspirin"));
  // Record lines point into the file (line 3 holds `<TEXT>` and the first, blank, TEXT line).
  assert.equal(
    patient.records.map((r) => r.line),
    [4, 8, 13],
  );
  assert.equal(
    recordsWithinMonths(patient, 6).map((r) => r.date),
    ["2080-02-01", "2080-06-15"],
  );
});

test("a raw `&` in TEXT outside CDATA is reported at its own line and column, not at the end of the file", () => {
  const source = [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    "<PatientMatching>",
    "<TEXT>",
    "Record date: 2080-03-01",
    "Seen for HTN &amp; DM.",
    "Labs: Na 140, K 4.1",
    "Plan: diet & exercise",
    "Follow up in 3 months.",
    "</TEXT>",
    TAGS,
    "</PatientMatching>",
  ].join("\n");
  const error = parseError(source, "amp.xml");
  assert.is(error.line, 7);
  assert.is(error.column, 12);
  assert.match(error.message, /^amp\.xml:7:12: malformed XML: a bare '&'/);
});

test("a missing TAGS element names the file and where it was expected", () => {
  const source = document("\nRecord date: 2080-03-01\nx\n").replace(`${TAGS}\n`, "");
  const lines = source.split("\n");
  const error = parseError(source, "notags.xml");
  assert.is(error.line, lines.indexOf("</PatientMatching>") + 1);
  assert.is(error.field, "TAGS");
  assert.match(error.message, `expected after </TEXT> (line ${lines.findIndex((l) => l.includes("</TEXT>")) + 1})`);
  assert.match(error.message, /^notags\.xml:\d+/);
});

test("a TAGS block missing a criterion points at the TAGS block, not the last line of the file", () => {
  const tags = TAGS.replace('<KETO-1YR met="not met" />\n', "");
  const source = `${document("\nRecord date: 2080-03-01\nx\n", undefined, tags)}\n\n\n`;
  const error = parseError(source, "short.xml");
  assert.is(error.line, source.split("\n").indexOf("</TAGS>") + 1);
  assert.is(error.field, "KETO-1YR");
});

test("readN2c2Dir passes the reading options to each file", async () => {
  const sub = join(dir, "dir");
  mkdirSync(sub);
  const before = document("\nRecord date: 2080-03-01\nTemp 37").split("]]>")[0];
  const after = `C${"]]>"}${document("").split("]]>")[1]}`;
  writeFileSync(join(sub, "1.xml"), Buffer.concat([Buffer.from(before), Buffer.from([0xb0]), Buffer.from(after)]));
  writeFileSync(join(sub, "2.xml"), document("\nRecord date: 2080-03-01\nfine\n"));
  const log = new RejectLog();
  const patients = await readN2c2Dir(sub, { onReject: log.add, onWarning: log.warn });
  assert.is(patients.length, 2);
  assert.equal(log.warningsByReason(), { "invalid-utf8": 1 });
  const failing = new RejectLog();
  const kept = await readN2c2Dir(sub, { onReject: failing.add, onInvalidUtf8: "fail" });
  assert.is(kept.length, 1);
  assert.is(failing.count, 1);
  assert.match(failing.items[0].file, "1.xml");
  assert.is(failing.items[0].reason, "invalid-utf8");
});

test.run();
