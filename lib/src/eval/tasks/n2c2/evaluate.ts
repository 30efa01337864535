import {
  type BootstrapOptions,
  type BootstrapPlanInfo,
  bootstrapPlan,
  type Estimate,
  KeyResampler,
  percentileInterval,
} from "../../../core/bootstrap.js";
import { ToolkitError } from "../../../core/errors.js";
import {
  type N2c2Labels,
  type N2c2OfficialScore,
  type N2c2PaperScore,
  n2c2OfficialScore,
  n2c2PaperScore,
} from "../../n2c2-score.js";
import type { GradedItem } from "../grade.js";
import { bootstrapClusters, type ScoreOptions, scoreGraded, type TaskScore } from "../score.js";
import { N2C2_QUESTIONS } from "./questions.js";

/** n2c2 scores of one model, three views, each labelled where it is shown. */
export interface N2c2Evaluation {
  model: string;
  /** The challenge's official scorer: per criterion P/R/F1 for met and not met, overall micro and macro F1. */
  official: N2c2OfficialScore;
  /** The distillation paper's reduction: per-criterion balanced accuracy and F1(met), unweighted mean. */
  paper: N2c2PaperScore;
  /**
   * Intervals of the official scores from one bootstrap (by default over patients): overall micro F,
   * overall macro F, and each criterion's F, all recomputed on every resample.
   */
  intervals: N2c2OfficialIntervals;
  /**
   * Every summary metric over (patient, criterion) items, with CIs from the same resamples as
   * `intervals` (same seed, same units). With the classes fixed to met / not met, overall.macroF1 equals
   * the official micro-F1 and byQuestion[c].macroF1 the official per-criterion F1.
   */
  items: TaskScore;
}

/** Bootstrap intervals of the official scorer's F scores. */
export interface N2c2OfficialIntervals {
  micro: Estimate;
  macro: Estimate;
  /** criterion -> interval of its (F1 met + F1 not met) / 2. */
  criteria: Record<string, Estimate>;
  bootstrap: BootstrapPlanInfo;
}

/** The official scorer's F for one class from its counts: 2PR / (P + R), every 0/0 read as 0. */
function officialF(tp: number, fp: number, fn: number): number {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return precision + recall === 0 ? 0 : (2 * (precision * recall)) / (precision + recall);
}

/**
 * Percentile intervals of the official micro F, macro F and per-criterion F. Each item is keyed by
 * (criterion, gold met, predicted met); a resample tallies keys (whole patients by default, see
 * bootstrapClusters), and all scores come from the four counts per criterion, as the official scorer's.
 */
export function n2c2OfficialIntervals(
  graded: readonly GradedItem[],
  criteria: readonly string[],
  bootstrap?: BootstrapOptions,
): N2c2OfficialIntervals {
  const options = bootstrapClusters(graded, bootstrap, "patients");
  const plan = bootstrapPlan(options, graded.length, "n2c2OfficialIntervals");
  const criterionIndex = new Map(criteria.map((criterion, c) => [criterion, c]));
  const keyOf = Int32Array.from(graded, (item) => {
    const c = criterionIndex.get(item.questionId);
    if (c === undefined)
      throw new ToolkitError(`n2c2 item ${item.itemId}: criterion ${item.questionId} is not scored`, { stage: "eval" });
    return c * 4 + (item.gold === "met" ? 2 : 0) + (item.pred === "met" ? 1 : 0);
  });
  const C = criteria.length;
  const tally = new Int32Array(C * 4);
  const out = new Float64Array(C + 2);
  // out[c] = criterion c's F, out[C] = micro F, out[C + 1] = macro F.
  const score = () => {
    let microTp = 0;
    let microFp = 0;
    let microFn = 0;
    let microTn = 0;
    let macroSum = 0;
    for (let c = 0; c < C; c++) {
      const tn = tally[c * 4];
      const fp = tally[c * 4 + 1];
      const fn = tally[c * 4 + 2];
      const tp = tally[c * 4 + 3];
      out[c] = (officialF(tp, fp, fn) + officialF(tn, fn, fp)) / 2;
      macroSum += out[c];
      microTp += tp;
      microFp += fp;
      microFn += fn;
      microTn += tn;
    }
    out[C] = (officialF(microTp, microFp, microFn) + officialF(microTn, microFn, microFp)) / 2;
    out[C + 1] = macroSum / C;
  };
  for (let i = 0; i < keyOf.length; i++) tally[keyOf[i]]++;
  score();
  const point = Float64Array.from(out);
  const R = plan.info.resamples;
  const values = Array.from({ length: C + 2 }, () => new Float64Array(R));
  const resampler = new KeyResampler(keyOf, C * 4, plan);
  for (let r = 0; r < R; r++) {
    tally.fill(0);
    resampler.accumulate(tally);
    score();
    for (let s = 0; s < C + 2; s++) values[s][r] = graded.length === 0 ? Number.NaN : out[s];
  }
  const estimate = (s: number) => percentileInterval(point[s], values[s], plan.info.confidence);
  return {
    micro: estimate(C),
    macro: estimate(C + 1),
    criteria: Object.fromEntries(criteria.map((criterion, c) => [criterion, estimate(c)])),
    bootstrap: plan.info,
  };
}

/** Gold and predicted labels as patient -> criterion -> value, the official scorer's input. */
export function n2c2Labels(graded: readonly GradedItem[]): { gold: N2c2Labels; pred: N2c2Labels } {
  const gold: N2c2Labels = {};
  const pred: N2c2Labels = {};
  for (const item of graded) {
    // Patients of both splits may be scored together: keep their ids apart.
    const patient = item.split ? `${item.split}:${item.noteId}` : item.noteId;
    gold[patient] ??= {};
    pred[patient] ??= {};
    gold[patient][item.questionId] = item.gold;
    pred[patient][item.questionId] = item.pred;
  }
  return { gold, pred };
}

/** The class labels of every n2c2 criterion, fixed so a class that never occurs scores F1 0, as officially. */
export const N2C2_LABELS = ["met", "not met"] as const;

/**
 * The official and the paper's scores of graded n2c2 items beside their item scores (`items`, computed
 * once by the caller with the same bootstrap), and the official intervals from one bootstrap over
 * patients (or items, with `bootstrap.unit: "item"`).
 */
export function n2c2Scores(
  model: string,
  graded: readonly GradedItem[],
  items: TaskScore,
  bootstrap?: BootstrapOptions,
): N2c2Evaluation {
  const labels = n2c2Labels(graded);
  const official = n2c2OfficialScore(labels);
  return {
    model,
    official,
    paper: n2c2PaperScore(labels),
    intervals: n2c2OfficialIntervals(
      graded,
      official.criteria.map((row) => row.criterion),
      bootstrap,
    ),
    items,
  };
}

/**
 * Score graded n2c2 items the official way and the paper's way, with intervals from one bootstrap over
 * patients (or items, with `bootstrap.unit: "item"`).
 */
export function evaluateN2c2(model: string, graded: readonly GradedItem[], options: ScoreOptions = {}): N2c2Evaluation {
  const items = scoreGraded(model, graded, {
    ...options,
    labels: N2C2_LABELS,
    questionIds: N2C2_QUESTIONS.map((question) => question.id),
    clusterName: "patients",
  });
  return n2c2Scores(model, graded, items, options.bootstrap);
}

const formatInterval = (interval: Estimate | undefined) =>
  interval ? `[${interval.low.toFixed(3)}, ${interval.high.toFixed(3)}]` : "";

/** Per-criterion rows as the official scorer reports them, with the CI of the criterion F1 and its label. */
export function n2c2CriteriaRows(evaluation: N2c2Evaluation): Record<string, unknown>[] {
  return evaluation.official.criteria.map((row) => {
    const interval = evaluation.intervals.criteria[row.criterion];
    const paper = evaluation.paper.criteria.find((candidate) => candidate.criterion === row.criterion);
    return {
      model: evaluation.model,
      criterion: row.criterion,
      "P met": row.met.precision,
      "R met": row.met.recall,
      "F1 met": row.met.f1,
      "P not met": row.notMet.precision,
      "R not met": row.notMet.recall,
      "F1 not met": row.notMet.f1,
      "official F1": row.f1,
      "official F1 CI": formatInterval(interval),
      interval: evaluation.intervals.bootstrap.label,
      "paper: balanced acc": paper?.balancedAccuracy,
      "paper: F1(met)": paper?.f1Met,
    };
  });
}

/** One summary row: the official overall scores with their CIs and the paper's reduction, each labelled. */
export function n2c2SummaryRow(evaluation: N2c2Evaluation, split: string): Record<string, unknown> {
  const { intervals } = evaluation;
  return {
    model: evaluation.model,
    split,
    patients: evaluation.official.patients,
    "official micro-F1": evaluation.official.micro.f1,
    "micro-F1 CI": formatInterval(intervals.micro),
    "official macro-F1": evaluation.official.macro.f1,
    "macro-F1 CI": formatInterval(intervals.macro),
    interval: intervals.bootstrap.label,
    "paper: mean balanced acc": evaluation.paper.mean.balancedAccuracy,
    "paper: mean F1(met)": evaluation.paper.mean.f1Met,
  };
}
