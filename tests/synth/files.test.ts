import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { JsonlWriter } from "../../lib/src/core/jsonl.js";
import { NoteIndex } from "../../lib/src/synth/note-lookup.js";
import { postProcessFile } from "../../lib/src/synth/post-process-file.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("synth-files-");

test("NoteIndex: byte offsets survive CRLF, multi-byte text and blank lines; problems are listed by line", async () => {
  const file = join(dir, "notes.jsonl");
  writeFileSync(
    file,
    [
      JSON.stringify({ note_id: "A", text: "Café – naïve ✓ 7.2 %" }),
      "",
      JSON.stringify({ note_id: "B", text: "second\nnote" }),
      "{broken",
      JSON.stringify({ note_id: "A", text: "again" }),
      JSON.stringify({ text: "no id" }),
      JSON.stringify({ note_id: "C", text: 5 }),
    ].join("\r\n"),
  );
  const index = await NoteIndex.open(file);
  assert.is(index.size, 2);
  assert.is(index.get("A"), "Café – naïve ✓ 7.2 %");
  assert.is(index.get("B"), "second\nnote");
  assert.is(index.get("Z"), undefined);
  assert.equal(
    index.problems.map((p) => p.lineNo),
    [4, 5, 6, 7],
  );
  assert.ok(index.problems[1].problem.includes("appears again"));
  index.close();
});

test("postProcessFile: a line that is not JSON becomes a bad_record reject naming the line; summary written", async () => {
  const notes = join(dir, "pp-notes.jsonl");
  writeFileSync(notes, `${JSON.stringify({ note_id: "N1", text: "on warfarin" })}\n`);
  const responses = join(dir, "responses.jsonl");
  const good = {
    request_id: "N1:boolean",
    note_id: "N1",
    chunk: 0,
    question_type: "boolean",
    model: "m",
    prompt_version: "v",
    key: "k",
    ok: true,
    text: JSON.stringify({
      questions: [
        {
          question: "Warfarin?",
          type: "boolean",
          answer: "Yes",
          section: "x",
          source: "on warfarin",
          difficulty: 2,
          explanation: "e",
        },
      ],
    }),
  };
  writeFileSync(responses, `${JSON.stringify(good)}\n{"cut off`);
  const { stats, files } = await postProcessFile({ responsesFile: responses, notes, outDir: join(dir, "pp") });
  assert.is(stats.accepted, 1);
  assert.equal(stats.byReason, { bad_record: 1 });
  const reject = JSON.parse(readFileSync(files.rejects, "utf8").trim());
  assert.ok(reject.detail.includes("line 2"), reject.detail);
  assert.is(JSON.parse(readFileSync(files.summary, "utf8")).accepted, 1);
  assert.not.ok(existsSync(`${files.accepted}.partial`));
});

test("postProcessFile: an input error leaves .partial files, never complete-looking outputs", async () => {
  const notes = join(dir, "pp2-notes.jsonl");
  writeFileSync(notes, ["A", "B"].map((id) => JSON.stringify({ note_id: id, text: "t" })).join("\n"));
  const record = (note: string) =>
    JSON.stringify({
      request_id: `${note}:boolean`,
      note_id: note,
      chunk: 0,
      question_type: "boolean",
      ok: true,
      text: "{}",
    });
  const responses = join(dir, "responses2.jsonl");
  writeFileSync(responses, [record("A"), record("B"), record("A")].join("\n"));
  const outDir = join(dir, "pp2");
  try {
    await postProcessFile({ responsesFile: responses, notes, outDir });
    assert.unreachable("non-contiguous responses must fail");
  } catch (error) {
    assert.match((error as Error).message, /not contiguous/);
  }
  assert.not.ok(existsSync(join(outDir, "accepted.jsonl")));
  assert.ok(existsSync(join(outDir, "accepted.jsonl.partial")));
});

test("JsonlWriter writes through .partial and renames on close", () => {
  const file = join(dir, "w.jsonl");
  const writer = new JsonlWriter(file, 10);
  writer.write({ a: 1 });
  writer.write({ b: "x\ny" });
  assert.ok(existsSync(`${file}.partial`));
  assert.not.ok(existsSync(file));
  writer.close();
  writer.close();
  assert.is(readFileSync(file, "utf8"), '{"a":1}\n{"b":"x\\ny"}\n');
});

test.run();
