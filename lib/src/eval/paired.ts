/**
 * Paired comparison of two models answering the same items: McNemar's test on the discordant pairs, and a
 * paired bootstrap of any summary metric's difference (both models scored on the same resampled items or,
 * with clusters, the same resampled patients or notes).
 */
import {
  type BootstrapOptions,
  type BootstrapPlanInfo,
  bootstrapPlan,
  type Estimate,
  KeyResampler,
  percentileInterval,
} from "../core/bootstrap.js";
import { ToolkitError } from "../core/errors.js";
import { binomialTwoSidedHalf, chiSquare1Survival } from "./internal/stats.js";
import { checkLabelPairs, encodeLabels } from "./labels.js";
import { classVectors, SUMMARY_METRICS, type SummaryMetric, summaryFromVectors } from "./metrics.js";

export interface McNemarResult {
  /** Items A got right and B got wrong. */
  onlyA: number;
  /** Items B got right and A got wrong. */
  onlyB: number;
  bothRight: number;
  bothWrong: number;
  method: "exact" | "chi-square-corrected";
  /** The test in words, to print beside the p-value: "exact binomial" or "chi-square, continuity-corrected". */
  methodLabel: McNemarMethodLabel;
  /** Chi-square statistic (with continuity correction) or, for the exact test, min(onlyA, onlyB). */
  statistic: number;
  pValue: number;
}

/** How each McNemar method is named in tables (statsmodels: exact=True, or exact=False with correction=True). */
export const MCNEMAR_METHOD_LABELS = {
  exact: "exact binomial",
  "chi-square-corrected": "chi-square, continuity-corrected",
} as const;
export type McNemarMethodLabel = (typeof MCNEMAR_METHOD_LABELS)[keyof typeof MCNEMAR_METHOD_LABELS];

/** Discordant total below which the exact binomial test is used (statsmodels' rule of thumb is 25). */
export const MCNEMAR_EXACT_BELOW = 25;

/**
 * McNemar's test of equal error rates. Input: per-item correctness of A and B (same items, same order), or
 * gold with both predictions. With b = onlyA, c = onlyB: exact two-sided binomial(b + c, 1/2) p-value when
 * b + c < exactBelow (default 25), else chi-square (|b - c| - 1)^2 / (b + c) with 1 degree of freedom.
 * No discordant pairs gives p = 1.
 */
export function mcnemar(
  args:
    | { correctA: ArrayLike<boolean | number>; correctB: ArrayLike<boolean | number>; exactBelow?: number }
    | { gold: readonly string[]; predA: readonly string[]; predB: readonly string[]; exactBelow?: number },
): McNemarResult {
  let correctA: ArrayLike<boolean | number>;
  let correctB: ArrayLike<boolean | number>;
  if ("gold" in args) {
    checkLabelPairs({ gold: args.gold, pred: args.predA }, "mcnemar (predA)");
    checkLabelPairs({ gold: args.gold, pred: args.predB }, "mcnemar (predB)");
    correctA = args.gold.map((label, i) => label === args.predA[i]);
    correctB = args.gold.map((label, i) => label === args.predB[i]);
  } else {
    ({ correctA, correctB } = args);
    if (correctA.length !== correctB.length) {
      throw new RangeError(`mcnemar: correctA has ${correctA.length} items but correctB has ${correctB.length}`);
    }
  }
  let onlyA = 0;
  let onlyB = 0;
  let bothRight = 0;
  let bothWrong = 0;
  for (let i = 0; i < correctA.length; i++) {
    const a = Boolean(correctA[i]);
    const b = Boolean(correctB[i]);
    if (a && b) bothRight++;
    else if (a) onlyA++;
    else if (b) onlyB++;
    else bothWrong++;
  }
  const discordant = onlyA + onlyB;
  const exactBelow = args.exactBelow ?? MCNEMAR_EXACT_BELOW;
  if (discordant < exactBelow) {
    return {
      onlyA,
      onlyB,
      bothRight,
      bothWrong,
      method: "exact",
      methodLabel: MCNEMAR_METHOD_LABELS.exact,
      statistic: Math.min(onlyA, onlyB),
      pValue: binomialTwoSidedHalf(onlyA, discordant),
    };
  }
  const statistic = (Math.abs(onlyA - onlyB) - 1) ** 2 / discordant;
  return {
    onlyA,
    onlyB,
    bothRight,
    bothWrong,
    method: "chi-square-corrected",
    methodLabel: MCNEMAR_METHOD_LABELS["chi-square-corrected"],
    statistic,
    pValue: chiSquare1Survival(statistic),
  };
}

export interface PairedBootstrapResult extends BootstrapPlanInfo {
  metric: SummaryMetric;
  /** Metric of A, of B, and the difference A - B, each with its percentile interval. */
  a: Estimate;
  b: Estimate;
  difference: Estimate;
  /** Fraction of resamples with difference <= 0, and >= 0. */
  fractionAtOrBelowZero: number;
  fractionAtOrAboveZero: number;
  /**
   * 2 x the smaller of those fractions, capped at 1: a rough two-sided "p-value" for "no difference". It is
   * a bootstrap tail fraction, not an exact test; read it next to the interval.
   */
  pValueApprox: number;
}

/**
 * Paired bootstrap of metric(A) - metric(B): each resample draws one set of units (items, or clusters when
 * `bootstrap.clusters` is given) and scores both models on it, so identical models differ by exactly 0.
 */
export function pairedBootstrap(args: {
  gold: readonly string[];
  predA: readonly string[];
  predB: readonly string[];
  metric?: SummaryMetric;
  labels?: readonly string[];
  bootstrap?: BootstrapOptions;
}): PairedBootstrapResult {
  const metric = args.metric ?? "accuracy";
  const m = SUMMARY_METRICS.indexOf(metric);
  if (m < 0)
    throw new ToolkitError(`pairedBootstrap: unknown metric "${metric}" (one of ${SUMMARY_METRICS.join(", ")})`, {
      stage: "eval",
      field: "metric",
    });
  checkLabelPairs({ gold: args.gold, pred: args.predA }, "pairedBootstrap (predA)");
  checkLabelPairs({ gold: args.gold, pred: args.predB }, "pairedBootstrap (predB)");
  // One class list for gold, A and B: encode gold with A's and B's predictions appended.
  const n = args.gold.length;
  const encoded = encodeLabels(
    { gold: [...args.gold, ...args.gold], pred: [...args.predA, ...args.predB], labels: args.labels },
    "pairedBootstrap",
  );
  const gold = encoded.gold.subarray(0, n);
  const predA = encoded.pred.subarray(0, n);
  const predB = encoded.pred.subarray(n);
  const k = encoded.classes.length;
  const plan = bootstrapPlan(args.bootstrap, n, "pairedBootstrap");
  const options = plan.info;
  // Items with the same (gold, A, B) are interchangeable: a resample only counts these keys.
  const keyOf = new Int32Array(n);
  const keyIds = new Map<number, number>();
  const keyTriples: number[] = [];
  for (let i = 0; i < n; i++) {
    const triple = (gold[i] * k + predA[i]) * k + predB[i];
    let key = keyIds.get(triple);
    if (key === undefined) {
      key = keyIds.size;
      keyIds.set(triple, key);
      keyTriples.push(gold[i], predA[i], predB[i]);
    }
    keyOf[i] = key;
  }
  const keyCount = keyIds.size;
  const tally = new Int32Array(keyCount);
  const vectors = classVectors(k, 2);
  const out = new Float64Array(SUMMARY_METRICS.length);
  const scoreBoth = (): [number, number] => {
    vectors.tp.fill(0);
    vectors.support.fill(0);
    vectors.predicted.fill(0);
    for (let key = 0; key < keyCount; key++) {
      const count = tally[key];
      if (count === 0) continue;
      const g = keyTriples[3 * key];
      const a = keyTriples[3 * key + 1];
      const b = keyTriples[3 * key + 2];
      vectors.support[g] += count;
      vectors.support[k + g] += count;
      vectors.predicted[a] += count;
      vectors.predicted[k + b] += count;
      if (g === a) vectors.tp[g] += count;
      if (g === b) vectors.tp[k + g] += count;
    }
    summaryFromVectors(vectors, 0, encoded.labelCodes, out);
    const valueA = out[m];
    summaryFromVectors(vectors, 1, encoded.labelCodes, out);
    return [valueA, out[m]];
  };
  for (let i = 0; i < n; i++) tally[keyOf[i]]++;
  const [pointA, pointB] = scoreBoth();
  const R = options.resamples;
  const valuesA = new Float64Array(R);
  const valuesB = new Float64Array(R);
  const differences = new Float64Array(R);
  const resampler = new KeyResampler(keyOf, keyCount, plan);
  let atOrBelow = 0;
  let atOrAbove = 0;
  let defined = 0;
  for (let r = 0; r < R; r++) {
    tally.fill(0);
    resampler.accumulate(tally);
    const [valueA, valueB] = n === 0 ? [Number.NaN, Number.NaN] : scoreBoth();
    valuesA[r] = valueA;
    valuesB[r] = valueB;
    differences[r] = valueA - valueB;
    if (Number.isNaN(differences[r])) continue;
    defined++;
    if (differences[r] <= 0) atOrBelow++;
    if (differences[r] >= 0) atOrAbove++;
  }
  const fractionAtOrBelowZero = defined === 0 ? Number.NaN : atOrBelow / defined;
  const fractionAtOrAboveZero = defined === 0 ? Number.NaN : atOrAbove / defined;
  return {
    metric,
    a: percentileInterval(pointA, valuesA, options.confidence),
    b: percentileInterval(pointB, valuesB, options.confidence),
    difference: percentileInterval(pointA - pointB, differences, options.confidence),
    fractionAtOrBelowZero,
    fractionAtOrAboveZero,
    pValueApprox: Math.min(1, 2 * Math.min(fractionAtOrBelowZero, fractionAtOrAboveZero)),
    ...options,
  };
}
