import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadDatasetRegistry, type ResolvedDataset, resolveDataset } from "../../config/datasets.js";
import type { Experiment } from "../../config/experiment.js";
import { bootstrapSettings } from "../../config/sections/eval.js";
import { readN2c2Dir } from "../../data/n2c2.js";
import { readNotes } from "../../data/notes.js";
import { synthPaths } from "../../synth/from-config.js";
import type { Tolerance } from "../match-answer.js";
import { apixabanItems, readApixabanAnnotations } from "./annotations.js";
import { APIXABAN_QUESTIONS } from "./apixaban-questions.js";
import type { EvaluateOptions } from "./evaluate.js";
import { guardLeakage, type LeakageReport, loadTrainingNotes } from "./leakage.js";
import { type N2c2Split, n2c2Items } from "./n2c2-items.js";
import { N2C2_QUESTIONS, type N2c2Thresholds } from "./n2c2-questions.js";
import { readReviewedLabels, readSyntheticItems, reviewedItems } from "./synthetic.js";
import type { EvalItem, EvalQuestion, EvalTaskName } from "./types.js";

/**
 * Everything one evaluation needs, loaded from the experiment config and the dataset registry:
 * the items, the text of the notes they ask about (kept in memory only, never written out), the
 * task's fixed question list, and whether the data is restricted (then nothing derived from note
 * text may be shown).
 */
export interface LoadedTask {
  task: EvalTaskName;
  /** Subset name: n2c2 split, or synthetic "held-out" / "reviewed". */
  subset: string;
  items: EvalItem[];
  questions?: readonly EvalQuestion[];
  noteText: (noteId: string) => string | undefined;
  /** Number of notes (or n2c2 patients) loaded. */
  notes: number;
  dataset: { id: string; path: string; restricted: boolean };
  /** Options for evaluate()/evaluateFile() from the config (tolerance, thresholds, bootstrap, questions). */
  evaluateOptions: EvaluateOptions;
  /** Apixaban and synthetic tasks: overlap of the evaluated notes with step c's training split (see leakage.ts). */
  leakage?: LeakageReport;
}

export interface LoadTaskOptions {
  /** n2c2: which split (default test). Synthetic: "held-out" (default) or "reviewed". */
  subset?: string;
}

function dataset(experiment: Experiment, id: string): ResolvedDataset {
  return resolveDataset(loadDatasetRegistry(experiment.datasets), id, { registryFile: experiment.datasets });
}

/** Notes by id, reading only the notes the items need (the notes file may be all of MIMIC-IV). */
async function loadNoteTexts(file: string, needed: ReadonlySet<string>): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for await (const note of readNotes(file)) {
    if (needed.has(note.note_id)) texts.set(note.note_id, note.text);
  }
  return texts;
}

function options(experiment: Experiment, questions?: readonly EvalQuestion[]): EvaluateOptions {
  const section = experiment.eval;
  const thresholds: N2c2Thresholds = {
    creatinineAbove: section.n2c2.creatinineAbove,
    hba1cRange: section.n2c2.hba1cRange,
  };
  const tolerance: Tolerance = section.numericTolerance;
  return {
    tolerance,
    thresholds,
    bootstrap: bootstrapSettings(section, experiment.seed),
    ...(questions ? { questions } : {}),
  };
}

/**
 * The leakage guard against the training split of every variant step c writes: a note of these items in
 * any of them (by id, or by normalised text under another id) is refused unless eval.trainingOverlap allows it.
 */
async function guardAgainstTraining(
  experiment: Experiment,
  items: readonly EvalItem[],
  texts: ReadonlyMap<string, string>,
  what: string,
): Promise<LeakageReport> {
  const paths = synthPaths(experiment.synth);
  const datasetDirs = experiment.synth.prepare.variants.map((variant) => paths.dataset(variant));
  return guardLeakage(items, (id) => texts.get(id), await loadTrainingNotes(datasetDirs, paths.notes), {
    what,
    override: experiment.eval.trainingOverlap,
    lookedIn: datasetDirs,
  });
}

/** Load one task's items and notes as the experiment config says. */
export async function loadEvalTask(
  experiment: Experiment,
  task: EvalTaskName,
  loadOptions: LoadTaskOptions = {},
): Promise<LoadedTask> {
  const section = experiment.eval;
  if (task === "n2c2") {
    const split = (loadOptions.subset ?? "test") as N2c2Split;
    if (split !== "train" && split !== "test") throw new Error(`n2c2 subset must be train or test, got "${split}"`);
    const source = dataset(experiment, section.n2c2.dataset);
    const dir = source.splitPaths[split] ?? join(source.resolvedPath, split);
    const patients = await readN2c2Dir(dir);
    const texts = new Map(patients.map((patient) => [patient.patientId, patient.text]));
    return {
      task,
      subset: split,
      items: n2c2Items(patients, split),
      questions: N2C2_QUESTIONS,
      noteText: (id) => texts.get(id),
      notes: patients.length,
      dataset: { id: source.id, path: dir, restricted: source.restricted },
      evaluateOptions: { ...options(experiment, N2C2_QUESTIONS), labels: ["met", "not met"] },
    };
  }
  if (task === "apixaban") {
    const source = dataset(experiment, section.apixaban.dataset);
    const notesSource = dataset(experiment, section.apixaban.notes);
    const annotations = readApixabanAnnotations(source.resolvedPath);
    const texts = await loadNoteTexts(notesSource.resolvedPath, new Set(annotations.map((a) => a.noteId)));
    const items = apixabanItems(annotations, new Set(texts.keys()), source.resolvedPath);
    const leakage = await guardAgainstTraining(
      experiment,
      items,
      texts,
      `apixaban annotations (${source.resolvedPath})`,
    );
    return {
      task,
      subset: "annotated",
      items,
      questions: APIXABAN_QUESTIONS,
      noteText: (id) => texts.get(id),
      notes: texts.size,
      dataset: {
        id: source.id,
        path: source.resolvedPath,
        restricted: source.restricted || notesSource.restricted,
      },
      evaluateOptions: options(experiment, APIXABAN_QUESTIONS),
      leakage,
    };
  }
  const subset = loadOptions.subset ?? "held-out";
  if (subset !== "held-out" && subset !== "reviewed") {
    throw new Error(`synthetic subset must be held-out or reviewed, got "${subset}"`);
  }
  const source = dataset(experiment, section.synthetic.dataset);
  const notesSource = dataset(experiment, section.synthetic.notes);
  const heldOutFile = join(source.resolvedPath, section.synthetic.heldOutFile);
  const heldOut = await readSyntheticItems(heldOutFile);
  let items = heldOut;
  if (subset === "reviewed") {
    const reviewedFile = join(source.resolvedPath, section.synthetic.reviewedFile);
    if (!existsSync(reviewedFile)) throw new Error(`no reviewed subset: ${reviewedFile} does not exist`);
    items = reviewedItems(heldOut, await readReviewedLabels(reviewedFile, heldOut));
  }
  const texts = await loadNoteTexts(notesSource.resolvedPath, new Set(items.map((item) => item.noteId)));
  const absent = [...new Set(items.map((item) => item.noteId))].filter((id) => !texts.has(id));
  if (absent.length > 0) {
    throw new Error(
      `${heldOutFile}: ${absent.length} note id(s) not in ${notesSource.resolvedPath}: ${absent.slice(0, 10).join(", ")}`,
    );
  }
  const leakage = await guardAgainstTraining(experiment, items, texts, `synthetic ${subset} (${heldOutFile})`);
  return {
    task: "synthetic",
    subset,
    items,
    noteText: (id) => texts.get(id),
    notes: texts.size,
    dataset: { id: source.id, path: heldOutFile, restricted: source.restricted || notesSource.restricted },
    evaluateOptions: options(experiment),
    leakage,
  };
}

/** Where a task's predictions for one model live: <outDir>/<task>/<subset>/predictions-<model label>.jsonl. */
export function predictionsPath(root: string, task: EvalTaskName, subset: string, modelLabel: string): string {
  return join(root, task, subset, `predictions-${modelLabel}.jsonl`);
}
