import { ToolkitError } from "../core/errors.js";
import { encodeLabels, type Label, type LabelPairs } from "./labels.js";

/** A k x k count matrix, rows = gold class, columns = predicted class, over `classes`. */
export interface ConfusionMatrix {
  classes: Label[];
  /** Row-major counts: counts[gold * k + pred]. */
  counts: Float64Array;
}

/** One class's one-vs-rest counts. */
export interface ClassCounts {
  label: Label;
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

/**
 * Confusion matrix as sklearn's confusion_matrix computes it. Without `labels`: over the sorted union of gold
 * and pred. With `labels`: rows and columns in exactly that order; a label absent from the data gets a zero
 * row and column; a pair whose gold or predicted label is not in `labels` is left out (`excluded` counts
 * them, where sklearn drops them without a word). Like sklearn, `labels` must be non-empty and hold at least
 * one gold label (with items), else it is an error.
 */
export function confusionMatrix(args: LabelPairs): ConfusionMatrix & { excluded: number } {
  const encoded = encodeLabels(args, "confusionMatrix");
  if (!encoded.labelCodes) {
    const k = encoded.classes.length;
    return { classes: encoded.classes, counts: accumulateConfusion(k, encoded.gold, encoded.pred), excluded: 0 };
  }
  const labelCodes = encoded.labelCodes;
  const k = labelCodes.length;
  if (k === 0)
    throw new ToolkitError("confusionMatrix: labels is empty; give at least one label (or leave it out)", {
      stage: "eval",
      field: "labels",
    });
  // Map each class code to its row in `labels`, -1 for classes outside it.
  const row = new Int32Array(encoded.classes.length).fill(-1);
  labelCodes.forEach((code, i) => {
    row[code] = i;
  });
  const counts = new Float64Array(k * k);
  let excluded = 0;
  let goldInLabels = false;
  for (let i = 0; i < encoded.gold.length; i++) {
    const g = row[encoded.gold[i]];
    const p = row[encoded.pred[i]];
    if (g >= 0) goldInLabels = true;
    if (g < 0 || p < 0) excluded++;
    else counts[g * k + p]++;
  }
  if (encoded.gold.length > 0 && !goldInLabels) {
    throw new ToolkitError(
      `confusionMatrix: none of labels ${JSON.stringify(args.labels)} is a gold label ` +
        "(sklearn: At least one label specified must be in y_true)",
      { stage: "eval", field: "labels" },
    );
  }
  return { classes: Array.from(labelCodes, (code) => encoded.classes[code]), counts, excluded };
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
