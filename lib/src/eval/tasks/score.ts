import { defaults } from "../../config/defaults.js";
import type { BootstrapOptions, BootstrapPlanInfo, Estimate } from "../../core/bootstrap.js";
import { bootstrapProportions } from "../../core/bootstrap.js";
import { type GroupScore, scoreClassification } from "../score-classification.js";
import type { GradedItem } from "./grade.js";
import type { EvalQuestion } from "./types.js";

/**
 * Scores of one model on one task: every metric with a seeded bootstrap CI (by default resampling
 * whole notes or n2c2 patients, see `bootstrapClusters`), overall, per question type and per question, plus the tolerance view of numeric answers and the list of unusable
 * predictions (counted wrong, never dropped).
 */
export interface TaskScore {
  model: string;
  n: number;
  overall: GroupScore;
  byType: Record<string, GroupScore>;
  byQuestion: Record<string, GroupScore>;
  /** Numeric items only: exact match (the paper) and within tolerance, each with a CI. */
  numeric: { n: number; exact: Estimate; withinTolerance: Estimate };
  /** Items whose prediction was unparseable or failed, with the reason. */
  unusable: { itemId: string; problem: string }[];
  /** Unit, count, seed and label ("95% CI, 1,000 resamples of notes") of every interval here. */
  bootstrap: BootstrapPlanInfo;
}

export interface ScoreOptions {
  /**
   * Resamples, seed, confidence, and the unit: "cluster" (default: the item's note, or n2c2 patient) or
   * "item". Clusters given here are replaced by the items' own.
   */
  bootstrap?: BootstrapOptions;
  /** Question ids to report even with no items (all 13 criteria, all 23 questions). */
  questionIds?: readonly string[];
  /**
   * Fixed classes for precision/recall/F1 (sklearn's labels=). n2c2 passes ["met", "not met"] so a
   * criterion where one class never occurs scores F1 0 for it, as the official scorer does.
   */
  labels?: readonly string[];
  /** Plural noun of a cluster in interval labels (default "notes"; n2c2 "patients"). */
  clusterName?: string;
}

const mean = (values: ArrayLike<number>) => {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
};

/**
 * The independent unit of an item: its note (synthetic, apixaban) or n2c2 patient, with the split in front
 * when there is one (the same patient id in train and test names two patients; n2c2Labels keys them so too).
 */
export function clusterOf(item: Pick<GradedItem, "noteId" | "split">): string {
  return item.split ? `${item.split}:${item.noteId}` : item.noteId;
}

/**
 * Bootstrap options for these items: with unit "cluster" (the default) each item's cluster is its note
 * (named "patients" for n2c2, "notes" otherwise); with unit "item" single items are drawn.
 */
export function bootstrapClusters(
  graded: readonly Pick<GradedItem, "noteId" | "split">[],
  options: BootstrapOptions | undefined,
  clusterName = "notes",
): BootstrapOptions {
  const unit = options?.unit ?? defaults.eval.bootstrap.unit;
  if (unit === "item") return { ...options, unit, clusters: undefined };
  return { ...options, unit, clusters: graded.map(clusterOf), clusterName: options?.clusterName ?? clusterName };
}

/** Score graded items of one model. */
export function scoreGraded(model: string, graded: readonly GradedItem[], options: ScoreOptions = {}): TaskScore {
  const bootstrap = bootstrapClusters(graded, options.bootstrap, options.clusterName);
  const score = scoreClassification({
    gold: graded.map((item) => item.goldClass),
    pred: graded.map((item) => item.predClass),
    ...(options.labels ? { labels: options.labels } : {}),
    groups: { type: graded.map((item) => item.questionType), question: graded.map((item) => item.questionId) },
    ...(options.questionIds ? { groupValues: { question: options.questionIds } } : {}),
    bootstrap,
  });
  const numeric = graded.filter((item) => item.questionType === "numeric" || item.questionType === "na_numeric");
  // The numeric rates resample the clusters that hold numeric items, with the same seed.
  const numericBootstrap = bootstrapClusters(numeric, options.bootstrap, bootstrap.clusterName);
  // Both rates from one set of resamples (the same draws two separate calls would make).
  const [exact, withinTolerance] = bootstrapProportions(
    [numeric.map((item) => item.exact), numeric.map((item) => item.withinTolerance)],
    numericBootstrap,
  );
  return {
    model,
    n: graded.length,
    overall: score.overall,
    byType: score.groups.type,
    byQuestion: score.groups.question,
    numeric: { n: numeric.length, exact, withinTolerance },
    unusable: graded
      .filter((item) => item.problem !== undefined)
      .map((item) => ({ itemId: item.itemId, problem: item.problem! })),
    bootstrap: plainPlan(score.bootstrap),
  };
}

function plainPlan(info: BootstrapPlanInfo): BootstrapPlanInfo {
  const { resamples, seed, confidence, unit, units, unitName, label, seedSource } = info;
  return { resamples, seed, confidence, unit, units, unitName, label, ...(seedSource ? { seedSource } : {}) };
}

/** One row of a per-question table: the question's headline metric with its CI. */
// A type alias, not an interface, so rows pass as report.table rows (Record<string, unknown>).
export type QuestionRow = {
  questionId: string;
  type: "boolean" | "numeric";
  n: number;
  /** Balanced accuracy for yes/no questions, exact-match accuracy for numeric ones (the paper's choice). */
  metric: "balancedAccuracy" | "accuracy";
  value: number;
  low: number;
  high: number;
  accuracy: number;
  /** Macro-F1 over yes/no (yes/no questions only; NaN for numeric). */
  macroF1: number;
  /** What low/high are: "95% CI, 1,000 resamples of notes". */
  interval: string;
};

/** Per-question rows in question order; a question without items has n = 0 and NaN values. */
export function questionRows(score: TaskScore, questions: readonly EvalQuestion[]): QuestionRow[] {
  return questions.map((question) => {
    const group = score.byQuestion[question.id];
    const metric = question.type === "boolean" ? "balancedAccuracy" : "accuracy";
    const estimate = group?.[metric];
    return {
      questionId: question.id,
      type: question.type,
      n: group?.n ?? 0,
      metric,
      value: estimate?.value ?? Number.NaN,
      low: estimate?.low ?? Number.NaN,
      high: estimate?.high ?? Number.NaN,
      accuracy: group?.accuracy.value ?? Number.NaN,
      macroF1: question.type === "boolean" ? (group?.macroF1.value ?? Number.NaN) : Number.NaN,
      interval: score.bootstrap.label,
    };
  });
}

/**
 * The paper's reduction over questions: the unweighted mean of each question's headline metric
 * (balanced accuracy for yes/no, accuracy for numeric), over questions that have items, and the
 * same mean within each type.
 */
export function questionAverages(rows: readonly QuestionRow[]): {
  all: number;
  boolean: number;
  numeric: number;
  questions: number;
} {
  const scored = rows.filter((row) => row.n > 0 && Number.isFinite(row.value));
  const avg = (subset: QuestionRow[]) => mean(subset.map((row) => row.value));
  return {
    all: avg(scored),
    boolean: avg(scored.filter((row) => row.type === "boolean")),
    numeric: avg(scored.filter((row) => row.type === "numeric")),
    questions: scored.length,
  };
}

/**
 * Gold label counts per question, for preprocess tables: one row per question (in the given order)
 * with n and a column per label, e.g. { questionId, type, n, met: 12, "not met": 40 }.
 */
export function goldLabelCounts(
  items: readonly { questionId: string; gold: string }[],
  questions: readonly EvalQuestion[],
  labels: readonly string[],
): Record<string, string | number>[] {
  return questions.map((question) => {
    const golds = items.filter((item) => item.questionId === question.id).map((item) => item.gold);
    const row: Record<string, string | number> = { questionId: question.id, type: question.type, n: golds.length };
    for (const label of labels) row[label] = golds.filter((gold) => gold === label).length;
    return row;
  });
}
