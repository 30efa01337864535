/**
 * Classification metrics with scikit-learn's definitions and defaults (zero_division = 0; classes = sorted
 * union of gold and pred unless `labels` fixes them). Every metric needs only three per-class vectors (true
 * positives, gold support, predicted count), never the full k x k matrix, so scoring stays O(k) even when
 * numeric answers make hundreds of classes. Every public function takes one named object {gold, pred}:
 * gold first by name, so the argument order cannot be swapped silently (the original study's apixaban code
 * did swap it, which changes balanced accuracy).
 */
import { ToolkitError } from "../core/errors.js";
import type { ClassCounts } from "./confusion.js";
import { encodeLabels, type Label, type LabelPairs, sortLabels } from "./labels.js";

/** Index of each summary metric in the Float64Array that `summaryFromVectors` fills. */
export const SUMMARY_METRICS = ["accuracy", "balancedAccuracy", "microF1", "macroF1", "weightedF1"] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/**
 * Per-class count vectors for `slots` independent sets of items, k entries per slot:
 * tp[s*k+c] items with gold = pred = c, support[s*k+c] items with gold c, predicted[s*k+c] items predicted c.
 */
export interface ClassVectors {
  k: number;
  tp: Float64Array;
  support: Float64Array;
  predicted: Float64Array;
}

export function classVectors(k: number, slots = 1): ClassVectors {
  return {
    k,
    tp: new Float64Array(k * slots),
    support: new Float64Array(k * slots),
    predicted: new Float64Array(k * slots),
  };
}

/** Add integer-coded (gold, pred) pairs to slot `slot` of the vectors. */
export function accumulateVectors(
  vectors: ClassVectors,
  gold: ArrayLike<number>,
  pred: ArrayLike<number>,
  slot = 0,
): ClassVectors {
  const base = slot * vectors.k;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i];
    const p = pred[i];
    vectors.support[base + g]++;
    vectors.predicted[base + p]++;
    if (g === p) vectors.tp[base + g]++;
  }
  return vectors;
}

/**
 * Fill `out` (order SUMMARY_METRICS) from one slot of the vectors; returns the item count. With no items
 * every metric is NaN ("undefined"): an empty group has no score, and NaN cannot be mistaken for 0.
 *
 * - accuracy = sum tp / n
 * - balancedAccuracy = mean over classes with gold support > 0 of tp / support (sklearn: classes only
 *   predicted, never gold, are left out; that is where sklearn warns "y_pred contains classes not in y_true")
 * - micro F1 = 2 TP / (2 TP + FP + FN), TP, FP, FN summed over the label set (= accuracy when the label set
 *   holds every class, since then FP = FN = n - TP)
 * - macro F1 = unweighted mean of class F1 over the label set; class F1 = 2tp / (2tp + fp + fn), 0 when 0/0
 * - weighted F1 = class F1 weighted by gold support over the label set (0 when that support is 0)
 * The label set is `labelCodes` when given, else every class with gold support or predictions in this slot.
 */
export function summaryFromVectors(
  vectors: ClassVectors,
  slot: number,
  labelCodes: ArrayLike<number> | null,
  out: Float64Array,
): number {
  const { k, tp, support, predicted } = vectors;
  const base = slot * k;
  let n = 0;
  let trace = 0;
  let recallSum = 0;
  let goldClasses = 0;
  for (let c = base; c < base + k; c++) {
    n += support[c];
    trace += tp[c];
    if (support[c] > 0) {
      recallSum += tp[c] / support[c];
      goldClasses++;
    }
  }
  if (n === 0) {
    out.fill(Number.NaN, 0, SUMMARY_METRICS.length);
    return 0;
  }
  out[0] = trace / n;
  out[1] = recallSum / goldClasses;
  let tpSum = 0;
  let fpSum = 0;
  let fnSum = 0;
  let f1Sum = 0;
  let weightedSum = 0;
  let supportSum = 0;
  let classesInSet = 0;
  const count = labelCodes ? labelCodes.length : k;
  for (let i = 0; i < count; i++) {
    const c = base + (labelCodes ? labelCodes[i] : i);
    if (!labelCodes && support[c] === 0 && predicted[c] === 0) continue;
    const fp = predicted[c] - tp[c];
    const fn = support[c] - tp[c];
    const denominator = 2 * tp[c] + fp + fn;
    const f1 = denominator === 0 ? 0 : (2 * tp[c]) / denominator;
    tpSum += tp[c];
    fpSum += fp;
    fnSum += fn;
    f1Sum += f1;
    weightedSum += f1 * support[c];
    supportSum += support[c];
    classesInSet++;
  }
  const microDenominator = 2 * tpSum + fpSum + fnSum;
  out[2] = microDenominator === 0 ? 0 : (2 * tpSum) / microDenominator;
  out[3] = classesInSet === 0 ? 0 : f1Sum / classesInSet;
  out[4] = supportSum === 0 ? 0 : weightedSum / supportSum;
  return n;
}

/** Precision, recall and F1 of one class (one-vs-rest), with its counts. */
export interface ClassMetrics extends ClassCounts {
  precision: number;
  recall: number;
  f1: number;
}

/** Everything about one set of (gold, pred) pairs. */
export interface ClassificationReport {
  n: number;
  /** Every class seen in gold or pred (plus fixed labels), sorted. */
  classes: Label[];
  /** The classes precision/recall/F1 are reported and averaged over (see LabelPairs.labels). */
  labels: Label[];
  accuracy: number;
  balancedAccuracy: number;
  microF1: number;
  macroF1: number;
  weightedF1: number;
  /** Micro-averaged precision and recall over `labels` (both equal accuracy when `labels` is every class). */
  microPrecision: number;
  microRecall: number;
  /** One row per class of `labels`, in that order. */
  perClass: ClassMetrics[];
  /** Classes predicted but absent from gold: left out of balanced accuracy (sklearn's warning case). */
  predOnlyClasses: Label[];
}

/** Per-class metrics from one-vs-rest counts (0 where a denominator is 0, as sklearn's zero_division=0). */
export function classMetrics(counts: ClassCounts): ClassMetrics {
  const { tp, fp, fn } = counts;
  return {
    ...counts,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    f1: 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
  };
}

/** The full report from one slot of class vectors over `classes`. */
export function reportFromVectors(
  classes: Label[],
  vectors: ClassVectors,
  slot: number,
  labelCodes: ArrayLike<number> | null,
): ClassificationReport {
  const { k, tp, support, predicted } = vectors;
  const base = slot * k;
  const summary = new Float64Array(SUMMARY_METRICS.length);
  const n = summaryFromVectors(vectors, slot, labelCodes, summary);
  const row = (c: number): ClassMetrics =>
    classMetrics({
      label: classes[c],
      tp: tp[base + c],
      fp: predicted[base + c] - tp[base + c],
      fn: support[base + c] - tp[base + c],
      tn: n - support[base + c] - predicted[base + c] + tp[base + c],
      support: support[base + c],
    });
  const codes = labelCodes
    ? Array.from(labelCodes)
    : classes.map((_, c) => c).filter((c) => support[base + c] > 0 || predicted[base + c] > 0);
  const perClass = codes.map(row);
  let tpSum = 0;
  let fpSum = 0;
  let fnSum = 0;
  for (const item of perClass) {
    tpSum += item.tp;
    fpSum += item.fp;
    fnSum += item.fn;
  }
  const predOnlyClasses: Label[] = [];
  for (let c = 0; c < k; c++) if (support[base + c] === 0 && predicted[base + c] > 0) predOnlyClasses.push(classes[c]);
  return {
    n,
    classes,
    labels: perClass.map((item) => item.label),
    accuracy: summary[0],
    balancedAccuracy: summary[1],
    microF1: summary[2],
    macroF1: summary[3],
    weightedF1: summary[4],
    microPrecision: n === 0 ? Number.NaN : tpSum + fpSum === 0 ? 0 : tpSum / (tpSum + fpSum),
    microRecall: n === 0 ? Number.NaN : tpSum + fnSum === 0 ? 0 : tpSum / (tpSum + fnSum),
    perClass,
    predOnlyClasses,
  };
}

/** All metrics for one set of labelled pairs. */
export function classificationReport(args: LabelPairs): ClassificationReport {
  const encoded = encodeLabels(args, "classificationReport");
  const vectors = accumulateVectors(classVectors(encoded.classes.length), encoded.gold, encoded.pred);
  return reportFromVectors(encoded.classes, vectors, 0, encoded.labelCodes);
}

/** Fraction of items whose prediction equals gold. NaN for no items. */
export function accuracy(args: LabelPairs): number {
  return classificationReport(args).accuracy;
}

/** Mean recall over the classes present in gold (sklearn balanced_accuracy_score, adjusted=False). */
export function balancedAccuracy(args: LabelPairs): number {
  return classificationReport(args).balancedAccuracy;
}

/** Micro-averaged F1 over the label set (sklearn f1_score average="micro"). */
export function microF1(args: LabelPairs): number {
  return classificationReport(args).microF1;
}

/** Unweighted mean of per-class F1 over the label set (sklearn f1_score average="macro", zero_division=0). */
export function macroF1(args: LabelPairs): number {
  return classificationReport(args).macroF1;
}

/** Per-class precision, recall, F1 and counts over the label set (sklearn precision_recall_fscore_support). */
export function precisionRecallF1(args: LabelPairs): ClassMetrics[] {
  return classificationReport(args).perClass;
}

/** Precision, recall and F1 of the positive class, as sklearn's average="binary" computes them. */
export interface BinaryScores {
  positive: Label;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * The positive class's precision, recall and F1 (sklearn precision_recall_fscore_support, average="binary",
 * pos_label=positive), zero_division=0; NaN for no items. Like sklearn, refused when gold and pred together
 * hold three or more classes ("Target is multiclass but average='binary'": one class against the rest is a
 * different metric, ask for it with macroF1/precisionRecallF1), and when they hold two classes of which
 * `positive` is neither. With one class present and `positive` absent every score is 0.
 */
export function binaryScores(args: LabelPairs & { positive: Label }): BinaryScores {
  const report = classificationReport({ gold: args.gold, pred: args.pred });
  const { positive } = args;
  const present = sortLabels([...report.classes]);
  if (present.length > 2) {
    throw new ToolkitError(
      `binary metric: gold and pred hold ${present.length} classes (${present.map((c) => JSON.stringify(c)).join(", ")}), ` +
        "not 2: this target is multiclass (sklearn raises \"Target is multiclass but average='binary'\"); " +
        "use macroF1, microF1 or precisionRecallF1 for one class against the rest",
      { stage: "eval", field: "pred" },
    );
  }
  if (present.length === 2 && !present.includes(positive)) {
    throw new ToolkitError(
      `binary metric: positive ${JSON.stringify(positive)} is not a valid label; it should be one of ` +
        `${present.map((c) => JSON.stringify(c)).join(", ")} (sklearn raises the same for pos_label)`,
      { stage: "eval", field: "positive" },
    );
  }
  if (report.n === 0) return { positive, precision: Number.NaN, recall: Number.NaN, f1: Number.NaN };
  const row = report.perClass.find((item) => item.label === positive);
  return { positive, precision: row?.precision ?? 0, recall: row?.recall ?? 0, f1: row?.f1 ?? 0 };
}

/** F1 of the positive class (sklearn f1_score average="binary", pos_label=positive); see binaryScores. */
export function binaryF1(args: LabelPairs & { positive: Label }): number {
  return binaryScores(args).f1;
}
