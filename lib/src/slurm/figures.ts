import type { LossPoint } from "./trainer-log.js";

/** A plain plotly figure value: display it with report.show or write it to HTML. */
export interface Figure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/**
 * Training loss against optimiser step (and evaluation loss when logged). `sample: true` marks the title so
 * a curve from a project-written sample log is never mistaken for a real run.
 */
export function lossCurveFigure(
  points: readonly LossPoint[],
  options: { title?: string; sample?: boolean } = {},
): Figure {
  const train = points.filter((point) => Number.isFinite(point.loss));
  const evaluation = points.filter((point) => point.evalLoss !== undefined);
  const data: Record<string, unknown>[] = [
    {
      type: "scatter",
      mode: "lines+markers",
      name: "training loss",
      x: train.map((point) => point.step),
      y: train.map((point) => point.loss),
    },
  ];
  if (evaluation.length > 0) {
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: "evaluation loss",
      x: evaluation.map((point) => point.step),
      y: evaluation.map((point) => point.evalLoss),
    });
  }
  const title = (options.title ?? "Fine-tuning loss") + (options.sample ? " (SAMPLE log, not a real run)" : "");
  return {
    data,
    layout: {
      title: { text: title },
      xaxis: { title: { text: "optimiser step" } },
      yaxis: { title: { text: "loss" } },
      template: "plotly_white",
    },
  };
}
