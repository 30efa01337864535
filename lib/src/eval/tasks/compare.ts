import type { BootstrapOptions } from "../../core/bootstrap.js";
import { ToolkitError } from "../../core/errors.js";
import { mcnemar, pairedBootstrap } from "../paired.js";
import type { Evaluation } from "./evaluate.js";
import { bootstrapClusters } from "./score.js";

/**
 * Models side by side on the same items: teacher, base student, distilled student, baseline. Each
 * row has the model's metrics with CIs and, against a reference model, McNemar's test and a paired
 * bootstrap of the accuracy difference (both models on the same resampled notes or patients, by
 * default; `interval` names the unit and count). Sample predictions must be labelled by the caller's model
 * name (e.g. "SAMPLE replay"): a comparison never turns a sample into a result.
 */
// A type alias, not an interface, so rows pass as report.table rows (Record<string, unknown>).
export type ComparisonRow = {
  model: string;
  n: number;
  accuracy: number;
  accuracyLow: number;
  accuracyHigh: number;
  balancedAccuracy: number;
  balancedAccuracyLow: number;
  balancedAccuracyHigh: number;
  macroF1: number;
  /** Numeric items: exact match (the paper) and within tolerance. */
  numericExact: number;
  numericWithinTolerance: number;
  /** The paper's mean over questions (only for tasks with a fixed question list). */
  questionMean?: number;
  unusable: number;
  /** What every interval in the row is: "95% CI, 1,000 resamples of notes". */
  interval: string;
  /** Against the reference model (empty for the reference itself). */
  vsReference?: string;
  accuracyDifference?: number;
  differenceLow?: number;
  differenceHigh?: number;
  mcnemarP?: number;
  /** Which test gave mcnemarP ("exact binomial" or "chi-square, continuity-corrected"), shown beside it. */
  mcnemarMethod?: string;
};

function checkAligned(a: Evaluation, b: Evaluation): void {
  if (a.graded.length !== b.graded.length || a.graded.some((item, i) => item.itemId !== b.graded[i].itemId)) {
    throw new ToolkitError(`models ${a.model} and ${b.model} were not evaluated on the same items in the same order`, {
      stage: "eval",
    });
  }
}

/** One row per model; `reference` (a model name, default the last evaluation) anchors the paired tests. */
export function compareModels(
  evaluations: readonly Evaluation[],
  options: { reference?: string; bootstrap?: BootstrapOptions } = {},
): ComparisonRow[] {
  if (evaluations.length === 0) return [];
  const reference = evaluations.find((e) => e.model === options.reference) ?? evaluations[evaluations.length - 1];
  if (options.reference && reference.model !== options.reference) {
    throw new ToolkitError(
      `reference model "${options.reference}" is not among ${evaluations.map((e) => e.model).join(", ")}`,
      { stage: "eval", field: "reference" },
    );
  }
  return evaluations.map((evaluation) => {
    const { score } = evaluation;
    const row: ComparisonRow = {
      model: evaluation.model,
      n: score.n,
      accuracy: score.overall.accuracy.value,
      accuracyLow: score.overall.accuracy.low,
      accuracyHigh: score.overall.accuracy.high,
      balancedAccuracy: score.overall.balancedAccuracy.value,
      balancedAccuracyLow: score.overall.balancedAccuracy.low,
      balancedAccuracyHigh: score.overall.balancedAccuracy.high,
      macroF1: score.overall.macroF1.value,
      numericExact: score.numeric.exact.value,
      numericWithinTolerance: score.numeric.withinTolerance.value,
      ...(Number.isFinite(evaluation.averages.all) ? { questionMean: evaluation.averages.all } : {}),
      unusable: score.unusable.length,
      interval: score.bootstrap.label,
    };
    if (evaluation === reference) return row;
    checkAligned(evaluation, reference);
    const gold = evaluation.graded.map((item) => item.goldClass);
    const predA = evaluation.graded.map((item) => item.predClass);
    const predB = reference.graded.map((item) => item.predClass);
    // Without options, the reference's own settings (unit, resamples, seed) are reused.
    const settings = options.bootstrap ?? plainSettings(reference);
    const clusterName = reference.score.bootstrap.unit === "cluster" ? reference.score.bootstrap.unitName : undefined;
    const paired = pairedBootstrap({
      gold,
      predA,
      predB,
      metric: "accuracy",
      bootstrap: bootstrapClusters(evaluation.graded, settings, clusterName),
    });
    const test = mcnemar({
      correctA: evaluation.graded.map((item) => item.exact),
      correctB: reference.graded.map((item) => item.exact),
    });
    return {
      ...row,
      vsReference: reference.model,
      accuracyDifference: paired.difference.value,
      differenceLow: paired.difference.low,
      differenceHigh: paired.difference.high,
      interval: paired.label,
      mcnemarP: test.pValue,
      mcnemarMethod: test.methodLabel,
    };
  });
}

function plainSettings(evaluation: Evaluation): BootstrapOptions {
  const { resamples, seed, confidence, unit, seedSource } = evaluation.score.bootstrap;
  return { resamples, seed, confidence, unit, ...(seedSource ? { seedSource } : {}) };
}
