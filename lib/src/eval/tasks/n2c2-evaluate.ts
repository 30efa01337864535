import {
  type N2c2Labels,
  type N2c2OfficialScore,
  type N2c2PaperScore,
  n2c2OfficialScore,
  n2c2PaperScore,
} from "../n2c2-score.js";
import type { GradedItem } from "./grade.js";
import { N2C2_QUESTIONS } from "./n2c2-questions.js";
import { type ScoreOptions, scoreGraded, type TaskScore } from "./score.js";

/** n2c2 scores of one model, three views, each labelled where it is shown. */
export interface N2c2Evaluation {
  model: string;
  /** The challenge's official scorer: per criterion P/R/F1 for met and not met, overall micro and macro F1. */
  official: N2c2OfficialScore;
  /** The distillation paper's reduction: per-criterion balanced accuracy and F1(met), unweighted mean. */
  paper: N2c2PaperScore;
  /**
   * Item-level scores with bootstrap CIs over (patient, criterion) items. With the classes fixed to
   * met / not met, overall.macroF1 equals the official micro-F1 and byQuestion[c].macroF1 the official
   * per-criterion F1, so these give their intervals.
   */
  items: TaskScore;
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

/** Score graded n2c2 items the official way, the paper's way, and with item-level CIs. */
export function evaluateN2c2(model: string, graded: readonly GradedItem[], options: ScoreOptions = {}): N2c2Evaluation {
  const labels = n2c2Labels(graded);
  return {
    model,
    official: n2c2OfficialScore(labels),
    paper: n2c2PaperScore(labels),
    items: scoreGraded(model, graded, {
      ...options,
      labels: ["met", "not met"],
      questionIds: N2C2_QUESTIONS.map((question) => question.id),
    }),
  };
}

/** Per-criterion rows as the official scorer reports them, with the item-level CI of the criterion F1. */
export function n2c2CriteriaRows(evaluation: N2c2Evaluation): Record<string, unknown>[] {
  return evaluation.official.criteria.map((row) => {
    const interval = evaluation.items.byQuestion[row.criterion]?.macroF1;
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
      "F1 95% CI": interval ? `[${interval.low.toFixed(3)}, ${interval.high.toFixed(3)}]` : "",
      "paper: balanced acc": paper?.balancedAccuracy,
      "paper: F1(met)": paper?.f1Met,
    };
  });
}

/** One summary row: the official overall scores and the paper's reduction, each labelled. */
export function n2c2SummaryRow(evaluation: N2c2Evaluation, split: string): Record<string, unknown> {
  const micro = evaluation.items.overall.macroF1;
  return {
    model: evaluation.model,
    split,
    patients: evaluation.official.patients,
    "official micro-F1": evaluation.official.micro.f1,
    "micro-F1 95% CI": `[${micro.low.toFixed(3)}, ${micro.high.toFixed(3)}]`,
    "official macro-F1": evaluation.official.macro.f1,
    "paper: mean balanced acc": evaluation.paper.mean.balancedAccuracy,
    "paper: mean F1(met)": evaluation.paper.mean.f1Met,
  };
}
