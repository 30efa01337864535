import type { BootstrapOptions } from "../../core/bootstrap.js";
import type { Tolerance } from "../match-answer.js";
import { type GradedItem, gradeItems } from "./grade.js";
import type { N2c2Evaluation } from "./n2c2/evaluate.js";
import type { N2c2Thresholds } from "./n2c2/questions.js";
import { readPredictions } from "./predictions.js";
import { type QuestionRow, questionAverages, questionRows, scoreGraded, type TaskScore } from "./score.js";
import type { EvalItem, EvalQuestion, Prediction } from "./types.js";

export interface EvaluateOptions {
  tolerance?: Tolerance;
  thresholds?: N2c2Thresholds;
  /**
   * Resamples, seed, confidence and unit: "cluster" (default) resamples notes (n2c2: patients) with all
   * their questions, "item" single answers.
   */
  bootstrap?: BootstrapOptions;
  /** The task's fixed question list (n2c2 criteria, apixaban questions): rows for each, averages over them. */
  questions?: readonly EvalQuestion[];
  /** Fixed classes for F1 (n2c2: met, not met). */
  labels?: readonly string[];
}

export interface Evaluation {
  model: string;
  graded: GradedItem[];
  score: TaskScore;
  /** Per-question headline metric rows (empty without a fixed question list). */
  rows: QuestionRow[];
  /** The paper's mean over questions (NaN without a fixed question list). */
  averages: ReturnType<typeof questionAverages>;
  /** n2c2 task only: the official scorer's and the paper's view, on the same item scores (`score`). */
  n2c2?: N2c2Evaluation;
}

/** Grade and score one model's predictions (already read and checked) on the items. */
export function evaluate(
  model: string,
  items: readonly EvalItem[],
  predictions: ReadonlyMap<string, Prediction>,
  options: EvaluateOptions = {},
): Evaluation {
  const graded = gradeItems(items, predictions, options);
  const score = scoreGraded(model, graded, {
    bootstrap: options.bootstrap,
    clusterName: items.some((item) => item.task === "n2c2") ? "patients" : "notes",
    ...(options.questions ? { questionIds: options.questions.map((question) => question.id) } : {}),
    ...(options.labels ? { labels: options.labels } : {}),
  });
  const rows = options.questions ? questionRows(score, options.questions) : [];
  return { model, graded, score, rows, averages: questionAverages(rows) };
}

/** Options of the evaluate step on a file: the model's name (default: the file's), and whether rows beyond the items are allowed. */
export interface FileOptions {
  model?: string;
  allowExtra?: boolean;
}

/** A predictions file, read and checked to cover exactly the items, and the model it is for. */
export function readModelPredictions(
  predictionsFile: string,
  items: readonly EvalItem[],
  options: FileOptions = {},
): { model: string; predictions: Map<string, Prediction> } {
  const predictions = readPredictions(
    predictionsFile,
    items.map((item) => item.itemId),
    { allowExtra: options.allowExtra },
  );
  const model = options.model ?? predictions.values().next().value?.model ?? "unknown";
  return { model, predictions };
}

/**
 * Read a predictions file, check it covers exactly the items, then evaluate: the evaluate step of
 * every task. Only files are read, so re-running it after editing annotations calls no model.
 */
export function evaluateFile(
  predictionsFile: string,
  items: readonly EvalItem[],
  options: EvaluateOptions & FileOptions = {},
): Evaluation {
  const { model, predictions } = readModelPredictions(predictionsFile, items, options);
  return evaluate(model, items, predictions, options);
}
