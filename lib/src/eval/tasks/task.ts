import type { Experiment } from "../../config/experiment.js";
import type { ModelRequest } from "../../llm/types.js";
import type { Figure } from "../../report/types.js";
import type { EvaluateOptions, Evaluation } from "./evaluate.js";
import type { FigureOptions } from "./figures.js";
import type { LeakageReport } from "./leakage.js";
import type { EvalItem, EvalQuestion, EvalTaskName, Prediction } from "./types.js";

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

/** What the task figures need beside the evaluations (n2c2: the best 2018 system's micro-F1 as a line). */
export interface TaskFigureOptions extends Pick<FigureOptions, "sample"> {
  referenceMicroF1?: number;
}

/**
 * One evaluation task, step by step as its notebooks run it: load the items and notes, the fixed
 * question list, the model requests, evaluate predictions (grade, then the one scoring path of
 * evaluate.ts), and the task's figures. Its rule-based model lives beside its questions (rules.ts
 * in the task's folder; baseline.ts runs it).
 */
export interface EvalTask {
  name: EvalTaskName;
  /** The fixed question list (n2c2 criteria, apixaban questions); synthetic items carry their own questions. */
  questions?: readonly EvalQuestion[];
  load(experiment: Experiment, options?: LoadTaskOptions): Promise<LoadedTask>;
  /** The requests for one model, with the experiment's evaluation sampling (eval.sampling). */
  requests(loaded: LoadedTask, experiment: Experiment, modelId: string): ModelRequest[];
  /** One model's predictions (read and checked) to metrics; n2c2 adds the official scorer's view of the same score. */
  evaluate(loaded: LoadedTask, predictions: ReadonlyMap<string, Prediction>, model: string): Evaluation;
  /** The figures of the task's evaluate notebook, in its order. */
  figures(loaded: LoadedTask, evaluations: readonly Evaluation[], options?: TaskFigureOptions): Figure[];
}
