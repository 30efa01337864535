import { defaults } from "../../config/defaults.js";
import { type BootstrapOptions, bootstrapProportion, type Estimate } from "../../core/bootstrap.js";
import type { Figure } from "../../report/types.js";
import type { Evaluation } from "./evaluate.js";
import type { N2c2Evaluation } from "./n2c2/evaluate.js";
import { bootstrapClusters } from "./score.js";

/**
 * Figure builders: plain plotly {data, layout} values, shown with report.show and exported as they
 * are. Every bar carries its bootstrap interval, and the title's second line says what the bars are
 * ("error bars: 95% CI, 1,000 resamples of notes"). Titles say "SAMPLE" when asked to, so a figure
 * made from sample data cannot be mistaken for a result once it leaves the notebook.
 */
export interface FigureOptions {
  title: string;
  /** Prefix the title with "SAMPLE DATA, NOT A RESULT: " (the demo sets it). */
  sample?: boolean;
}

const finite = (value: number) => (Number.isFinite(value) ? value : null);

function errorBars(estimates: readonly (Pick<Estimate, "value" | "low" | "high"> | undefined)[]) {
  return {
    type: "data",
    symmetric: false,
    array: estimates.map((e) => (e && Number.isFinite(e.high) && Number.isFinite(e.value) ? e.high - e.value : null)),
    arrayminus: estimates.map((e) =>
      e && Number.isFinite(e.low) && Number.isFinite(e.value) ? e.value - e.low : null,
    ),
  };
}

/** The title, and under it what the error bars are (each distinct interval label once). */
function title(options: FigureOptions, intervals: readonly string[] = []): { text: string } {
  const text = options.sample ? `SAMPLE DATA, NOT A RESULT: ${options.title}` : options.title;
  const labels = [...new Set(intervals)];
  return { text: labels.length === 0 ? text : `${text}<br><sub>error bars: ${labels.join("; ")}</sub>` };
}

function barLayout(
  options: FigureOptions,
  yTitle: string,
  intervals: readonly string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    title: title(options, intervals),
    barmode: "group",
    yaxis: { title: { text: yTitle }, range: [0, 1.05] },
    xaxis: { automargin: true },
    legend: { orientation: "h", y: -0.25 },
    margin: { t: 60, b: 120 },
    ...extra,
  };
}

/**
 * Bars per question (or criterion), one trace per model: each question's headline metric (balanced
 * accuracy for yes/no questions, exact-match accuracy for numeric ones) with its CI.
 */
export function questionBarsFigure(evaluations: readonly Evaluation[], options: FigureOptions): Figure {
  return {
    data: evaluations.map((evaluation) => ({
      type: "bar",
      name: evaluation.model,
      x: evaluation.rows.map((row) => row.questionId),
      y: evaluation.rows.map((row) => finite(row.value)),
      error_y: errorBars(evaluation.rows),
      customdata: evaluation.rows.map((row) => [row.metric, row.n]),
      hovertemplate: "%{x}<br>%{customdata[0]} %{y:.3f} (n=%{customdata[1]})<extra>%{fullData.name}</extra>",
    })),
    layout: barLayout(
      options,
      "balanced accuracy (yes/no) or accuracy (numeric)",
      evaluations.map((evaluation) => evaluation.score.bootstrap.label),
    ),
  };
}

/** Accuracy per question type, one trace per model, with CIs; numeric types are exact match. */
export function typeAccuracyFigure(evaluations: readonly Evaluation[], options: FigureOptions): Figure {
  const types = [...new Set(evaluations.flatMap((evaluation) => Object.keys(evaluation.score.byType)))].sort();
  return {
    data: evaluations.map((evaluation) => {
      const estimates = types.map((type) => evaluation.score.byType[type]?.accuracy);
      return {
        type: "bar",
        name: evaluation.model,
        x: types,
        y: estimates.map((estimate) => (estimate ? finite(estimate.value) : null)),
        error_y: errorBars(estimates),
      };
    }),
    layout: barLayout(
      options,
      "accuracy",
      evaluations.map((evaluation) => evaluation.score.bootstrap.label),
    ),
  };
}

/** Overall metrics per model (accuracy, balanced accuracy, macro-F1) with CIs. */
export function modelSummaryFigure(evaluations: readonly Evaluation[], options: FigureOptions): Figure {
  const metrics = [
    ["accuracy", "accuracy"],
    ["balancedAccuracy", "balanced accuracy"],
    ["macroF1", "macro-F1"],
  ] as const;
  return {
    data: metrics.map(([key, label]) => {
      const estimates = evaluations.map((evaluation) => evaluation.score.overall[key]);
      return {
        type: "bar",
        name: label,
        x: evaluations.map((evaluation) => evaluation.model),
        y: estimates.map((estimate) => finite(estimate.value)),
        error_y: errorBars(estimates),
      };
    }),
    layout: barLayout(
      options,
      "score",
      evaluations.map((evaluation) => evaluation.score.bootstrap.label),
    ),
  };
}

/** Error rate by teacher-assigned difficulty, one estimate per difficulty level. */
export interface CalibrationPoint {
  model: string;
  difficulty: number;
  n: number;
  errorRate: Estimate;
  /** What errorRate's interval is: "95% CI, 1,000 resamples of notes". */
  interval: string;
}

/**
 * Error rate with a bootstrap CI at each difficulty level, per model (items without difficulty are left
 * out). By default a level's interval resamples the notes its items come from.
 */
export function calibrationPoints(evaluations: readonly Evaluation[], options: { bootstrap?: BootstrapOptions } = {}) {
  const points: CalibrationPoint[] = [];
  for (const evaluation of evaluations) {
    const byLevel = new Map<number, Evaluation["graded"]>();
    for (const item of evaluation.graded) {
      if (item.difficulty === undefined) continue;
      const list = byLevel.get(item.difficulty) ?? [];
      list.push(item);
      byLevel.set(item.difficulty, list);
    }
    for (const [difficulty, items] of [...byLevel].sort((a, b) => a[0] - b[0])) {
      const errorRate = bootstrapProportion(
        items.map((item) => !item.exact),
        bootstrapClusters(items, options.bootstrap),
      );
      const { value, low, high, undefinedResamples } = errorRate;
      points.push({
        model: evaluation.model,
        difficulty,
        n: items.length,
        errorRate: { value, low, high, undefinedResamples },
        interval: errorRate.label,
      });
    }
  }
  return points;
}

/** Calibration of the teacher's difficulty against errors: error rate by difficulty level, per model. */
export function calibrationFigure(points: readonly CalibrationPoint[], options: FigureOptions): Figure {
  const models = [...new Set(points.map((point) => point.model))];
  return {
    data: models.map((model) => {
      const mine = points.filter((point) => point.model === model);
      return {
        type: "scatter",
        mode: "lines+markers",
        name: model,
        x: mine.map((point) => point.difficulty),
        y: mine.map((point) => finite(point.errorRate.value)),
        error_y: errorBars(mine.map((point) => point.errorRate)),
        customdata: mine.map((point) => point.n),
        hovertemplate: "difficulty %{x}: error rate %{y:.3f} (n=%{customdata})<extra>%{fullData.name}</extra>",
      };
    }),
    layout: {
      title: title(
        options,
        points.map((point) => point.interval),
      ),
      xaxis: { title: { text: "teacher-assigned difficulty (1-10)" }, dtick: 1 },
      yaxis: { title: { text: "error rate" }, range: [0, 1.05] },
      legend: { orientation: "h", y: -0.25 },
    },
  };
}

/**
 * n2c2: the official per-criterion F1 ((F1 met + F1 not met) / 2) and the official overall micro-F1
 * per model, with bootstrap CIs (by default over patients; the title says), and a reference line at the best 2018 system's micro-F1.
 */
export function n2c2CriteriaFigure(
  evaluations: readonly N2c2Evaluation[],
  options: FigureOptions & { referenceMicroF1?: number },
): Figure {
  const reference = options.referenceMicroF1 ?? defaults.eval.n2c2.referenceMicroF1;
  return {
    data: evaluations.map((evaluation) => {
      const criteria = evaluation.official.criteria.map((row) => row.criterion);
      const intervals = criteria.map((criterion) => evaluation.intervals.criteria[criterion]);
      const values = evaluation.official.criteria.map((row) => row.f1);
      const overall = evaluation.intervals.micro;
      return {
        type: "bar",
        name: evaluation.model,
        x: [...criteria, "OVERALL (micro)"],
        y: [...values, evaluation.official.micro.f1].map(finite),
        error_y: errorBars([
          ...intervals.map((interval, i) => (interval ? { ...interval, value: values[i] } : undefined)),
          { ...overall, value: evaluation.official.micro.f1 },
        ]),
      };
    }),
    layout: barLayout(
      options,
      "official F1 ((F1 met + F1 not met) / 2)",
      evaluations.map((evaluation) => evaluation.intervals.bootstrap.label),
      {
        shapes: [
          {
            type: "line",
            xref: "paper",
            x0: 0,
            x1: 1,
            y0: reference,
            y1: reference,
            line: { dash: "dash", width: 2, color: "#444" },
          },
        ],
        annotations: [
          {
            xref: "paper",
            x: 1,
            y: reference,
            xanchor: "right",
            yanchor: "bottom",
            showarrow: false,
            text: `best 2018 system: micro-F1 ${reference}`,
          },
        ],
      },
    ),
  };
}
