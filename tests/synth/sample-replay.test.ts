import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readWrittenResponses } from "../../lib/src/synth/sample-replay.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("sample-replay-");
const row = (note_id: string) =>
  JSON.stringify({ note_id, question_type: "boolean", finishReason: "stop", text: "{}" });

test("readWrittenResponses: a UTF-8 BOM (Windows editors) is not part of the first line", async () => {
  const file = join(dir, "bom.jsonl");
  writeFileSync(file, `\uFEFF${row("S001")}\r\n${row("S002")}\r\n`);
  const responses = await readWrittenResponses(file);
  assert.equal(
    responses.map((response) => response.note_id),
    ["S001", "S002"],
  );
});

test("readWrittenResponses: bytes that are not UTF-8 are reported with their line, not read silently", async () => {
  const file = join(dir, "latin1.jsonl");
  writeFileSync(
    file,
    Buffer.concat([
      Buffer.from(`${row("S001")}\n${row("S002").slice(0, -1)}, "comment": "`),
      Buffer.from([0x92]),
      Buffer.from('"}\n'),
    ]),
  );
  const warnings: string[] = [];
  const listen = (warning: Error) => warnings.push(warning.message);
  process.on("warning", listen);
  try {
    assert.is((await readWrittenResponses(file)).length, 2);
    await new Promise(setImmediate);
  } finally {
    process.off("warning", listen);
  }
  assert.is(warnings.length, 1);
  assert.match(warnings[0], `${file}: 1 invalid-utf8 (first: ${file}:2 (byte `);
});

test("readWrittenResponses: a bad line is an error naming its line (blank lines counted)", async () => {
  const file = join(dir, "bad.jsonl");
  writeFileSync(file, `${row("S001")}\n\n{"note_id": \n`);
  await readWrittenResponses(file).then(
    () => assert.unreachable("a line that is not JSON was read"),
    (error: Error) => assert.match(error.message, `${file}:3: line is not valid JSON`),
  );
  writeFileSync(file, `${row("S001")}\n\n${JSON.stringify({ note_id: "S002", question_type: "prose", text: "" })}\n`);
  await readWrittenResponses(file).then(
    () => assert.unreachable("an unknown question type was read"),
    (error: Error) => assert.match(error.message, `${file} line 3: needs note_id, a known question_type and text`),
  );
});

test.run();
