import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadExperiment } from "../../lib/src/config/experiment.js";
import {
  apixabanItems,
  normaliseGold,
  readApixabanAnnotations,
} from "../../lib/src/eval/tasks/apixaban/annotations.js";
import { APIXABAN_QUESTIONS } from "../../lib/src/eval/tasks/apixaban/questions.js";
import { runBaseline } from "../../lib/src/eval/tasks/baseline.js";
import { TableError } from "../../lib/src/eval/tasks/errors.js";
import { loadEvalTask, predictionsPath } from "../../lib/src/eval/tasks/load-task.js";
import { snapshotDiffRows } from "../../lib/src/eval/tasks/models.js";
import { writePredictions } from "../../lib/src/eval/tasks/predictions.js";
import { annotationChanges, compareWithBaseline, readSnapshot } from "../../lib/src/eval/tasks/snapshot.js";
import { readReviewedLabels, readSyntheticItems, reviewedItems } from "../../lib/src/eval/tasks/synthetic/items.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("eval-annotations-");
const HEADER = "item_id,note_id,question_id,gold,annotator,comment";
const csv = (name: string, ...lines: string[]) => {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
};
function tableError(fn: () => unknown): TableError {
  try {
    fn();
  } catch (error) {
    assert.ok(TableError.isInstance(error), `expected a TableError, got ${error}`);
    return error as TableError;
  }
  throw new Error("expected an error");
}

test("23 apixaban questions: 15 yes/no and 8 numeric, unique stable ids", () => {
  assert.is(APIXABAN_QUESTIONS.length, 23);
  assert.is(APIXABAN_QUESTIONS.filter((q) => q.type === "boolean").length, 15);
  assert.is(APIXABAN_QUESTIONS.filter((q) => q.type === "numeric").length, 8);
  assert.is(new Set(APIXABAN_QUESTIONS.map((q) => q.id)).size, 23);
});

test("the shipped sample annotations read cleanly and cover whole notes", () => {
  const annotations = readApixabanAnnotations(resolveFromRoot("data/sample/apixaban/annotations.csv"));
  assert.is(annotations.length, 92);
  const notes = new Set(annotations.map((a) => a.noteId));
  assert.is(notes.size, 4);
  const items = apixabanItems(annotations, new Set(["S002", "S005", "S032", "S033"]));
  assert.is(items.length, 92);
  assert.is(items.find((item) => item.itemId === "S002:apx-afib")?.gold, "yes");
});

test("gold normalisation: yes/no any case; numbers and NA for numeric", () => {
  assert.is(normaliseGold("boolean", " Yes "), "yes");
  assert.is(normaliseGold("boolean", "maybe"), undefined);
  assert.is(normaliseGold("numeric", "1,200"), "1200");
  assert.is(normaliseGold("numeric", "2.10"), "2.1");
  assert.is(normaliseGold("numeric", "n/a"), "NA");
  assert.is(normaliseGold("numeric", "2.1 mg/dL"), undefined);
});

test("wrong header: error names file and row 1, and what is missing or unknown", () => {
  const file = csv("header.csv", "item_id,note,question_id,gold,annotator,comment", "a,S001,apx-afib,yes,x,");
  const error = tableError(() => readApixabanAnnotations(file));
  assert.is(error.row, 1);
  assert.match(error.message, `${file}, row 1: wrong header (missing column(s) note_id; unknown column(s) note)`);
});

test("unknown label, unknown question, duplicate id, duplicate pair: error names the row", () => {
  let file = csv("label.csv", HEADER, "a,S001,apx-afib,yes,x,", "b,S001,apx-age,old,x,");
  assert.match(tableError(() => readApixabanAnnotations(file)).message, 'row 3: item b: unknown label "old"');
  file = csv("question.csv", HEADER, "a,S001,apx-bmi,yes,x,");
  assert.match(tableError(() => readApixabanAnnotations(file)).message, 'row 2: item a: unknown question_id "apx-bmi"');
  file = csv("dup.csv", HEADER, "a,S001,apx-afib,yes,x,", "a,S002,apx-afib,no,x,");
  assert.match(tableError(() => readApixabanAnnotations(file)).message, 'row 3: duplicate item_id "a" (also on row 2)');
  file = csv("pair.csv", HEADER, "a,S001,apx-afib,yes,x,", "b,S001,apx-afib,no,x,");
  assert.match(tableError(() => readApixabanAnnotations(file)).message, "row 3: note S001 question apx-afib");
  file = csv("fields.csv", HEADER, "a,S001,apx-afib,yes");
  assert.match(tableError(() => readApixabanAnnotations(file)).message, "row 2: expected 6 fields, found 4");
});

test("an annotation whose note is absent is an error naming its row", () => {
  const file = csv("note.csv", HEADER, "a,S999,apx-afib,yes,x,");
  const annotations = readApixabanAnnotations(file);
  assert.match(
    tableError(() => apixabanItems(annotations, new Set(["S001"]), file)).message,
    "row 2: item a: note S999",
  );
});

test("synthetic held-out and reviewed sample files read with stable ids; reviewed gold replaces the teacher's", async () => {
  const heldOut = await readSyntheticItems(resolveFromRoot("data/sample/synthetic-eval/held-out.csv"));
  assert.is(heldOut.length, 24);
  assert.ok(heldOut.every((item) => /^syn-S\d{3}-\d{2}$/.test(item.itemId)));
  const reviewed = await readReviewedLabels(resolveFromRoot("data/sample/synthetic-eval/annotated.csv"), heldOut);
  const items = reviewedItems(heldOut, reviewed);
  assert.is(items.length, 10);
  assert.is(heldOut.find((item) => item.itemId === "syn-S002-04")?.gold, "268");
  assert.is(items.find((item) => item.itemId === "syn-S002-04")?.gold, "251");
});

test("synthetic files: unknown type and unknown reviewed id name the row", async () => {
  const source = readFileSync(resolveFromRoot("data/sample/synthetic-eval/held-out.csv"), "utf8");
  const file = join(dir, "held-out.csv");
  writeFileSync(file, source.replace("syn-S002-02,S002,boolean", "syn-S002-02,S002,yesno"));
  try {
    await readSyntheticItems(file);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, 'row 3: item syn-S002-02: unknown question_type "yesno"');
  }
  const heldOut = await readSyntheticItems(resolveFromRoot("data/sample/synthetic-eval/held-out.csv"));
  const reviewed = csv("reviewed.csv", "item_id,gold,annotator,comment", "syn-X,Yes,r,");
  try {
    await readReviewedLabels(reviewed, heldOut);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, 'row 2: item_id "syn-X" is not a held-out item');
  }
});

test("synthetic held-out questions read from parquet too, same items as the CSV", async () => {
  const pl = await import("nodejs-polars");
  const csvItems = await readSyntheticItems(resolveFromRoot("data/sample/synthetic-eval/held-out.csv"));
  const file = join(dir, "held-out.parquet");
  pl.readCSV(readFileSync(resolveFromRoot("data/sample/synthetic-eval/held-out.csv"), "utf8"), {
    dtypes: { answer: pl.Utf8, difficulty: pl.Utf8 },
  }).writeParquet(file);
  const parquetItems = await readSyntheticItems(file);
  assert.equal(parquetItems, csvItems);
  await readSyntheticItems(join(dir, "held-out.txt")).then(
    () => assert.unreachable(),
    (error: Error) => assert.match(error.message, "expected a .csv or .parquet file"),
  );
});

/** The sample experiment with its apixaban annotations and its outputs in the temp folder. */
async function apixabanLoop() {
  const loopDir = mkdtempSync(join(dir, "loop-"));
  const annotationsFile = join(loopDir, "annotations.csv");
  copyFileSync(resolveFromRoot("data/sample/apixaban/annotations.csv"), annotationsFile);
  const registry = join(loopDir, "datasets.yaml");
  writeFileSync(
    registry,
    [
      "datasets:",
      "  - { id: sample-apixaban, description: a copy, kind: apixaban, format: csv, restricted: false, path: " +
        JSON.stringify(annotationsFile) +
        " }",
      "  - { id: sample-notes, description: sample notes, kind: notes, format: jsonl, restricted: false, path: data/sample/notes.jsonl }",
      "",
    ].join("\n"),
  );
  const sample = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
  const outDir = join(loopDir, "eval");
  const experiment = { ...sample, datasets: registry, eval: { ...sample.eval, outDir } };
  const loaded = await loadEvalTask(experiment, "apixaban");
  writePredictions(
    predictionsPath(outDir, "apixaban", "annotated", "baseline"),
    runBaseline(loaded.items, loaded.noteText),
  );
  const run = async (snapshot?: "keep" | "update") => {
    const changes = await annotationChanges(experiment, "apixaban", ["baseline", "absent"], { snapshot });
    assert.equal(
      changes.map((change) => change.model),
      ["baseline"],
      "one model has predictions; the other is not compared",
    );
    return changes[0];
  };
  return { experiment, annotationsFile, outDir, run };
}

test("annotation loop: the edited CSV is re-read, the diff shows on every re-run against the saved baseline until it is updated", async () => {
  const { annotationsFile, outDir, run } = await apixabanLoop();
  const first = await run();
  assert.equal([first.diff.hadPrevious, first.diff.saved], [false, true]);
  assert.is(first.file, join(outDir, "apixaban", "annotated", "snapshot-baseline.json"));
  assert.ok(existsSync(first.file), "the first evaluation saves the baseline");
  // A reviewer decides S033 has heart failure after all; the same annotationChanges call picks it up.
  const text = readFileSync(annotationsFile, "utf8");
  const edited = text.replace(/^(S033:apx-heart-failure,S033,apx-heart-failure,)no,/m, "$1yes,");
  assert.is.not(edited, text);
  writeFileSync(annotationsFile, edited);
  const fix = [{ itemId: "S033:apx-heart-failure", before: "no", after: "yes" }];
  for (const rerun of [1, 2]) {
    const { diff } = await run();
    assert.equal(diff.changedItems, fix, `re-run ${rerun} shows the fix`);
    assert.ok(diff.metricChanges.some((change) => change.metric === "question.apx-heart-failure.balancedAccuracy"));
    assert.is(diff.saved, false, `re-run ${rerun} keeps the baseline`);
    assert.is(readSnapshot(first.file)?.gold["S033:apx-heart-failure"], "no");
  }
  const accepted = await run("update");
  assert.equal([accepted.diff.changedItems, accepted.diff.saved], [fix, true], "update reports what it accepts");
  assert.equal(snapshotDiffRows(accepted.diff).at(-1), {
    change: "baseline updated: later runs compare with this evaluation",
  });
  const after = await run();
  assert.equal([after.diff.changedItems, after.diff.metricChanges, after.diff.saved], [[], [], false]);
  assert.equal(snapshotDiffRows(after.diff), [{ change: "no change since the saved baseline" }]);
});

test("annotation loop: a bad snapshot mode or a snapshot of another model is an error naming it", async () => {
  const { run } = await apixabanLoop();
  const { file } = await run();
  const current = readSnapshot(file)!;
  assert.throws(
    () => compareWithBaseline(file, current, "overwrite" as "keep"),
    /snapshot must be "keep" or "update", got "overwrite"/,
  );
  assert.throws(
    () => compareWithBaseline(file, { ...current, model: "teacher" }),
    (error: Error) => error.message.startsWith(`${file}: snapshot is for apixaban/baseline, not apixaban/teacher`),
  );
});

test.run();
