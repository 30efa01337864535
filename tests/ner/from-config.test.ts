import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import { type Experiment, loadExperiment } from "../../lib/src/config/experiment.js";
import { createReplayBackend } from "../../lib/src/llm/backends/replay-backend.js";
import { requestKey } from "../../lib/src/llm/request-key.js";
import { runRequests } from "../../lib/src/llm/run-requests.js";
import type { Backend, ModelResult } from "../../lib/src/llm/types.js";
import { combineLabels } from "../../lib/src/ner/combine.js";
import {
  biobertJobsFromConfig,
  biobertResultsFromConfig,
  combineTeachersFromConfig,
  llmServerSpeedRow,
  llmTeacherFromConfig,
  nerPaths,
  ontologyTeacherFromConfig,
  readNotesFromConfig,
  scoreFromConfig,
  speedCostRowsFromConfig,
  studentRows,
  teacherRequestsFromConfig,
  trainStudentsFromConfig,
  writeSampleReplayFromConfig,
  writeTeacherLabelsFromConfig,
} from "../../lib/src/ner/from-config.js";
import { readNerJsonl, writeNerJsonl } from "../../lib/src/ner/jsonl.js";
import { labelsFromResults, type NerAnswer, replayRecordsFor } from "../../lib/src/ner/llm-labeler.js";
import { evaluateEntities } from "../../lib/src/ner/metrics.js";
import { buildOntologyDictionary, labelAll, splitNotes } from "../../lib/src/ner/pipeline.js";
import { costPer1000Notes } from "../../lib/src/ner/speed-cost.js";
import { PerceptronTagger } from "../../lib/src/ner/student.js";
import { readTeacherAnswers } from "../../lib/src/ner/teacher-answers.js";
import { ENTITY_TYPES } from "../../lib/src/ner/types.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { loadProfile } from "../../lib/src/slurm/profile.js";
import { tempDir } from "../helpers/temp-dir.js";

// The notebook's steps on the shipped sample, offline (the sample answers replayed), into a scratch outputDir;
// each step checked against the lower-level functions the notebook called before.
const sample = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
// A small student hash table keeps seven trainings quick; concurrency 3 is checked below.
const experiment: Experiment = {
  ...sample,
  outputDir: tempDir("ner-from-config-"),
  llm: { ...sample.llm, concurrency: 3 },
  ner: { ...sample.ner, student: { ...sample.ner.student, hashBits: 12 } },
};
const paths = nerPaths(experiment);
const cfg = experiment.ner;

/** The replay backend, slowed a little so requests overlap, recording how many were in flight at most. */
async function countingReplay(file: string): Promise<Backend & { maxInFlight: () => number }> {
  const replay = await createReplayBackend([file]);
  let inFlight = 0;
  let max = 0;
  return {
    kind: "custom",
    target: replay.target,
    async complete(request, context) {
      max = Math.max(max, ++inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return await replay.complete(request, context);
      } finally {
        inFlight--;
      }
    },
    maxInFlight: () => max,
  };
}

test("the notebook's steps from the config give what the lower-level functions give", async () => {
  // Notes and split.
  const { human, brat, split, rejects } = await readNotesFromConfig(experiment);
  assert.equal(human.notes.length, 16);
  assert.deepEqual(brat.notes, human.notes);
  assert.equal(rejects.length, 0);
  assert.deepEqual(split, splitNotes(human.notes, { testFraction: 0.4, seed: cfg.data.seed }));
  assert.deepEqual([split.train.length, split.test.length], [10, 6]);

  // The LLM teacher, answered by the replay of the sample answers.
  const replay = await writeSampleReplayFromConfig(experiment, human.notes);
  const recorded = await readTeacherAnswers(resolveFromRoot(cfg.teacher.answers));
  assert.ok(recorded.sample);
  const requests = teacherRequestsFromConfig(cfg, human.notes);
  assert.equal(requests[0].model, cfg.teacher.model);
  assert.equal(requests[0].sampling.max_tokens, cfg.teacher.maxTokens);
  const expectedRecords = replayRecordsFor(requests, recorded.answers, requestKey);
  assert.equal(replay.records, 16);
  assert.deepEqual(
    (await readFile(paths.replay, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line)),
    expectedRecords,
  );
  const backend = await countingReplay(paths.replay);
  const teacher = await llmTeacherFromConfig(experiment, human.notes, { backend, health: false, progress: false });
  assert.equal(backend.maxInFlight(), 3, "the run uses llm.concurrency");
  assert.deepEqual(
    teacher.results.map((result) => result.id),
    human.notes.map((note) => note.id),
  );
  assert.equal(teacher.summary.done, 16);
  const direct: ModelResult<NerAnswer>[] = [];
  for await (const result of runRequests(requests, {
    backend: await createReplayBackend([paths.replay]),
    health: false,
  }))
    direct.push(result);
  const noteIndex = new Map(human.notes.map((note, index) => [note.id, index]));
  direct.sort((a, b) => noteIndex.get(a.id)! - noteIndex.get(b.id)!);
  const llmAll = labelsFromResults(human.notes, direct, { mode: "all" });
  assert.deepEqual(teacher.labels.all, llmAll);
  assert.deepEqual(teacher.labels.context, labelsFromResults(human.notes, direct, { mode: "context" }));
  assert.equal(teacher.labels.all.stats.answered + teacher.labels.all.stats.failed, 16);
  assert.ok(teacher.labels.all.stats.spans > 0);

  // The ontology teacher.
  const ontology = await ontologyTeacherFromConfig(cfg, human.notes);
  const built = await buildOntologyDictionary({
    rxnorm: resolveFromRoot(cfg.ontology.rxnorm),
    rxnormTermTypes: cfg.ontology.rxnormTermTypes,
    snomedDescriptions: resolveFromRoot(cfg.ontology.snomedDescriptions),
    snomedRelationships: resolveFromRoot(cfg.ontology.snomedRelationships),
    snomed: { classifyBy: cfg.ontology.snomedClassifyBy },
  });
  assert.deepEqual(ontology.counts, built.counts);
  assert.deepEqual(
    ontology.labels,
    labelAll(human.notes, (text) => built.dictionary.match(text)),
  );

  // Combining, and the label files.
  const teacherLabels = combineTeachersFromConfig(cfg, {
    llm: teacher.labels.all.labels,
    llmContext: teacher.labels.context.labels,
    ontology: ontology.labels,
  });
  assert.deepEqual([...teacherLabels.keys()], ["llm", "ontology", "union", "intersection", "vote", "llm-context"]);
  assert.deepEqual(teacherLabels.get("union"), combineLabels([llmAll.labels, ontology.labels], "union"));
  assert.deepEqual(
    teacherLabels.get("vote"),
    combineLabels([llmAll.labels, teacher.labels.context.labels, ontology.labels], "vote"),
  );
  const files = await writeTeacherLabelsFromConfig(experiment, human.notes, teacherLabels);
  assert.equal(files.length, 6);
  const unionFile = await readNerJsonl(paths.teacherLabels("union"));
  assert.deepEqual(
    unionFile.notes.map((note) => note.spans),
    human.notes.map((note) => teacherLabels.get("union")!.get(note.id) ?? []),
  );

  // Students: one per label set plus the human-label reference.
  const { trainSets, students } = trainStudentsFromConfig(cfg, split.train, teacherLabels);
  assert.deepEqual([...students.keys()], [...teacherLabels.keys(), "human"]);
  assert.deepEqual(trainSets.get("human"), split.train);
  const unionTrain = split.train.map((note) => ({ ...note, spans: [...teacherLabels.get("union")!.get(note.id)!] }));
  assert.deepEqual(trainSets.get("union"), unionTrain);
  const unionStudent = PerceptronTagger.train(unionTrain, cfg.student);
  assert.deepEqual(
    split.test.map((note) => students.get("union")!.tagger.predict(note.text)),
    split.test.map((note) => unionStudent.tagger.predict(note.text)),
  );
  const rows = studentRows(students);
  assert.equal(rows.find((row) => row.trainedOn === "human")!.notes, 10);
  assert.equal(rows[0].mistakesPerEpoch.split(" ").length, cfg.student.epochs);

  // Scores on the test notes, and reports.json.
  const { reports } = await scoreFromConfig(experiment, split.test, teacherLabels, students);
  assert.equal(reports.size, 13);
  const testIds = new Set(split.test.map((note) => note.id));
  const options = { types: [...ENTITY_TYPES], ...cfg.metrics };
  const ontologyOnTest = new Map([...ontology.labels].filter(([id]) => testIds.has(id)));
  assert.deepEqual(reports.get("teacher:ontology"), evaluateEntities(split.test, ontologyOnTest, options));
  const unionPredicted = labelAll(split.test, (text) => unionStudent.tagger.predict(text));
  assert.deepEqual(reports.get("student(TS):union"), evaluateEntities(split.test, unionPredicted, options));
  const written = JSON.parse(await readFile(paths.reports, "utf8"));
  assert.deepEqual(Object.keys(written), [...reports.keys()]);
  assert.equal(written["teacher:llm"].strict.micro.f1, reports.get("teacher:llm")!.strict.micro.f1);

  // Speed and cost.
  const speedRows = speedCostRowsFromConfig(
    cfg,
    split.test,
    { ontology: (text) => ontology.dictionary.match(text) },
    teacher.labels.all.stats,
  );
  assert.deepEqual(
    speedRows.map((row) => row.system),
    ["ontology", "LLM teacher"],
  );
  assert.ok(speedRows[0].notesPerSecond! > 0);
  const stats = llmAll.stats;
  const llmCost = costPer1000Notes(
    {
      kind: "tokens",
      usdPerMillionInput: cfg.prices.llmUsdPerMillionInputTokens,
      usdPerMillionOutput: cfg.prices.llmUsdPerMillionOutputTokens,
    },
    {
      promptTokensPerNote: stats.promptTokens / stats.answered,
      completionTokensPerNote: stats.completionTokens / stats.answered,
    },
  );
  assert.ok(llmCost! > 0);
  assert.equal(speedRows[1].costPer1000Notes, llmCost);
  assert.equal(speedRows[1].notesPerSecond, undefined);

  // BioBERT: the training file and rendered jobs, then its (here: perfect) predictions scored.
  const biobert = await biobertJobsFromConfig(experiment, trainSets.get("union")!, loadProfile("a100-8x"));
  assert.deepEqual((await readNerJsonl(biobert.trainFile)).notes, unionTrain);
  assert.match(biobert.trainJob.script, /ner_train\.py/);
  assert.ok(biobert.trainJob.script.includes(cfg.biobert.model));
  assert.match(biobert.predictJob.script, /ner_predict\.py/);
  await writeNerJsonl(join(biobert.outputDir, "predictions.jsonl"), human.notes);
  const timing = { notes_per_second: 40, tokens_per_second: 4000, device: "cuda:0" };
  await writeFile(join(biobert.outputDir, "predictions.jsonl.timing.json"), JSON.stringify(timing));
  const biobertResults = await biobertResultsFromConfig(experiment, split.test);
  assert.equal(biobertResults.report.strict.micro.f1, 1);
  assert.equal(biobertResults.speedRow.costPer1000Notes, (cfg.prices.gpuUsdPerHour * 1000) / 40 / 3600);
  assert.equal(biobertResults.speedRow.basis, "measured by ner_predict.py on cuda:0");
});

test("the LLM server's row: notes answered over the run's wall time, priced per GPU hour", () => {
  const row = llmServerSpeedRow(experiment, 16, { elapsedMs: 8000 });
  assert.equal(row.system, `LLM teacher (${experiment.llm.model})`);
  assert.equal(row.notesPerSecond, 2);
  const usdPerHour = cfg.prices.llmServerGpus * cfg.prices.gpuUsdPerHour;
  assert.equal(row.costPer1000Notes, (usdPerHour * 1000) / 2 / 3600);
});

test.run();
