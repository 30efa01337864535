import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PredictionFileError } from "../../lib/src/eval/tasks/errors.js";
import { predictionFromResult, readPredictions, writePredictions } from "../../lib/src/eval/tasks/predictions.js";
import type { Prediction } from "../../lib/src/eval/tasks/types.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("eval-predictions-");
const row = (id: string): Prediction => ({ item_id: id, model: "m", ok: true, text: '{"answer": "yes"}' });

function errorOf(fn: () => unknown): PredictionFileError {
  try {
    fn();
  } catch (error) {
    assert.ok(PredictionFileError.isInstance(error), `expected a PredictionFileError, got ${error}`);
    return error as PredictionFileError;
  }
  throw new Error("expected an error");
}

test("write then read round-trips, keyed by item id", () => {
  const file = join(dir, "ok", "predictions.jsonl");
  assert.is(writePredictions(file, [row("a"), row("b")]), 2);
  const read = readPredictions(file, ["a", "b"]);
  assert.equal(read.get("b"), row("b"));
});

test("a byte order mark, CRLF line ends and blank lines read like a plain file; line numbers stay the file's", () => {
  const file = join(dir, "bom.jsonl");
  const lines = [row("a"), row("b")].map((prediction) => JSON.stringify(prediction));
  writeFileSync(file, `\uFEFF${lines[0]}\r\n\r\n${lines[1]}\r\n`);
  const read = readPredictions(file, ["a", "b"]);
  assert.equal(read.get("a"), row("a"));
  assert.equal(read.get("b"), row("b"));
  writeFileSync(file, `\uFEFF${lines[0]}\n\nnot json\n`);
  assert.match(errorOf(() => readPredictions(file, ["a"])).message, "line 3: not valid JSON");
});

test("missing items: error names the file, the count and the ids", () => {
  const file = join(dir, "missing.jsonl");
  writePredictions(file, [row("a")]);
  const error = errorOf(() => readPredictions(file, ["a", "b", "c"]));
  assert.match(error.message, file);
  assert.match(error.message, "missing predictions for 2 of 3 items: b, c");
  assert.equal(error.itemIds, ["b", "c"]);
});

test("duplicate ids: error names them", () => {
  const file = join(dir, "duplicate.jsonl");
  writePredictions(file, [row("a"), row("b"), row("a")]);
  const error = errorOf(() => readPredictions(file, ["a", "b"]));
  assert.match(error.message, "duplicate item ids (1): a");
});

test("unknown ids are an error unless allowed, then dropped", () => {
  const file = join(dir, "extra.jsonl");
  writePredictions(file, [row("a"), row("z")]);
  assert.match(
    errorOf(() => readPredictions(file, ["a"])).message,
    "items not being evaluated (wrong file or split?): z",
  );
  assert.equal([...readPredictions(file, ["a"], { allowExtra: true }).keys()], ["a"]);
});

test("bad lines name the line number; an unreadable file names itself", () => {
  const file = join(dir, "bad.jsonl");
  writeFileSync(file, `${JSON.stringify(row("a"))}\n{not json\n`);
  assert.match(errorOf(() => readPredictions(file, ["a"])).message, "line 2: not valid JSON");
  writeFileSync(file, `${JSON.stringify({ item_id: "a", text: 3 })}\n`);
  assert.match(errorOf(() => readPredictions(file, ["a"])).message, "line 1 (item a): field text must be a string");
  assert.match(errorOf(() => readPredictions(join(dir, "nope.jsonl"), ["a"])).message, "cannot read the file");
});

test("a failed model result becomes a failed prediction that keeps its reason", () => {
  const failed = predictionFromResult(
    { ok: false, id: "x", key: "k", reason: "truncated", detail: "cut", text: '{"answer": "ye', cached: false },
    "student",
  );
  assert.equal(failed, {
    item_id: "x",
    model: "student",
    ok: false,
    text: '{"answer": "ye',
    reason: "truncated",
    finish_reason: undefined,
    cached: false,
  });
});

test.run();
