import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Experiment } from "../../config/experiment.js";
import { ToolkitError } from "../../core/errors.js";
import { resolveFromRoot } from "../../paths.js";
import type { GroupScore } from "../score-classification.js";
import type { GradedItem } from "./grade.js";
import { loadEvalTask } from "./load-task.js";
import { evaluateModels } from "./models.js";
import type { TaskScore } from "./score.js";
import type { LoadedTask } from "./task.js";

/**
 * The annotation-fix loop. The first evaluation saves the gold labels and headline metrics as a
 * baseline snapshot under out/; every later evaluation compares against that baseline (which items
 * changed, how each metric moved) until the user chooses to update it. Only files are read: no
 * model is called.
 */
export interface MetricsSnapshot {
  task: string;
  model: string;
  /** Gold label per item id, as graded. */
  gold: Record<string, string>;
  /** Flat metric name -> value (NaN stored as null in JSON). */
  metrics: Record<string, number>;
}

export interface SnapshotDiff {
  /** False on the first run (no baseline yet). */
  hadPrevious: boolean;
  changedItems: { itemId: string; before: string; after: string }[];
  addedItems: string[];
  removedItems: string[];
  /** Metrics whose value differs, with the change. */
  metricChanges: { metric: string; before: number; after: number; delta: number }[];
}

const HEADLINE = ["accuracy", "balancedAccuracy", "microF1", "macroF1"] as const;

function addGroup(into: Record<string, number>, prefix: string, group: GroupScore): void {
  for (const metric of HEADLINE) into[`${prefix}.${metric}`] = group[metric].value;
}

/** Headline metrics of a task score as flat names: overall.accuracy, type.boolean.balancedAccuracy, ... */
export function flattenScore(score: TaskScore, extra: Record<string, number> = {}): Record<string, number> {
  const metrics: Record<string, number> = {};
  addGroup(metrics, "overall", score.overall);
  for (const [type, group] of Object.entries(score.byType)) addGroup(metrics, `type.${type}`, group);
  for (const [question, group] of Object.entries(score.byQuestion)) addGroup(metrics, `question.${question}`, group);
  metrics["numeric.exact"] = score.numeric.exact.value;
  metrics["numeric.withinTolerance"] = score.numeric.withinTolerance.value;
  return { ...metrics, ...extra };
}

export function makeSnapshot(
  task: string,
  model: string,
  graded: readonly GradedItem[],
  metrics: Record<string, number>,
): MetricsSnapshot {
  return { task, model, gold: Object.fromEntries(graded.map((item) => [item.itemId, item.gold])), metrics };
}

const same = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) < 1e-12;

/** What changed between two snapshots. */
export function diffSnapshots(previous: MetricsSnapshot | undefined, current: MetricsSnapshot): SnapshotDiff {
  if (!previous) return { hadPrevious: false, changedItems: [], addedItems: [], removedItems: [], metricChanges: [] };
  const changedItems: SnapshotDiff["changedItems"] = [];
  const addedItems: string[] = [];
  for (const [itemId, after] of Object.entries(current.gold)) {
    const before = previous.gold[itemId];
    if (before === undefined) addedItems.push(itemId);
    else if (before !== after) changedItems.push({ itemId, before, after });
  }
  const removedItems = Object.keys(previous.gold).filter((itemId) => !(itemId in current.gold));
  const metricChanges: SnapshotDiff["metricChanges"] = [];
  for (const [metric, after] of Object.entries(current.metrics)) {
    const before = previous.metrics[metric] ?? Number.NaN;
    if (!same(before, after)) metricChanges.push({ metric, before, after, delta: after - before });
  }
  return { hadPrevious: true, changedItems, addedItems, removedItems, metricChanges };
}

export function readSnapshot(file: string): MetricsSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  let value: MetricsSnapshot;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ToolkitError(
      `${file}: not a readable metrics snapshot (${(error as Error).message}); delete it to start over`,
      { stage: "eval", file },
      { cause: error },
    );
  }
  // JSON has no NaN: it was written as null.
  const metrics: Record<string, number> = {};
  for (const [name, v] of Object.entries(value.metrics ?? {})) metrics[name] = v === null ? Number.NaN : Number(v);
  return { ...value, metrics };
}

export function writeSnapshot(file: string, snapshot: MetricsSnapshot): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(snapshot, null, 1)}\n`);
}

/**
 * "keep" (the default) compares with the saved baseline and leaves it as it is, so every re-run
 * after an annotation fix shows the fix; "update" saves the current evaluation as the new baseline
 * (the diff returned is still against the old one: what was accepted).
 */
export type SnapshotMode = "keep" | "update";

export interface BaselineDiff extends SnapshotDiff {
  /** True when this call wrote the baseline: the first evaluation, or snapshot "update". */
  saved: boolean;
}

/**
 * Compare the current evaluation with the baseline snapshot at `file`. The first evaluation saves
 * the baseline; later ones leave it untouched unless `snapshot` is "update".
 */
export function compareWithBaseline(
  file: string,
  current: MetricsSnapshot,
  snapshot: SnapshotMode = "keep",
): BaselineDiff {
  if (snapshot !== "keep" && snapshot !== "update") {
    throw new ToolkitError(`snapshot must be "keep" or "update", got ${JSON.stringify(snapshot)}`, {
      stage: "eval",
      field: "snapshot",
    });
  }
  const previous = readSnapshot(file);
  if (previous && (previous.task !== current.task || previous.model !== current.model)) {
    throw new ToolkitError(
      `${file}: snapshot is for ${previous.task}/${previous.model}, not ${current.task}/${current.model}; use one snapshot file per task and model`,
      { stage: "eval", file },
    );
  }
  const save = !previous || snapshot === "update";
  if (save) writeSnapshot(file, current);
  return { ...diffSnapshots(previous, current), saved: save };
}

/** Snapshot one evaluation's gold labels and headline metrics (with the paper's mean over questions). */
export function snapshotOf(
  task: string,
  evaluation: { model: string; graded: readonly GradedItem[]; score: TaskScore; averages: { all: number } },
): MetricsSnapshot {
  const metrics = flattenScore(evaluation.score, { "average.questions": evaluation.averages.all });
  return makeSnapshot(task, evaluation.model, evaluation.graded, metrics);
}

/** Where a model's baseline snapshot lives: next to its predictions. */
export function snapshotPath(outDir: string, loaded: Pick<LoadedTask, "task" | "subset">, model: string): string {
  return join(outDir, loaded.task, loaded.subset, `snapshot-${model}.json`);
}

export interface AnnotationChangesOptions {
  /** Synthetic task: the subset whose labels are fixed (default "reviewed"). */
  subset?: string;
  snapshot?: SnapshotMode;
}

/**
 * The annotation-fix loop's one call, for the evaluate notebooks' last cell: re-read the annotations
 * (through the experiment, so an edited CSV is picked up here, not only in the setup cell), re-score
 * every model's saved predictions (no model is called) and compare each with its baseline snapshot.
 * Predictions and snapshots live under the experiment's eval.outDir; labels are as in evaluateModels.
 */
export async function annotationChanges(
  experiment: Experiment,
  task: "apixaban" | "synthetic",
  labels: readonly string[],
  options: AnnotationChangesOptions = {},
): Promise<{ model: string; file: string; diff: BaselineDiff }[]> {
  const outDir = resolveFromRoot(experiment.eval.outDir);
  const subset = task === "synthetic" ? (options.subset ?? "reviewed") : undefined;
  const loaded = await loadEvalTask(experiment, task, subset ? { subset } : {});
  // The reviewed synthetic subset is scored from the held-out predictions (the same requests).
  const predictionsSubset = task === "synthetic" ? "held-out" : undefined;
  const { evaluations } = evaluateModels(loaded, outDir, labels, { predictionsSubset });
  // Task names as the snapshots have always recorded them ("apixaban", "synthetic-reviewed").
  const name = task === "synthetic" ? `synthetic-${loaded.subset}` : task;
  return evaluations.map((evaluation) => {
    const file = snapshotPath(outDir, loaded, evaluation.model);
    return {
      model: evaluation.model,
      file,
      diff: compareWithBaseline(file, snapshotOf(name, evaluation), options.snapshot),
    };
  });
}
