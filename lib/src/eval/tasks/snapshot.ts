import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { GroupScore } from "../score-classification.js";
import type { GradedItem } from "./grade.js";
import type { TaskScore } from "./score.js";

/**
 * The annotation-fix loop. After each evaluation the gold labels and the headline metrics are saved
 * as a snapshot under out/; the next evaluation compares against it and shows which items changed
 * and how each metric moved. Only files are read: no model is called.
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
  /** False on the first run (no earlier snapshot). */
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
    throw new Error(`${file}: not a readable metrics snapshot (${(error as Error).message}); delete it to start over`);
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
 * Compare the current evaluation with the snapshot at `file`, then replace the snapshot with the
 * current one. Returns the diff (hadPrevious false on the first run).
 */
export function updateSnapshot(file: string, current: MetricsSnapshot): SnapshotDiff {
  const previous = readSnapshot(file);
  if (previous && (previous.task !== current.task || previous.model !== current.model)) {
    throw new Error(
      `${file}: snapshot is for ${previous.task}/${previous.model}, not ${current.task}/${current.model}; use one snapshot file per task and model`,
    );
  }
  const diff = diffSnapshots(previous, current);
  writeSnapshot(file, current);
  return diff;
}

/**
 * The evaluate cell's one call: snapshot this evaluation's gold labels and headline metrics (with
 * the paper's mean over questions) at `file`, returning what changed since the previous run.
 */
export function snapshotEvaluation(
  file: string,
  task: string,
  evaluation: { model: string; graded: readonly GradedItem[]; score: TaskScore; averages: { all: number } },
): SnapshotDiff {
  const metrics = flattenScore(evaluation.score, { "average.questions": evaluation.averages.all });
  return updateSnapshot(file, makeSnapshot(task, evaluation.model, evaluation.graded, metrics));
}
