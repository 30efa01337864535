/**
 * Plotly figures as plain values ({data, layout}); display with report.show(fig) in a notebook, or write
 * them out. Figures built from sample data say so in their title: they show the pipeline, not a result.
 */
export interface Figure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

export type F1Row = {
  labeler: string;
  type: string;
  f1: number;
  f1Ci?: [number, number];
};

function title(text: string, sample: boolean): string {
  return sample ? `SAMPLE DATA (pipeline demo, not a result): ${text}` : text;
}

/** Grouped bars: F1 per entity type, one bar group per type and one colour per labeler; CIs as error bars. */
export function f1ByTypeFigure(rows: readonly F1Row[], options: { sample: boolean; mode?: string }): Figure {
  const labelers = [...new Set(rows.map((row) => row.labeler))];
  const types = [...new Set(rows.map((row) => row.type))];
  const data = labelers.map((labeler) => {
    const mine = types.map((type) => rows.find((row) => row.labeler === labeler && row.type === type));
    const hasCi = mine.some((row) => row?.f1Ci);
    return {
      type: "bar",
      name: labeler,
      x: types,
      y: mine.map((row) => row?.f1 ?? null),
      ...(hasCi
        ? {
            error_y: {
              type: "data",
              symmetric: false,
              array: mine.map((row) => (row?.f1Ci ? row.f1Ci[1] - row.f1 : 0)),
              arrayminus: mine.map((row) => (row?.f1Ci ? row.f1 - row.f1Ci[0] : 0)),
            },
          }
        : {}),
    };
  });
  return {
    data,
    layout: {
      title: { text: title(`entity F1 by type and labeler (${options.mode ?? "strict"})`, options.sample) },
      barmode: "group",
      yaxis: { title: { text: "F1" }, range: [0, 1] },
      xaxis: { title: { text: "entity type" } },
      // Below the axis title, so the two never overlap.
      legend: { orientation: "h", y: -0.22, yanchor: "top" },
      margin: { b: 120 },
    },
  };
}

export type SpeedCostRow = {
  system: string;
  notesPerSecond?: number;
  costPer1000Notes?: number;
  /** How the figures were obtained, shown on hover: "measured here", "estimated from token prices", ... */
  basis: string;
};

/** Speed (notes/s) against cost per 1,000 notes, both on log axes; systems without both figures are left out and named. */
export function speedCostFigure(rows: readonly SpeedCostRow[], options: { sample: boolean }): Figure {
  const plotted = rows.filter((row) => (row.notesPerSecond ?? 0) > 0 && (row.costPer1000Notes ?? 0) > 0);
  const missing = rows.filter((row) => !plotted.includes(row)).map((row) => row.system);
  return {
    data: [
      {
        type: "scatter",
        mode: "markers+text",
        x: plotted.map((row) => row.notesPerSecond),
        y: plotted.map((row) => row.costPer1000Notes),
        text: plotted.map((row) => row.system),
        textposition: "top center",
        hovertext: plotted.map((row) => row.basis),
        marker: { size: 12 },
      },
    ],
    layout: {
      title: { text: title("speed and cost per 1,000 notes", options.sample) },
      // "power" ticks (10^-6) rather than SI suffixes (5µ), which read wrongly for dollars.
      xaxis: { type: "log", title: { text: "notes per second (log)" }, exponentformat: "power" },
      yaxis: { type: "log", title: { text: "USD per 1,000 notes (log)" }, exponentformat: "power" },
      margin: { b: 110 },
      ...(missing.length > 0
        ? {
            annotations: [
              {
                text: `not plotted (no speed or cost): ${missing.join(", ")}`,
                showarrow: false,
                xref: "paper",
                yref: "paper",
                x: 0,
                y: -0.25,
              },
            ],
          }
        : {}),
    },
  };
}
