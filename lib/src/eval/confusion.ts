import { encodeLabels, type LabelPairs } from "./labels.js";

/** A k x k count matrix, rows = gold class, columns = predicted class, over `classes`. */
export interface ConfusionMatrix {
  classes: string[];
  /** Row-major counts: counts[gold * k + pred]. */
  counts: Float64Array;
}

/** One class's one-vs-rest counts. */
export interface ClassCounts {
  label: string;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Gold items of this class (tp + fn). */
  support: number;
}

/** Count (gold, pred) pairs given as integer codes into a caller-owned k x k array (added to, not reset). */
export function accumulateConfusion(
  k: number,
  gold: ArrayLike<number>,
  pred: ArrayLike<number>,
  into: Float64Array = new Float64Array(k * k),
): Float64Array {
  for (let i = 0; i < gold.length; i++) into[gold[i] * k + pred[i]]++;
  return into;
}

/** Confusion matrix of string labels over their sorted union (sklearn's confusion_matrix with default labels). */
export function confusionMatrix(args: LabelPairs): ConfusionMatrix {
  const encoded = encodeLabels(args, "confusionMatrix");
  const k = encoded.classes.length;
  return { classes: encoded.classes, counts: accumulateConfusion(k, encoded.gold, encoded.pred) };
}

/** One-vs-rest tp/fp/fn/tn for every class of a confusion matrix. */
export function classCounts(matrix: ConfusionMatrix): ClassCounts[] {
  const k = matrix.classes.length;
  const { counts } = matrix;
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  return matrix.classes.map((label, c) => {
    let rowSum = 0;
    let colSum = 0;
    for (let j = 0; j < k; j++) {
      rowSum += counts[c * k + j];
      colSum += counts[j * k + c];
    }
    const tp = counts[c * k + c];
    return { label, tp, fp: colSum - tp, fn: rowSum - tp, tn: total - rowSum - colSum + tp, support: rowSum };
  });
}
