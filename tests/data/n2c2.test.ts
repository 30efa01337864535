import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  DataError,
  formatN2c2Xml,
  mostRecentRecordDate,
  N2C2_CRITERIA,
  N2c2FormatError,
  parseN2c2Xml,
  RejectLog,
  readN2c2Dir,
  readN2c2File,
  recordsWithinMonths,
} from "../../lib/src/data/index.js";
import { N2C2_RECORD_SEPARATOR } from "../../lib/src/data/n2c2.js";

const fixtures = join(import.meta.dirname, "fixtures");
const SEP = N2C2_RECORD_SEPARATOR;

function tags(overrides: Record<string, string | null> = {}, extra = ""): string {
  const lines = N2C2_CRITERIA.filter((c) => overrides[c] !== null).map(
    (c) => `<${c} met="${overrides[c] ?? "not met"}" />`,
  );
  return `<TAGS>\n${lines.join("\n")}${extra}\n</TAGS>`;
}
function xml(text: string, tagBlock = tags()): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>\n<PatientMatching>\n<TEXT><![CDATA[${text}]]></TEXT>\n${tagBlock}\n</PatientMatching>\n`;
}
const TWO_RECORDS = `\n\nRecord date: 2070-01-05\n\nFirst.\n\n${SEP}\n\nRecord date: 2070-09-30\n\nSecond ]] > text.\n`;

function parseError(source: string, file = "p.xml"): N2c2FormatError {
  try {
    parseN2c2Xml(source, file);
  } catch (error) {
    assert.ok(DataError.isInstance(error), `expected a DataError, got ${error}`);
    assert.instance(error, N2c2FormatError);
    return error as N2c2FormatError;
  }
  throw new Error("expected N2c2FormatError");
}

test("parses TEXT into dated records with file line numbers, and all 13 tags", () => {
  const patient = parseN2c2Xml(xml(TWO_RECORDS, tags({ HBA1C: "met", ENGLISH: " Met " })), "dir/123.xml");
  assert.is(patient.patientId, "123");
  assert.equal(
    patient.records.map((r) => [r.date, r.line]),
    [
      ["2070-01-05", 5],
      ["2070-09-30", 11],
    ],
  );
  assert.is(patient.records[0].text, "Record date: 2070-01-05\n\nFirst.");
  assert.is(patient.tags.HBA1C, "met");
  assert.is(patient.tags.ENGLISH, "met", "labels compared after trim + lower-case, as the official scorer does");
  assert.is(patient.tags["MI-6MOS"], "not met");
  assert.is(Object.keys(patient.tags).length, 13);
  assert.is(patient.text, TWO_RECORDS);
});

test("CRLF files parse with the same records and line numbers", () => {
  const patient = parseN2c2Xml(xml(TWO_RECORDS).replace(/\n/g, "\r\n"), "crlf.xml");
  assert.equal(
    patient.records.map((r) => [r.date, r.line]),
    [
      ["2070-01-05", 5],
      ["2070-09-30", 11],
    ],
  );
});

test("a missing tag is an N2c2FormatError naming the file and the tag", () => {
  const error = parseError(xml(TWO_RECORDS, tags({ "KETO-1YR": null, ABDOMINAL: null })), "train/7.xml");
  assert.is(error.file, "train/7.xml");
  assert.match(error.message, "<ABDOMINAL>, <KETO-1YR>");
  assert.is(error.field, "ABDOMINAL");
});

test("a bad met value names the tag, its line and the value", () => {
  const error = parseError(xml(TWO_RECORDS, tags({ HBA1C: "yes" })));
  assert.match(error.message, 'met="yes"');
  assert.is(error.field, "HBA1C");
  assert.is(error.line, 24);
});

test("duplicate and unknown tags are errors", () => {
  assert.match(parseError(xml(TWO_RECORDS, tags({}, '\n<HBA1C met="met" />'))).message, "duplicate tag <HBA1C>");
  const unknown = parseError(xml(TWO_RECORDS, tags({}, '\n<SMOKER met="met" />')));
  assert.match(unknown.message, "unknown tag <SMOKER>");
  assert.is(unknown.field, "SMOKER");
  assert.match(parseError(xml(TWO_RECORDS, tags({ HBA1C: null }, "\n<HBA1C />"))).message, "no met=");
});

test("malformed XML is reported with file, line and column", () => {
  const broken = xml(TWO_RECORDS).replace("</TAGS>", "</TAG>");
  const error = parseError(broken, "bad.xml");
  assert.match(error.message, /^bad\.xml:\d+:\d+: malformed XML/);
  assert.is(error.line, 29);
  assert.ok((error.column ?? 0) > 0);
  const truncated = parseError(xml(TWO_RECORDS).slice(0, 80), "cut.xml");
  assert.match(truncated.message, "malformed XML");
});

test("missing TEXT, empty TEXT, missing TAGS and a wrong root are errors", () => {
  const noText = `<?xml version="1.0"?>\n<PatientMatching>\n${tags()}\n</PatientMatching>`;
  assert.match(parseError(noText).message, "no <TEXT> element");
  assert.match(parseError(xml("\n  \n")).message, "<TEXT> is empty");
  const noTags = `<PatientMatching><TEXT><![CDATA[\nRecord date: 2070-01-01\nx\n]]></TEXT></PatientMatching>`;
  assert.match(parseError(noTags).message, "no <TAGS> element");
  assert.match(parseError("<Patient><TEXT>x</TEXT></Patient>").message, "root element is <Patient>");
});

test("records without a Record date line, bad dates and empty records are errors with lines", () => {
  const noDate = parseError(xml(`\n\nSeen today.\n\n${SEP}\n\nRecord date: 2070-01-01\nx\n`));
  assert.match(noDate.message, 'record 1 does not start with a "Record date: YYYY-MM-DD" line');
  assert.is(noDate.line, 5);
  assert.not.match(noDate.message, "Seen today", "patient text stays out of error messages");
  const secondNoDate = parseError(xml(`\nRecord date: 2070-01-01\nx\n${SEP}\nno date here\n`));
  assert.match(secondNoDate.message, "record 2 does not start");
  assert.is(secondNoDate.line, 7);
  assert.match(parseError(xml("\nRecord date: 2070-02-30\nx\n")).message, "not a real date");
  assert.match(
    parseError(xml(`\nRecord date: 2070-01-01\nx\n${SEP}\n\n${SEP}\nRecord date: 2070-02-01\ny\n`)).message,
    "empty record",
  );
});

test("a 99-asterisk line is record text, not a separator", () => {
  const patient = parseN2c2Xml(xml(`\nRecord date: 2070-01-01\nx\n${"*".repeat(99)}\ny\n`), "p.xml");
  assert.is(patient.records.length, 1);
  assert.match(patient.records[0].text, "*".repeat(99));
});

test("mostRecentRecordDate and recordsWithinMonths count back from the latest record", () => {
  const patient = parseN2c2Xml(
    xml(`\nRecord date: 2070-01-05\na\n${SEP}\nRecord date: 2070-04-01\nb\n${SEP}\nRecord date: 2070-09-30\nc\n`),
    "p.xml",
  );
  assert.is(mostRecentRecordDate(patient), "2070-09-30");
  assert.equal(
    recordsWithinMonths(patient, 6).map((r) => r.date),
    ["2070-04-01", "2070-09-30"],
  );
  assert.equal(
    recordsWithinMonths(patient, 12).map((r) => r.date),
    ["2070-01-05", "2070-04-01", "2070-09-30"],
  );
  const endOfMonth = parseN2c2Xml(
    xml(`\nRecord date: 2070-02-27\na\n${SEP}\nRecord date: 2070-02-28\nb\n${SEP}\nRecord date: 2070-08-31\nc\n`),
    "p.xml",
  );
  assert.equal(
    recordsWithinMonths(endOfMonth, 6).map((r) => r.date),
    ["2070-02-28", "2070-08-31"],
    "6 months before Aug 31 is Feb 28",
  );
  assert.is(
    mostRecentRecordDate({
      records: [
        { date: "2071-01-01", text: "", line: 1 },
        { date: "2070-01-01", text: "", line: 9 },
      ],
    }),
    "2071-01-01",
  );
});

test("formatN2c2Xml writes what parseN2c2Xml reads, including ]]> inside the text", () => {
  const original = parseN2c2Xml(xml(TWO_RECORDS, tags({ "MI-6MOS": "met" })), "a.xml");
  const text = `${TWO_RECORDS}tricky ]]> end\n`;
  const back = parseN2c2Xml(formatN2c2Xml({ text, tags: original.tags }), "b.xml");
  assert.is(back.text, text);
  assert.equal(back.tags, original.tags);
});

test("readN2c2Dir reads *.xml in natural order and throws on the first bad file", async () => {
  const patients = await readN2c2Dir(join(fixtures, "n2c2-good"));
  assert.equal(
    patients.map((p) => p.patientId),
    ["1", "2", "10"],
  );
  try {
    await readN2c2Dir(join(fixtures, "n2c2-mixed"));
    assert.unreachable("should throw");
  } catch (error) {
    assert.instance(error, N2c2FormatError);
    assert.match((error as Error).message, "2.xml");
    assert.match((error as Error).message, "KETO-1YR");
  }
});

test("readN2c2Dir with onReject keeps valid files and counts each bad one with file and line", async () => {
  const log = new RejectLog();
  const patients = await readN2c2Dir(join(fixtures, "n2c2-mixed"), { onReject: log.add });
  assert.equal(
    patients.map((p) => p.patientId),
    ["1"],
  );
  assert.is(log.count, 2);
  assert.equal(log.byReason(), { "n2c2-format": 2 });
  assert.match(log.items[0].file, "2.xml");
  assert.match(log.items[1].message, 'met="maybe"');
  assert.ok(log.items[1].line !== undefined);
});

test("readN2c2Dir and readN2c2File name missing folders and files", async () => {
  for (const run of [() => readN2c2Dir(join(fixtures, "absent")), () => readN2c2File(join(fixtures, "absent.xml"))]) {
    try {
      await run();
      assert.unreachable("should throw");
    } catch (error) {
      assert.ok(DataError.isInstance(error));
      assert.match((error as Error).message, "absent");
    }
  }
  try {
    await readN2c2Dir(fixtures);
    assert.unreachable("should throw");
  } catch (error) {
    assert.match((error as Error).message, "no .xml files");
  }
});

test.run();
