/**
 * n2c2 2018 Track 1 (cohort selection) scoring, two ways, both labelled:
 * - `n2c2OfficialScore`: what the challenge's track1_eval.py prints. Per criterion and class (met, not met):
 *   precision, recall, specificity, F1 (from P and R), and "AUC" = (recall + specificity) / 2; any 0/0 = 0.
 *   "Overall (micro)": counts pooled over all criteria and patients, F = mean of the two class F1s.
 *   "Overall (macro)": mean over criteria of each criterion's (F1_met + F1_notmet) / 2.
 *   Values are compared after lower-casing and trimming; criterion names after trimming and upper-casing.
 * - `n2c2PaperScore`: the distillation paper's reduction: per criterion, sklearn balanced accuracy and F1 of
 *   met vs not met, then the unweighted mean over the criteria.
 * Input is complete or it is an error: every gold patient and criterion must be predicted, and every value
 * must be "met" or "not met"; the error names each patient and criterion at fault.
 */

import {
  type BootstrapOptions,
  type Estimate,
  percentileInterval,
  Resampler,
  resolveBootstrap,
} from "../core/bootstrap.js";
import { hasMarker, ToolkitError } from "../core/errors.js";
import { N2C2_CRITERIA } from "../data/n2c2-criteria.js";
import { balancedAccuracy, binaryF1, classificationReport } from "./metrics.js";

/** The 13 Track 1 criteria (one definition, in lib/data; also the official scorer's order). */
export { N2C2_CRITERIA };

export type N2c2Value = "met" | "not met";
/** patient id -> criterion -> "met" | "not met" (case and surrounding spaces are forgiven). */
export type N2c2Labels = Record<string, Record<string, string>>;

export interface N2c2ScoreArgs {
  gold: N2c2Labels;
  pred: N2c2Labels;
  /** Criteria to score (default the 13 of Track 1). */
  criteria?: readonly string[];
}

const N2C2_INPUT_ERROR = Symbol.for("clinical-distill.N2c2InputError");

/** Raised when gold or prediction is incomplete or holds an unknown value; `problems` lists each one. */
export class N2c2InputError extends ToolkitError {
  readonly problems: string[];
  readonly [N2C2_INPUT_ERROR] = true;

  /** Recognises the error by its marker, not instanceof: a notebook may load two copies of this class. */
  static isInstance(value: unknown): value is N2c2InputError {
    return hasMarker(value, N2C2_INPUT_ERROR);
  }

  /** `file`: the file or folder at fault, when one is. */
  constructor(problems: string[], file?: string) {
    const shown = problems.slice(0, 20).map((problem) => `  - ${problem}`);
    if (problems.length > 20) shown.push(`  - ... and ${problems.length - 20} more`);
    super(`n2c2 scoring refused: ${problems.length} problem(s) in the input:\n${shown.join("\n")}`, {
      stage: "eval",
      file,
    });
    this.name = "N2c2InputError";
    this.problems = problems;
  }
}

interface AlignedLabels {
  criteria: string[];
  patients: string[];
  /** gold[criterion][patient index], pred likewise. */
  gold: Record<string, N2c2Value[]>;
  pred: Record<string, N2c2Value[]>;
}

function normaliseValue(value: unknown): N2c2Value | null {
  if (typeof value !== "string") return null;
  const clean = value.trim().toLowerCase();
  return clean === "met" || clean === "not met" ? clean : null;
}

function byCriterion(labels: Record<string, string>): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const [key, value] of Object.entries(labels)) map.set(key.trim().toUpperCase(), value);
  return map;
}

/** Check completeness and align gold and pred as per-criterion arrays over sorted patient ids. */
function align(args: N2c2ScoreArgs): AlignedLabels {
  const criteria = (args.criteria ?? N2C2_CRITERIA).map((name) => name.trim().toUpperCase());
  const problems: string[] = [];
  if (typeof args.gold !== "object" || args.gold === null || typeof args.pred !== "object" || args.pred === null) {
    throw new N2c2InputError(["gold and pred must both be objects: patient id -> criterion -> value"]);
  }
  const patients = Object.keys(args.gold).sort();
  if (patients.length === 0) problems.push("gold has no patients");
  for (const patient of Object.keys(args.pred)) {
    if (!(patient in args.gold)) problems.push(`prediction has patient "${patient}" that gold does not`);
  }
  const gold: Record<string, N2c2Value[]> = {};
  const pred: Record<string, N2c2Value[]> = {};
  for (const criterion of criteria) {
    gold[criterion] = [];
    pred[criterion] = [];
  }
  for (const patient of patients) {
    const goldRow = byCriterion(args.gold[patient] ?? {});
    const predSource = args.pred[patient];
    if (predSource === undefined) {
      problems.push(`prediction is missing patient "${patient}"`);
      continue;
    }
    const predRow = byCriterion(predSource);
    for (const criterion of criteria) {
      const goldValue = normaliseValue(goldRow.get(criterion));
      const predValue = normaliseValue(predRow.get(criterion));
      if (!goldRow.has(criterion)) problems.push(`gold patient "${patient}" is missing criterion ${criterion}`);
      else if (goldValue === null) {
        problems.push(
          `gold patient "${patient}" ${criterion} = ${JSON.stringify(goldRow.get(criterion))}, not "met"/"not met"`,
        );
      }
      if (!predRow.has(criterion))
        problems.push(`prediction for patient "${patient}" is missing criterion ${criterion}`);
      else if (predValue === null) {
        problems.push(
          `prediction for patient "${patient}" ${criterion} = ${JSON.stringify(predRow.get(criterion))}, not "met"/"not met"`,
        );
      }
      if (goldValue && predValue) {
        gold[criterion].push(goldValue);
        pred[criterion].push(predValue);
      }
    }
    for (const key of predRow.keys()) {
      if (!criteria.includes(key)) problems.push(`prediction for patient "${patient}" has unknown criterion ${key}`);
    }
  }
  if (problems.length > 0) throw new N2c2InputError(problems);
  return { criteria, patients, gold, pred };
}

/** One class's measures as the official scorer computes them. */
export interface N2c2ClassMeasures {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  specificity: number;
  f1: number;
  /** (recall + specificity) / 2, the scorer's "AUC". */
  auc: number;
}

function measures(tp: number, fp: number, fn: number, tn: number): N2c2ClassMeasures {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const specificity = fp + tn === 0 ? 0 : tn / (fp + tn);
  // F from P and R exactly as the scorer writes it: 2PR / (P + R), 0 when P + R = 0.
  const f1 = precision + recall === 0 ? 0 : (2 * (precision * recall)) / (precision + recall);
  return { tp, fp, fn, tn, precision, recall, specificity, f1, auc: (recall + specificity) / 2 };
}

function classMeasures(gold: N2c2Value[], pred: N2c2Value[], value: N2c2Value): N2c2ClassMeasures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < gold.length; i++) {
    const isGold = gold[i] === value;
    const isPred = pred[i] === value;
    if (isGold && isPred) tp++;
    else if (isPred) fp++;
    else if (isGold) fn++;
    else tn++;
  }
  return measures(tp, fp, fn, tn);
}

export interface N2c2CriterionOfficial {
  criterion: string;
  met: N2c2ClassMeasures;
  notMet: N2c2ClassMeasures;
  /** (F1_met + F1_notmet) / 2: the scorer's "overall F(b=1)" column. */
  f1: number;
  /** The met class's (recall + specificity) / 2: the scorer's "AUC" column. */
  auc: number;
}

type MeanMeasures = Pick<N2c2ClassMeasures, "precision" | "recall" | "specificity" | "f1" | "auc">;

export interface N2c2OfficialScore {
  patients: number;
  criteria: N2c2CriterionOfficial[];
  /** "Overall (micro)": pooled counts; f1 = (F1_met + F1_notmet) / 2 is the challenge's ranking score. */
  micro: { met: N2c2ClassMeasures; notMet: N2c2ClassMeasures; f1: number; auc: number };
  /** "Overall (macro)": each measure averaged over criteria; f1 = mean of the criteria's f1. */
  macro: { met: MeanMeasures; notMet: MeanMeasures; f1: number; auc: number };
}

function meanMeasures(rows: N2c2ClassMeasures[]): MeanMeasures {
  const mean = (key: keyof MeanMeasures) => rows.reduce((sum, row) => sum + row[key], 0) / rows.length;
  return {
    precision: mean("precision"),
    recall: mean("recall"),
    specificity: mean("specificity"),
    f1: mean("f1"),
    auc: mean("auc"),
  };
}

/** The challenge's official Track 1 scores (see the file comment). */
export function n2c2OfficialScore(args: N2c2ScoreArgs): N2c2OfficialScore {
  const aligned = align(args);
  const criteria = aligned.criteria.map((criterion): N2c2CriterionOfficial => {
    const met = classMeasures(aligned.gold[criterion], aligned.pred[criterion], "met");
    const notMet = classMeasures(aligned.gold[criterion], aligned.pred[criterion], "not met");
    return { criterion, met, notMet, f1: (met.f1 + notMet.f1) / 2, auc: met.auc };
  });
  const pool = (pick: (row: N2c2CriterionOfficial) => N2c2ClassMeasures) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (const row of criteria) {
      const m = pick(row);
      tp += m.tp;
      fp += m.fp;
      fn += m.fn;
      tn += m.tn;
    }
    return measures(tp, fp, fn, tn);
  };
  const microMet = pool((row) => row.met);
  const microNotMet = pool((row) => row.notMet);
  const macroMet = meanMeasures(criteria.map((row) => row.met));
  const macroNotMet = meanMeasures(criteria.map((row) => row.notMet));
  return {
    patients: aligned.patients.length,
    criteria,
    micro: { met: microMet, notMet: microNotMet, f1: (microMet.f1 + microNotMet.f1) / 2, auc: microMet.auc },
    macro: {
      met: macroMet,
      notMet: macroNotMet,
      f1: criteria.reduce((sum, row) => sum + row.f1, 0) / criteria.length,
      auc: macroMet.auc,
    },
  };
}

export interface N2c2CriterionPaper {
  criterion: string;
  n: number;
  /** sklearn balanced_accuracy_score(gold, pred): mean recall over the classes present in gold. */
  balancedAccuracy: number;
  /** sklearn f1_score(gold, pred) with met as the positive class (average="binary"), zero_division=0. */
  f1Met: number;
  /** sklearn f1_score average="micro" (equals accuracy here). */
  microF1: number;
  /** sklearn f1_score average="macro" over the classes present. */
  macroF1: number;
}

export interface N2c2PaperScore {
  criteria: N2c2CriterionPaper[];
  /** Unweighted means over the criteria, as the paper reports them. */
  mean: Omit<N2c2CriterionPaper, "criterion" | "n">;
}

/** The distillation paper's reduction: sklearn metrics per criterion, unweighted mean over criteria. */
export function n2c2PaperScore(args: N2c2ScoreArgs): N2c2PaperScore {
  const aligned = align(args);
  const criteria = aligned.criteria.map((criterion): N2c2CriterionPaper => {
    const pairs = { gold: aligned.gold[criterion], pred: aligned.pred[criterion] };
    const report = classificationReport(pairs);
    return {
      criterion,
      n: report.n,
      balancedAccuracy: balancedAccuracy(pairs),
      f1Met: binaryF1({ ...pairs, positive: "met" }),
      microF1: report.microF1,
      macroF1: report.macroF1,
    };
  });
  const mean = (key: "balancedAccuracy" | "f1Met" | "microF1" | "macroF1") =>
    criteria.reduce((sum, row) => sum + row[key], 0) / criteria.length;
  return {
    criteria,
    mean: {
      balancedAccuracy: mean("balancedAccuracy"),
      f1Met: mean("f1Met"),
      microF1: mean("microF1"),
      macroF1: mean("macroF1"),
    },
  };
}

export interface N2c2Intervals {
  patients: number;
  /** Official "Overall (micro)" F and "Overall (macro)" F. */
  officialMicroF1: Estimate;
  officialMacroF1: Estimate;
  /** The paper's means over criteria. */
  paperBalancedAccuracy: Estimate;
  paperF1Met: Estimate;
  bootstrap: { resamples: number; seed: number; confidence: number; method: "percentile"; unit: "patient" };
}

/**
 * Bootstrap intervals for the headline n2c2 scores, resampling **patients** (all criteria of a patient stay
 * together: a patient's answers are not independent of each other). Point values equal n2c2OfficialScore
 * and n2c2PaperScore on the same input; the input is checked the same way.
 */
export function n2c2ScoreIntervals(args: N2c2ScoreArgs & { bootstrap?: BootstrapOptions }): N2c2Intervals {
  const aligned = align(args);
  const patientCount = aligned.patients.length;
  const options = resolveBootstrap(args.bootstrap, patientCount, "n2c2ScoreIntervals");
  const criteriaCount = aligned.criteria.length;
  // goldMet[c * P + p], predMet likewise: 1 for met.
  const goldMet = new Uint8Array(criteriaCount * patientCount);
  const predMet = new Uint8Array(criteriaCount * patientCount);
  aligned.criteria.forEach((criterion, c) => {
    for (let p = 0; p < patientCount; p++) {
      goldMet[c * patientCount + p] = aligned.gold[criterion][p] === "met" ? 1 : 0;
      predMet[c * patientCount + p] = aligned.pred[criterion][p] === "met" ? 1 : 0;
    }
  });
  const out = new Float64Array(4);
  // Scores from patient weights (how often each patient was drawn), same formulas as the point scorers.
  const scoreWeights = (weights: ArrayLike<number>) => {
    let microMet = [0, 0, 0, 0]; // tp fp fn tn for met; not met mirrors it
    let macroF1Sum = 0;
    let balancedSum = 0;
    let f1MetSum = 0;
    for (let c = 0; c < criteriaCount; c++) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let tn = 0;
      for (let p = 0; p < patientCount; p++) {
        const w = weights[p];
        if (w === 0) continue;
        const g = goldMet[c * patientCount + p];
        const q = predMet[c * patientCount + p];
        if (g && q) tp += w;
        else if (q) fp += w;
        else if (g) fn += w;
        else tn += w;
      }
      microMet = [microMet[0] + tp, microMet[1] + fp, microMet[2] + fn, microMet[3] + tn];
      const met = measures(tp, fp, fn, tn);
      const notMet = measures(tn, fn, fp, tp);
      macroF1Sum += (met.f1 + notMet.f1) / 2;
      // sklearn balanced accuracy: mean recall over the classes present in gold.
      let recallSum = 0;
      let present = 0;
      if (tp + fn > 0) {
        recallSum += tp / (tp + fn);
        present++;
      }
      if (tn + fp > 0) {
        recallSum += tn / (tn + fp);
        present++;
      }
      balancedSum += present === 0 ? Number.NaN : recallSum / present;
      f1MetSum += 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    }
    const [tp, fp, fn, tn] = microMet;
    out[0] = (measures(tp, fp, fn, tn).f1 + measures(tn, fn, fp, tp).f1) / 2;
    out[1] = macroF1Sum / criteriaCount;
    out[2] = balancedSum / criteriaCount;
    out[3] = f1MetSum / criteriaCount;
    return out;
  };
  const point = Array.from(scoreWeights(new Float64Array(patientCount).fill(1)));
  const R = options.resamples;
  const values = [0, 1, 2, 3].map(() => new Float64Array(R));
  const resampler = new Resampler(patientCount, options.seed, args.bootstrap?.strata);
  const identity = Int32Array.from({ length: patientCount }, (_, p) => p);
  const weights = new Int32Array(patientCount);
  for (let r = 0; r < R; r++) {
    weights.fill(0);
    resampler.accumulate(identity, weights);
    const scores = scoreWeights(weights);
    for (let m = 0; m < 4; m++) values[m][r] = scores[m];
  }
  return {
    patients: patientCount,
    officialMicroF1: percentileInterval(point[0], values[0], options.confidence),
    officialMacroF1: percentileInterval(point[1], values[1], options.confidence),
    paperBalancedAccuracy: percentileInterval(point[2], values[2], options.confidence),
    paperF1Met: percentileInterval(point[3], values[3], options.confidence),
    bootstrap: { ...options, method: "percentile", unit: "patient" },
  };
}
