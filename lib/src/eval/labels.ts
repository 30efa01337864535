/**
 * Gold and predicted labels as integer codes over one sorted class list, the form every metric and the
 * bootstrap work on (typed arrays, no string compares in the hot loops).
 */

/** The label a prediction gets when its answer could not be parsed: never equal to a gold label, so counted wrong. */
export const UNPARSEABLE = "unparseable";

/** Gold first, prediction second, always by name: a positional call cannot compile and is refused at run time. */
export interface LabelPairs {
  gold: readonly string[];
  pred: readonly string[];
  /**
   * The classes to report and average over (sklearn's `labels=`). Default: every class seen in gold or pred,
   * sorted. Precision/recall/F1 (per class, micro, macro, weighted) use exactly this list; accuracy and
   * balanced accuracy always use all items.
   */
  labels?: readonly string[];
}

export interface EncodedLabels {
  /** Every class seen in gold or pred (plus any fixed `labels`), sorted; codes index into this list. */
  classes: string[];
  gold: Int32Array;
  pred: Int32Array;
  /** Codes of the fixed `labels`, or null when the classes present in the data are used. */
  labelCodes: Int32Array | null;
}

/**
 * Refuses arguments that cannot be (gold, pred) pairs: a positional call, different lengths, or a gold
 * list containing the unparseable marker (which only a prediction can hold: the arguments were swapped).
 */
export function checkLabelPairs(args: unknown, caller: string): asserts args is LabelPairs {
  if (Array.isArray(args) || typeof args !== "object" || args === null) {
    throw new TypeError(`${caller}: pass one object {gold, pred}, not positional arrays (gold first, by name)`);
  }
  const { gold, pred } = args as Partial<LabelPairs>;
  if (!Array.isArray(gold) || !Array.isArray(pred)) {
    throw new TypeError(`${caller}: {gold, pred} must both be arrays of labels`);
  }
  if (gold.length !== pred.length) {
    throw new RangeError(`${caller}: gold has ${gold.length} labels but pred has ${pred.length}`);
  }
  for (let i = 0; i < gold.length; i++) {
    if (typeof gold[i] !== "string") throw new TypeError(`${caller}: gold[${i}] is not a string label`);
    if (typeof pred[i] !== "string") throw new TypeError(`${caller}: pred[${i}] is not a string label`);
    if (gold[i] === UNPARSEABLE) {
      throw new Error(
        `${caller}: gold[${i}] is "${UNPARSEABLE}", a prediction-only label: were gold and pred swapped?`,
      );
    }
  }
}

/** Integer-code gold and pred over their sorted union (plus fixed labels). */
export function encodeLabels(args: LabelPairs, caller = "encodeLabels"): EncodedLabels {
  checkLabelPairs(args, caller);
  const { gold, pred, labels } = args;
  const seen = new Set<string>();
  for (const label of gold) seen.add(label);
  for (const label of pred) seen.add(label);
  if (labels !== undefined) {
    if (!Array.isArray(labels) || labels.some((label) => typeof label !== "string")) {
      throw new TypeError(`${caller}: labels must be an array of string labels`);
    }
    if (new Set(labels).size !== labels.length) throw new Error(`${caller}: labels has duplicates`);
    for (const label of labels) seen.add(label);
  }
  const classes = [...seen].sort();
  const codeOf = new Map(classes.map((label, code) => [label, code]));
  const encode = (values: readonly string[]) => {
    const codes = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) codes[i] = codeOf.get(values[i])!;
    return codes;
  };
  return {
    classes,
    gold: encode(gold),
    pred: encode(pred),
    labelCodes: labels !== undefined ? Int32Array.from(labels, (label) => codeOf.get(label)!) : null,
  };
}
