import { loadDatasetRegistry, type ResolvedDataset, resolveDataset } from "../../../config/datasets.js";
import type { Experiment } from "../../../config/experiment.js";
import { bootstrapSettings } from "../../../config/sections/eval.js";
import { readNotes } from "../../../data/notes.js";
import { synthPaths } from "../../../synth/from-config.js";
import type { Tolerance } from "../../match-answer.js";
import type { EvaluateOptions } from "../evaluate.js";
import { guardLeakage, type LeakageReport, loadTrainingNotes } from "../leakage.js";
import type { N2c2Thresholds } from "../n2c2/questions.js";
import type { EvalItem, EvalQuestion } from "../types.js";

// What the three tasks' load steps share: datasets by id, note texts, evaluate options, the leakage guard.

export function dataset(experiment: Experiment, id: string): ResolvedDataset {
  return resolveDataset(loadDatasetRegistry(experiment.datasets), id, { registryFile: experiment.datasets });
}

/** Notes by id, reading only the notes the items need (the notes file may be all of MIMIC-IV). */
export async function loadNoteTexts(file: string, needed: ReadonlySet<string>): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for await (const note of readNotes(file)) {
    if (needed.has(note.note_id)) texts.set(note.note_id, note.text);
  }
  return texts;
}

export function evaluateOptions(experiment: Experiment, questions?: readonly EvalQuestion[]): EvaluateOptions {
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
 * The leakage guard against the training split step c writes (one folder for every variant): a note of these
 * items in it (by id, or by normalised text under another id) is refused unless eval.trainingOverlap allows it.
 */
export async function guardAgainstTraining(
  experiment: Experiment,
  items: readonly EvalItem[],
  texts: ReadonlyMap<string, string>,
  what: string,
): Promise<LeakageReport> {
  const paths = synthPaths(experiment.synth);
  const datasetDirs = [paths.dataset];
  return guardLeakage(items, (id) => texts.get(id), await loadTrainingNotes(datasetDirs, paths.notes), {
    what,
    override: experiment.eval.trainingOverlap,
    lookedIn: datasetDirs,
  });
}
