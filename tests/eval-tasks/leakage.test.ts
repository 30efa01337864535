import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Experiment, loadExperiment } from "../../lib/src/config/experiment.js";
import { LeakageError, readTrainingNoteIds } from "../../lib/src/eval/tasks/leakage.js";
import { loadEvalTask } from "../../lib/src/eval/tasks/load-task.js";
import { createReplayBackend } from "../../lib/src/llm/backends/replay-backend.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { generateFromConfig, postProcessFromConfig, prepareFromConfig } from "../../lib/src/synth/from-config.js";
import { tempDir } from "../helpers/temp-dir.js";

const scratch = tempDir("leakage-");
const sample = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));

let counter = 0;
/**
 * A scratch world: a notes file, a held-out file and a step-c training split (train.jsonl or
 * parquet shards) with the given note ids, and an experiment pointing at them.
 */
async function world(options: {
  notes: { note_id: string; text: string }[];
  heldOut: [itemId: string, noteId: string][];
  trainNotes?: string[];
  parquet?: boolean;
  overlap?: { allow: boolean; reason?: string };
  /** Apixaban annotations (note id, question id, gold), registered as dataset "a". */
  annotations?: [noteId: string, questionId: string, gold: string][];
}): Promise<Experiment> {
  const dir = join(scratch, `w${++counter}`);
  mkdirSync(join(dir, "eval"), { recursive: true });
  const notesFile = join(dir, "notes.jsonl");
  const lines = options.notes.map((note) =>
    JSON.stringify({ patient_id: "P", note_type: "progress_note", date: "2131-01-01", ...note }),
  );
  writeFileSync(notesFile, `${lines.join("\n")}\n`);
  const rows = options.heldOut.map(([item, note]) => `${item},${note},boolean,Is it so?,Yes`);
  writeFileSync(
    join(dir, "eval", "held-out.csv"),
    `item_id,note_id,question_type,question,answer\n${rows.join("\n")}\n`,
  );
  writeFileSync(
    join(dir, "datasets.yaml"),
    [
      "datasets:",
      `  - { id: n, description: d, kind: notes, format: jsonl, path: ${notesFile}, restricted: false }`,
      `  - { id: e, description: d, kind: synthetic-eval, format: csv, path: ${join(dir, "eval")}, restricted: false }`,
      `  - { id: a, description: d, kind: apixaban, format: csv, path: ${join(dir, "annotations.csv")}, restricted: false }`,
    ].join("\n"),
  );
  const annotationRows = (options.annotations ?? []).map(([note, q, gold]) => `${note}:${q},${note},${q},${gold},x,`);
  writeFileSync(
    join(dir, "annotations.csv"),
    `item_id,note_id,question_id,gold,annotator,comment\n${annotationRows.join("\n")}\n`,
  );
  if (options.trainNotes) {
    const split = join(dir, "synth", "dataset");
    mkdirSync(join(split, "data"), { recursive: true });
    if (options.parquet) {
      const pl = await import("nodejs-polars");
      pl.DataFrame({ note_id: options.trainNotes, question: options.trainNotes.map(() => "q") }).writeParquet(
        join(split, "data", "train-00000-of-00001.parquet"),
      );
    } else {
      const lines = options.trainNotes.map((id) => JSON.stringify({ question_id: `q-${id}`, note_id: id }));
      writeFileSync(join(split, "train.jsonl"), `${lines.join("\n")}\n`);
    }
  }
  return {
    ...sample,
    datasets: join(dir, "datasets.yaml"),
    synth: { ...sample.synth, notes: notesFile, outDir: join(dir, "synth") },
    eval: {
      ...sample.eval,
      synthetic: { ...sample.eval.synthetic, dataset: "e", notes: "n" },
      apixaban: { dataset: "a", notes: "n" },
      trainingOverlap: options.overlap ?? { allow: false },
    },
  };
}

async function refusal(experiment: Experiment, task: "synthetic" | "apixaban" = "synthetic"): Promise<LeakageError> {
  try {
    await loadEvalTask(experiment, task);
  } catch (error) {
    assert.instance(error, LeakageError);
    return error as LeakageError;
  }
  assert.unreachable("expected a LeakageError");
  throw new Error("unreachable");
}

const threeNotes = [
  { note_id: "A", text: "Patient A.\nHbA1c 7.1%." },
  { note_id: "B", text: "Patient B. Creatinine 1.4." },
  { note_id: "C", text: "Patient C. No labs." },
];

test("a held-out note in the training split (by id) is refused, naming the note and the count", async () => {
  const experiment = await world({
    notes: threeNotes,
    heldOut: [
      ["i1", "A"],
      ["i2", "A"],
      ["i3", "C"],
    ],
    trainNotes: ["A", "B"],
  });
  const error = await refusal(experiment);
  assert.match(error.message, "1 of 2 evaluated notes (2 items) are in the training split");
  assert.match(error.message, ": A.");
  assert.match(error.message, "train.jsonl");
  assert.match(error.message, "eval.trainingOverlap");
  assert.equal(error.report.overlaps, [{ noteId: "A", via: "id", trainingNoteId: "A", items: 2 }]);
});

test("the same text under another id is refused too (whitespace and compatibility forms aside)", async () => {
  const copy = { note_id: "A-copy", text: "  Patient\u00a0A.   HbA1c 7.1%.\r\n" };
  const experiment = await world({
    notes: [...threeNotes, copy],
    heldOut: [
      ["i1", "A-copy"],
      ["i2", "C"],
    ],
    trainNotes: ["A", "B"],
    parquet: true,
  });
  const error = await refusal(experiment);
  assert.match(error.message, "A-copy (same text as training note A)");
  assert.match(error.message, "train-00000-of-00001.parquet");
  assert.is(error.report.overlappingNotes, 1);
  assert.is(error.report.overlaps[0].via, "text");
});

test("the override lets it run and is recorded with the overlap and the reason", async () => {
  const experiment = await world({
    notes: threeNotes,
    heldOut: [
      ["i1", "A"],
      ["i2", "C"],
    ],
    trainNotes: ["A"],
    overlap: { allow: true, reason: "memorisation probe" },
  });
  const loaded = await loadEvalTask(experiment, "synthetic");
  assert.is(loaded.items.length, 2);
  assert.is(loaded.leakage?.checked, true);
  assert.is(loaded.leakage?.overlappingNotes, 1);
  assert.is(loaded.leakage?.overlappingItems, 1);
  assert.is(loaded.leakage?.overridden, true);
  assert.is(loaded.leakage?.reason, "memorisation probe");
});

test("train.jsonl: a byte order mark is skipped, as in notes files; a bad line is named by its line number", async () => {
  const dir = join(scratch, "bom");
  mkdirSync(dir, { recursive: true });
  const train = join(dir, "train.jsonl");
  writeFileSync(train, `\ufeff${JSON.stringify({ note_id: "A" })}\n\n${JSON.stringify({ note_id: "B" })}\n`);
  assert.equal([...((await readTrainingNoteIds(dir))?.ids ?? [])], ["A", "B"]);
  writeFileSync(train, `\ufeff${JSON.stringify({ note_id: "A" })}\n\n{"question_id":"q"}\n`);
  try {
    await readTrainingNoteIds(dir);
    assert.unreachable("a line without note_id should fail");
  } catch (error) {
    assert.is((error as Error).message, `${train}: line 3: no note_id`);
  }
});

test("without a training split the report says it was not checked, and why", async () => {
  const experiment = await world({ notes: threeNotes, heldOut: [["i1", "A"]] });
  const loaded = await loadEvalTask(experiment, "synthetic");
  assert.is(loaded.leakage?.checked, false);
  assert.match(loaded.leakage?.unchecked ?? "", "no training split found");
  assert.is(loaded.leakage?.overridden, false);
});

test("the sample's held-out and reviewed sets pass the guard against the sample's own step c split", async () => {
  const outDir = join(scratch, "sample-synth");
  const experiment: Experiment = { ...sample, synth: { ...sample.synth, outDir } };
  const backend = await createReplayBackend([resolveFromRoot("data/sample/teacher-responses/replay.jsonl")]);
  await generateFromConfig(experiment, { backend, health: false });
  await postProcessFromConfig(experiment);
  const prepared = await prepareFromConfig(experiment);
  for (const subset of ["held-out", "reviewed"]) {
    const loaded = await loadEvalTask(experiment, "synthetic", { subset });
    assert.is(loaded.leakage?.checked, true);
    // The one folder step c writes, its training shards: every variant's training notes.
    assert.equal(
      loaded.leakage?.trainingSplits,
      prepared.stats.splits.train.files.map((file) => join(prepared.outDir, file)),
    );
    assert.is(loaded.leakage?.trainingNotes, prepared.stats.splits.train.notes);
    assert.is(loaded.leakage?.overlappingNotes, 0, JSON.stringify(loaded.leakage?.overlaps));
  }
  // The same split with the held-out file as it shipped before (questions about training notes S001, S004).
  const before = join(scratch, "sample-eval-before");
  cpSync(resolveFromRoot("data/sample/synthetic-eval"), before, { recursive: true });
  const leaked = readFileSync(join(before, "held-out.csv"), "utf8").replace(/S006/g, "S001").replace(/S008/g, "S004");
  writeFileSync(join(before, "held-out.csv"), leaked);
  const registry = join(scratch, "sample-registry.yaml");
  writeFileSync(
    registry,
    `${readFileSync(resolveFromRoot(sample.datasets), "utf8")}\n  - { id: before, description: d, kind: synthetic-eval, format: csv, path: ${before}, restricted: false }\n`,
  );
  const error = await refusal({
    ...experiment,
    datasets: registry,
    eval: { ...experiment.eval, synthetic: { ...experiment.eval.synthetic, dataset: "before" } },
  });
  assert.match(error.message, "2 of 4 evaluated notes (12 items)");
  assert.equal(
    error.report.overlaps.map((o) => o.noteId),
    ["S001", "S004"],
  );
});

test("apixaban: an annotated note in the training split, by id or by text, is refused; the override is recorded", async () => {
  const copy = { note_id: "B-copy", text: "Patient B.  Creatinine 1.4.\n" };
  const options = {
    notes: [...threeNotes, copy],
    heldOut: [] as [string, string][],
    annotations: [
      ["A", "apx-afib", "yes"],
      ["A", "apx-age", "71"],
      ["B-copy", "apx-afib", "no"],
      ["C", "apx-afib", "no"],
    ] as [string, string, string][],
    trainNotes: ["A", "B"],
  };
  const error = await refusal(await world(options), "apixaban");
  assert.match(error.message, "apixaban annotations");
  assert.match(error.message, "2 of 3 evaluated notes (3 items) are in the training split");
  assert.match(error.message, "B-copy (same text as training note B)");
  assert.equal(
    error.report.overlaps.map((o) => [o.noteId, o.via, o.items]),
    [
      ["A", "id", 2],
      ["B-copy", "text", 1],
    ],
  );
  const allowed = await loadEvalTask(
    await world({ ...options, overlap: { allow: true, reason: "checking memorisation" } }),
    "apixaban",
  );
  assert.is(allowed.items.length, 4);
  assert.is(allowed.leakage?.overridden, true);
  assert.is(allowed.leakage?.reason, "checking memorisation");
  assert.is(allowed.leakage?.overlappingItems, 3);
  const clean = await loadEvalTask(await world({ ...options, trainNotes: ["Z"] }), "apixaban");
  assert.is(clean.leakage?.checked, true);
  assert.is(clean.leakage?.overlappingNotes, 0);
});

test("apixaban: the sample annotations pass the guard against the sample's step c split; as shipped before, they did not", async () => {
  const outDir = join(scratch, "sample-synth-apixaban");
  const experiment: Experiment = { ...sample, synth: { ...sample.synth, outDir } };
  const backend = await createReplayBackend([resolveFromRoot("data/sample/teacher-responses/replay.jsonl")]);
  await generateFromConfig(experiment, { backend, health: false });
  await postProcessFromConfig(experiment);
  await prepareFromConfig(experiment);
  const loaded = await loadEvalTask(experiment, "apixaban");
  assert.is(loaded.items.length, 92);
  assert.is(loaded.leakage?.checked, true);
  assert.ok((loaded.leakage?.trainingNotes ?? 0) > 0);
  assert.is(loaded.leakage?.overlappingNotes, 0, JSON.stringify(loaded.leakage?.overlaps));
  // The annotations as they shipped before: notes S001 and S004 (step c training notes) in place of S032, S033.
  const before = join(scratch, "apixaban-before.csv");
  writeFileSync(
    before,
    readFileSync(resolveFromRoot("data/sample/apixaban/annotations.csv"), "utf8")
      .replace(/S032/g, "S001")
      .replace(/S033/g, "S004"),
  );
  const registry = join(scratch, "apixaban-registry.yaml");
  writeFileSync(
    registry,
    `${readFileSync(resolveFromRoot(sample.datasets), "utf8")}\n  - { id: before, description: d, kind: apixaban, format: csv, path: ${before}, restricted: false }\n`,
  );
  const error = await refusal(
    {
      ...experiment,
      datasets: registry,
      eval: { ...experiment.eval, apixaban: { ...experiment.eval.apixaban, dataset: "before" } },
    },
    "apixaban",
  );
  assert.match(error.message, "2 of 4 evaluated notes (46 items)");
  assert.equal(
    error.report.overlaps.map((o) => o.noteId),
    ["S001", "S004"],
  );
});

test.run();
