/**
 * Gold and predicted labels as integer codes over one sorted class list, the form every metric and the
 * bootstrap work on (typed arrays, no string compares in the hot loops).
 */

import { ToolkitError } from "../core/errors.js";

/** The label a prediction gets when its answer could not be parsed: never equal to a gold label, so counted wrong. */
export const UNPARSEABLE = "unparseable";

/**
 * A class label: a string, or a finite number (sklearn accepts integer classes such as 0/1). One call uses
 * one kind: numbers and strings mixed (1 and "1") are refused, as sklearn refuses "Mix of label input types",
 * because whether they are the same class is a guess. Numbers sort numerically, strings by code unit.
 */
export type Label = string | number;

/** Gold first, prediction second, always by name: a positional call cannot compile and is refused at run time. */
export interface LabelPairs {
  gold: readonly Label[];
  pred: readonly Label[];
  /**
   * The classes to report and average over (sklearn's `labels=`). Default: every class seen in gold or pred,
   * sorted. Precision/recall/F1 (per class, micro, macro, weighted) use exactly this list; accuracy and
   * balanced accuracy always use all items.
   */
  labels?: readonly Label[];
}

export interface EncodedLabels {
  /** Every class seen in gold or pred (plus any fixed `labels`), sorted; codes index into this list. */
  classes: Label[];
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
  const kinds = new LabelKinds(caller);
  for (let i = 0; i < gold.length; i++) {
    kinds.check(gold[i], `gold[${i}]`);
    kinds.check(pred[i], `pred[${i}]`);
    if (gold[i] === UNPARSEABLE) {
      throw new ToolkitError(
        `${caller}: gold[${i}] is "${UNPARSEABLE}", a prediction-only label: were gold and pred swapped?`,
        { stage: "eval", field: `gold[${i}]` },
      );
    }
  }
}

/** Integer-code gold and pred over their sorted union (plus fixed labels). */
export function encodeLabels(args: LabelPairs, caller = "encodeLabels"): EncodedLabels {
  checkLabelPairs(args, caller);
  const { gold, pred, labels } = args;
  const seen = new Set<Label>();
  for (const label of gold) seen.add(label);
  for (const label of pred) seen.add(label);
  if (labels !== undefined) {
    if (!Array.isArray(labels)) throw new TypeError(`${caller}: labels must be an array of labels`);
    // Same kind as the data (checked on the first gold/pred label), so labels [1] never silently miss "1".
    const kinds = new LabelKinds(caller);
    if (gold.length > 0) kinds.check(gold[0], "gold[0]");
    for (let i = 0; i < labels.length; i++) kinds.check(labels[i], `labels[${i}]`);
    if (new Set(labels).size !== labels.length)
      throw new ToolkitError(`${caller}: labels has duplicates`, { stage: "eval", field: "labels" });
    for (const label of labels) seen.add(label);
  }
  const classes = sortLabels([...seen]);
  const codeOf = new Map(classes.map((label, code) => [label, code]));
  const encode = (values: readonly Label[]) => {
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

/** Sorted as sklearn's np.unique sorts one kind: numbers numerically, strings by code unit. */
export function sortLabels<L extends Label>(labels: L[]): L[] {
  return typeof labels[0] === "number" ? labels.sort((a, b) => (a as number) - (b as number)) : labels.sort();
}

/** Checks each label is a string or a finite number, and that one call never mixes the two kinds. */
class LabelKinds {
  private first: { kind: "string" | "number"; where: string; label: Label } | undefined;
  constructor(private readonly caller: string) {}

  check(label: unknown, where: string): void {
    const kind = typeof label;
    if (kind !== "string" && !(kind === "number" && Number.isFinite(label))) {
      throw new TypeError(`${this.caller}: ${where} is not a label (a string or a finite number): ${String(label)}`);
    }
    if (!this.first) {
      this.first = { kind: kind as "string" | "number", where, label: label as Label };
    } else if (this.first.kind !== kind) {
      throw new TypeError(
        `${this.caller}: labels mix numbers and strings (${this.first.where} is ${JSON.stringify(this.first.label)}, ` +
          `${where} is ${JSON.stringify(label)}); use one kind, e.g. convert every label with String()`,
      );
    }
  }
}
