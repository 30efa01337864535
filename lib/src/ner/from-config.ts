import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Experiment } from "../config/experiment.js";
import type { NerSection } from "../config/sections/ner.js";
import { requestKey } from "../llm/request-key.js";
import { type RunOptions, runRequests } from "../llm/run-requests.js";
import type { RunSummary } from "../llm/run-summary.js";
import type { ModelResult } from "../llm/types.js";
import { resolveFromRoot } from "../paths.js";
import { renderCommandJob } from "../slurm/jobs.js";
import type { ClusterProfile } from "../slurm/profile.js";
import { biobertArgv } from "./biobert.js";
import { readBratDir } from "./brat.js";
import { combineLabels, type LabelSet } from "./combine.js";
import type { SpeedCostRow } from "./figures.js";
import { readNerJsonl, writeNerJsonl } from "./jsonl.js";
import { buildNerRequest, labelsFromResults, type NerAnswer, replayRecordsFor } from "./llm-labeler.js";
import { type EntityReport, type EvaluateOptions, evaluateEntities } from "./metrics.js";
import { buildOntologyDictionary, labelAll, splitNotes } from "./pipeline.js";
import { costPer1000Notes, measureThroughput, type Price } from "./speed-cost.js";
import { PerceptronTagger } from "./student.js";
import { readTeacherAnswers } from "./teacher-answers.js";
import { ENTITY_TYPES, type NerNote } from "./types.js";

type NerExperiment = Pick<Experiment, "outputDir" | "ner">;

/** Where each step reads and writes, from the `ner:` section and `outputDir` (absolute paths). */
export function nerPaths(experiment: NerExperiment) {
  const section = experiment.ner;
  const out = resolveFromRoot(experiment.outputDir, "ner");
  return {
    notes: resolveFromRoot(section.data.notes),
    bratDir: resolveFromRoot(section.data.bratDir),
    teacherAnswers: resolveFromRoot(section.teacher.answers),
    outDir: out,
    replay: join(out, "teacher-replay.jsonl"),
    teacherLabels: (name: string) => join(out, `teacher-${name}.jsonl`),
    student: (name: string) => join(out, `student-${name}.json`),
    reports: join(out, "reports.json"),
    biobertTrain: join(out, "biobert-train.jsonl"),
    biobertDir: join(out, "biobert"),
  };
}

/** The human-labelled notes (JSONL and the BRAT copy) and their seeded split by note. */
export async function readNotesFromConfig(experiment: NerExperiment) {
  const { data } = experiment.ner;
  const paths = nerPaths(experiment);
  const human = await readNerJsonl(paths.notes);
  const brat = await readBratDir(paths.bratDir, { typeMap: data.typeMap, ignoreTypes: data.ignoreTypes });
  const split = splitNotes(human.notes, { testFraction: data.testFraction, seed: data.seed });
  return { human, brat, split, rejects: [...human.rejects, ...brat.rejects] };
}

/** One LLM-teacher request per note, with the `ner.teacher` model and sampling. */
export function teacherRequestsFromConfig(section: NerSection, notes: readonly Pick<NerNote, "id" | "text">[]) {
  const sampling = { temperature: section.teacher.temperature, max_tokens: section.teacher.maxTokens };
  return notes.map((note) => buildNerRequest(note, { model: section.teacher.model, sampling }));
}

/**
 * The recorded teacher answers (`ner.teacher.answers`) written as a replay file for these notes' requests,
 * so the replay backend answers the real requests offline.
 */
export async function writeSampleReplayFromConfig(experiment: NerExperiment, notes: readonly NerNote[]) {
  const paths = nerPaths(experiment);
  const recorded = await readTeacherAnswers(paths.teacherAnswers);
  const records = replayRecordsFor(teacherRequestsFromConfig(experiment.ner, notes), recorded.answers, requestKey);
  await mkdir(dirname(paths.replay), { recursive: true });
  await writeFile(paths.replay, `${records.map((record) => JSON.stringify(record)).join("\n")}\n`);
  return { recorded, records: records.length, replayFile: paths.replay };
}

/**
 * The LLM teacher: one request per note through the LLM layer, aligned both ways ("all" and "context").
 * `run` comes from the LLM layer (a backend, or llm.llmFromConfig(...).options); concurrency defaults to
 * `llm.concurrency`. Results are returned in note order, whatever order they completed in.
 */
export async function llmTeacherFromConfig(
  experiment: Pick<Experiment, "ner" | "llm">,
  notes: readonly NerNote[],
  run: RunOptions,
) {
  const requests = teacherRequestsFromConfig(experiment.ner, notes);
  const stream = runRequests(requests, { concurrency: experiment.llm.concurrency, ...run });
  const results: ModelResult<NerAnswer>[] = [];
  for await (const result of stream) results.push(result);
  const order = new Map(requests.map((request, index) => [request.id, index]));
  results.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const summary: RunSummary = stream.summary();
  return {
    requests,
    results,
    summary,
    labels: {
      all: labelsFromResults(notes, results, { mode: "all" }),
      context: labelsFromResults(notes, results, { mode: "context" }),
    },
  };
}

/** The ontology teacher from `ner.ontology` (RxNorm + SNOMED CT dictionary) and its labels for the notes. */
export async function ontologyTeacherFromConfig(section: NerSection, notes: readonly Pick<NerNote, "id" | "text">[]) {
  const ontology = await ontologyFromConfig(section);
  return { ...ontology, labels: labelAll(notes, (text) => ontology.dictionary.match(text)) };
}

/**
 * The ontology teacher's dictionary from `ner.ontology` (RxNorm + SNOMED CT files resolved from the project
 * root; the relationship file is read only when SNOMED terms are classified by is-a).
 */
export function ontologyFromConfig(section: NerSection) {
  const onto = section.ontology;
  return buildOntologyDictionary({
    rxnorm: resolveFromRoot(onto.rxnorm),
    rxnormTermTypes: onto.rxnormTermTypes,
    snomedDescriptions: resolveFromRoot(onto.snomedDescriptions),
    snomedRelationships: onto.snomedClassifyBy === "is-a" ? resolveFromRoot(onto.snomedRelationships) : undefined,
    snomed: { classifyBy: onto.snomedClassifyBy, diseaseRoots: onto.diseaseRoots, symptomRoots: onto.symptomRoots },
    dictionary: { minTermChars: onto.minTermChars, stopTerms: onto.stopTerms },
  });
}

export interface TeacherLabelSets {
  /** LLM labels aligned to every occurrence. */
  llm: LabelSet;
  /** LLM labels aligned by context phrase. */
  llmContext: LabelSet;
  ontology: LabelSet;
}

/**
 * The teacher label sets `ner.combine.modes` lists, in that order, plus "llm-context". The vote is over
 * three sets (the LLM's with both alignments, and the ontology's).
 */
export function combineTeachersFromConfig(section: NerSection, teachers: TeacherLabelSets): Map<string, LabelSet> {
  const both = [teachers.llm, teachers.ontology];
  const build = {
    llm: () => teachers.llm,
    ontology: () => teachers.ontology,
    union: () => combineLabels(both, "union"),
    intersection: () => combineLabels(both, "intersection"),
    vote: () =>
      combineLabels([teachers.llm, teachers.llmContext, teachers.ontology], "vote", {
        minVotes: section.combine.minVotes,
      }),
  };
  const sets = new Map<string, LabelSet>(section.combine.modes.map((mode) => [mode, build[mode]()]));
  sets.set("llm-context", teachers.llmContext);
  return sets;
}

/** The notes with a label set's spans; notes it did not label are left out (never trained on as empty). */
function withLabels(notes: readonly NerNote[], labels: LabelSet): NerNote[] {
  return notes.filter((note) => labels.has(note.id)).map((note) => ({ ...note, spans: [...labels.get(note.id)!] }));
}

/** Each teacher's labels as NER JSONL (`teacher-<name>.jsonl`); a note it did not label has no spans. */
export async function writeTeacherLabelsFromConfig(
  experiment: NerExperiment,
  notes: readonly NerNote[],
  teacherLabels: ReadonlyMap<string, LabelSet>,
): Promise<string[]> {
  const paths = nerPaths(experiment);
  const files = [];
  for (const [name, labels] of teacherLabels) {
    files.push(paths.teacherLabels(name));
    await writeNerJsonl(
      paths.teacherLabels(name),
      notes.map((note) => ({ ...note, spans: [...(labels.get(note.id) ?? [])] })),
    );
  }
  return files;
}

export type TrainedStudent = ReturnType<typeof PerceptronTagger.train>;

/** A TS student per teacher label set on the training notes, and one on the human labels ("human"). */
export function trainStudentsFromConfig(
  section: NerSection,
  train: readonly NerNote[],
  teacherLabels: ReadonlyMap<string, LabelSet>,
) {
  const trainSets = new Map<string, NerNote[]>();
  for (const [name, labels] of teacherLabels) trainSets.set(name, withLabels(train, labels));
  trainSets.set("human", [...train]);
  const students = new Map<string, TrainedStudent>();
  for (const [name, notes] of trainSets) students.set(name, PerceptronTagger.train(notes, section.student));
  return { trainSets, students };
}

/** One table row per student: what it learnt from and how training went. */
export function studentRows(students: ReadonlyMap<string, TrainedStudent>) {
  return [...students].map(([name, s]) => ({
    trainedOn: name,
    notes: s.stats.notes,
    tokens: s.stats.tokens,
    mistakesPerEpoch: s.stats.mistakesPerEpoch.join(" "),
    seconds: s.stats.seconds.toFixed(2),
  }));
}

/** Scoring options from `ner.metrics`, over every entity type. */
export function evaluateOptions(section: NerSection): EvaluateOptions {
  return { types: [...ENTITY_TYPES], ...section.metrics };
}

/**
 * Score every teacher (`teacher:<name>`) and TS student (`student(TS):<name>`) against the human spans of
 * the test notes, and write the reports to `reports.json`.
 */
export async function scoreFromConfig(
  experiment: NerExperiment,
  test: readonly NerNote[],
  teacherLabels: ReadonlyMap<string, LabelSet>,
  students: ReadonlyMap<string, TrainedStudent>,
) {
  const testIds = new Set(test.map((note) => note.id));
  const systems = new Map<string, LabelSet>();
  for (const [name, labels] of teacherLabels) systems.set(`teacher:${name}`, labels);
  for (const [name, s] of students)
    systems.set(
      `student(TS):${name}`,
      labelAll(test, (text) => s.tagger.predict(text)),
    );
  const reports = new Map<string, EntityReport>();
  for (const [name, labels] of systems) {
    const onTest = new Map([...labels].filter(([id]) => testIds.has(id)));
    reports.set(name, evaluateEntities(test, onTest, evaluateOptions(experiment.ner)));
  }
  const reportsFile = nerPaths(experiment).reports;
  await mkdir(dirname(reportsFile), { recursive: true });
  await writeFile(reportsFile, JSON.stringify(Object.fromEntries(reports), null, 2));
  return { systems, reports, reportsFile };
}

export type SpeedRow = SpeedCostRow & { tokensPerSecond?: number };

/**
 * Speed and cost per 1,000 notes: each labeler timed here on one CPU core over the notes and priced at
 * `ner.prices.cpuCoreUsdPerHour`, then the LLM teacher, whose answers were replayed (speed not measured),
 * priced from its token counts at the `ner.prices.llm*` token prices.
 */
export function speedCostRowsFromConfig(
  section: NerSection,
  notes: readonly Pick<NerNote, "text">[],
  labelers: Record<string, (text: string) => unknown>,
  llmStats: { answered: number; promptTokens: number; completionTokens: number },
): SpeedRow[] {
  const texts = notes.map((note) => note.text);
  const cpu: Price = { kind: "hourly", usdPerHour: section.prices.cpuCoreUsdPerHour };
  const llmPrice: Price = {
    kind: "tokens",
    usdPerMillionInput: section.prices.llmUsdPerMillionInputTokens,
    usdPerMillionOutput: section.prices.llmUsdPerMillionOutputTokens,
  };
  const timed = Object.entries(labelers).map(([system, label]) => {
    const t = measureThroughput(texts, label);
    return {
      system,
      notesPerSecond: t.notesPerSecond,
      tokensPerSecond: t.tokensPerSecond,
      costPer1000Notes: costPer1000Notes(cpu, t),
      basis: "measured here, one CPU core",
    };
  });
  const perNote = {
    promptTokensPerNote: llmStats.promptTokens / llmStats.answered,
    completionTokensPerNote: llmStats.completionTokens / llmStats.answered,
  };
  return [
    ...timed,
    {
      system: "LLM teacher",
      notesPerSecond: undefined,
      tokensPerSecond: undefined,
      basis: "replayed SAMPLE answers: speed not measured; cost from estimated tokens",
      costPer1000Notes: costPer1000Notes(llmPrice, perNote),
    },
  ];
}

/**
 * The LLM teacher's row as measured on the vLLM server: notes answered over the run's wall time, priced at
 * `ner.prices.llmServerGpus` x `gpuUsdPerHour`.
 */
export function llmServerSpeedRow(
  experiment: Pick<Experiment, "ner" | "llm">,
  answered: number,
  summary: Pick<RunSummary, "elapsedMs">,
): SpeedRow {
  const notesPerSecond = answered / (summary.elapsedMs / 1000);
  const prices = experiment.ner.prices;
  const price: Price = { kind: "hourly", usdPerHour: prices.llmServerGpus * prices.gpuUsdPerHour };
  return {
    system: `LLM teacher (${experiment.llm.model})`,
    notesPerSecond,
    costPer1000Notes: costPer1000Notes(price, { notesPerSecond }),
    basis: "measured on the vLLM server (only a run without cache hits is a fair timing)",
  };
}

/**
 * The BioBERT student's training labels (`biobert-train.jsonl`) and its two SLURM jobs (fine-tune, label
 * the notes) on one GPU of `profile`, rendered from `ner.biobert`; nothing is submitted.
 */
export async function biobertJobsFromConfig(
  experiment: Experiment,
  train: readonly NerNote[],
  profile: ClusterProfile,
  scriptsDir = resolveFromRoot("slurm"),
) {
  const paths = nerPaths(experiment);
  await writeNerJsonl(paths.biobertTrain, train);
  const argv = biobertArgv(
    experiment.ner,
    { train: paths.biobertTrain, notes: paths.notes, outputDir: paths.biobertDir },
    profile.python,
    scriptsDir,
  );
  const resources = { gpus: 1, cpusPerTask: 8, mem: "32G", time: "04:00:00" };
  const job = (name: string, summary: string, command: readonly (string | number)[]) =>
    renderCommandJob(experiment, command, { profile, name, summary, resources });
  return {
    trainFile: paths.biobertTrain,
    outputDir: paths.biobertDir,
    trainJob: job("ner-biobert-train", "BioBERT NER student: fine-tune", argv.train),
    predictJob: job("ner-biobert-predict", "BioBERT NER student: label notes", argv.predict),
  };
}

/**
 * After the BioBERT jobs: its predictions scored on the test notes, and its speed row from the timing
 * ner_predict.py wrote on the GPU, priced at `ner.prices.gpuUsdPerHour`.
 */
export async function biobertResultsFromConfig(
  experiment: NerExperiment,
  test: readonly NerNote[],
  system = "student(BioBERT):union",
) {
  const dir = nerPaths(experiment).biobertDir;
  const testIds = new Set(test.map((note) => note.id));
  const predictions = await readNerJsonl(join(dir, "predictions.jsonl"));
  const onTest = new Map(predictions.notes.filter((note) => testIds.has(note.id)).map((note) => [note.id, note.spans]));
  const report = evaluateEntities(test, onTest, evaluateOptions(experiment.ner));
  const timing = JSON.parse(await readFile(join(dir, "predictions.jsonl.timing.json"), "utf8"));
  const gpu: Price = { kind: "hourly", usdPerHour: experiment.ner.prices.gpuUsdPerHour };
  const speedRow: SpeedRow = {
    system,
    notesPerSecond: timing.notes_per_second,
    tokensPerSecond: timing.tokens_per_second,
    costPer1000Notes: costPer1000Notes(gpu, { notesPerSecond: timing.notes_per_second }),
    basis: `measured by ner_predict.py on ${timing.device}`,
  };
  return { report, speedRow };
}
