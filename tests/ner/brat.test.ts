import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import { formatAnn, parseAnn, readBratDir, writeBratDir } from "../../lib/src/ner/brat.js";
import { readNerJsonl, writeNerJsonl } from "../../lib/src/ner/jsonl.js";
import { resolveFromRoot } from "../../lib/src/paths.js";

const fixtures = join(import.meta.dirname, "fixtures");

test("a good .ann gives spans; notes and attributes are counted, not read", () => {
  const parsed = parseAnn(
    "Aspirin for chest pain.\n",
    "T1\tmedication 0 7\tAspirin\n#1\tAnnotatorNotes T1\tx\nA1\tNegated T1\n",
    "n",
    "n.ann",
  );
  assert.deepEqual(parsed.spans, [{ start: 0, end: 7, type: "medication", text: "Aspirin" }]);
  assert.deepEqual(parsed.rejects, []);
  assert.deepEqual(parsed.ignored, { "#": 1, A: 1 });
});

test("bad .ann lines are rejects with file:line and a reason; good spans survive", async () => {
  const read = await readBratDir(join(fixtures, "brat-bad"));
  const byId = new Map(read.notes.map((note) => [note.id, note]));
  assert.deepEqual([...byId.keys()], ["bad", "good"]);
  assert.deepEqual(
    byId.get("bad")!.spans.map((span) => span.text),
    ["Aspirin", "chest pain"],
  );
  const reasons = read.rejects.map((reject) => `${reject.reason}@${reject.source.split("/").pop()}`).sort();
  assert.deepEqual(reasons, [
    "discontinuous@bad.ann:7",
    "empty_note@empty.txt",
    "malformed_line@bad.ann:6", // T6 has two columns
    "malformed_line@bad.ann:9", // unknown kind X
    "missing_ann@orphan.txt",
    "missing_text@lonely.ann",
    "out_of_range@bad.ann:4 (T4)",
    "overlap@bad.ann", // T3 "pain" inside T2 "chest pain"
    "text_mismatch@bad.ann:8 (T8)",
    "unknown_type@bad.ann:5",
  ]);
  for (const reject of read.rejects)
    assert.ok(reject.detail.length > 10, `reject has a detail: ${JSON.stringify(reject)}`);
  assert.deepEqual(read.ignored, { "#": 1, A: 1 });
});

test("BRAT offsets are code points: converted around characters outside the BMP", () => {
  const text = "Pain 😣 then aspirin.";
  // In code points "aspirin" starts at 12 (the emoji is one code point); in UTF-16 at 13.
  const parsed = parseAnn(text, "T1\tmedication 12 19\taspirin\n", "n", "n.ann");
  assert.deepEqual(parsed.rejects, []);
  assert.deepEqual(parsed.spans[0], { start: 13, end: 20, type: "medication", text: "aspirin" });
  assert.equal(formatAnn({ id: "n", text, spans: parsed.spans }), "T1\tmedication 12 19\taspirin\n");
});

test("a span across a line break matches the .ann text written with a space", () => {
  const parsed = parseAnn("chest\npain", "T1\tsymptom 0 10\tchest pain\n", "n", "n.ann");
  assert.deepEqual(parsed.rejects, []);
  assert.equal(parsed.spans[0].text, "chest\npain");
  // Written back with the line break as a space, so the .ann keeps one annotation per line.
  assert.equal(formatAnn({ id: "n", text: "chest\npain", spans: parsed.spans }), "T1\tsymptom 0 10\tchest pain\n");
});

test("typeMap maps a corpus's type names", () => {
  const parsed = parseAnn("Aspirin 81 mg", "T1\tDrug 0 7\tAspirin\nT2\tStrength 8 13\t81 mg\n", "n", "n.ann", {
    typeMap: { Drug: "medication" },
    ignoreTypes: ["Strength"],
  });
  assert.equal(parsed.spans[0].type, "medication");
  assert.deepEqual(parsed.rejects, []);
  assert.deepEqual(parsed.ignored, { "type:Strength": 1 });
});

test("BRAT and JSONL round trips keep the sample notes exactly", async () => {
  const fromJsonl = await readNerJsonl(resolveFromRoot("data/sample/ner/notes.jsonl"));
  assert.equal(fromJsonl.rejects.length, 0);
  assert.ok(fromJsonl.notes.length >= 10);
  const fromBrat = await readBratDir(resolveFromRoot("data/sample/ner/brat"));
  assert.deepEqual(fromBrat.notes, fromJsonl.notes);
  const dir = await mkdtemp(join(tmpdir(), "ner-brat-"));
  try {
    await writeBratDir(join(dir, "brat"), fromJsonl.notes);
    const again = await readBratDir(join(dir, "brat"));
    assert.deepEqual(again.notes, fromJsonl.notes);
    assert.equal(
      await readFile(join(dir, "brat", `${fromJsonl.notes[0].id}.ann`), "utf8"),
      formatAnn(fromJsonl.notes[0]),
    );
    await writeNerJsonl(join(dir, "out.jsonl"), fromJsonl.notes);
    assert.deepEqual((await readNerJsonl(join(dir, "out.jsonl"))).notes, fromJsonl.notes);
    await assert.rejects(writeBratDir(dir, [{ id: "../evil", text: "x", spans: [] }]), /not safe as a file name/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("bad JSONL lines are rejects naming file:line and field", async () => {
  const read = await readNerJsonl(join(fixtures, "bad.jsonl"));
  assert.deepEqual(
    read.notes.map((note) => note.id),
    ["ok", "nospans", "badtype", "range"],
  );
  const reasons = read.rejects.map((reject) => `${reject.reason}@${reject.source.split("/").pop()}`);
  assert.deepEqual(reasons, [
    "unparseable@bad.jsonl:2",
    "unknown_type@bad.jsonl:4",
    "schema_mismatch@bad.jsonl:5",
    "empty_note@bad.jsonl:6",
    "out_of_range@bad.jsonl:7",
  ]);
  assert.match(read.rejects[2].detail, /note_id/);
});

test.run();
