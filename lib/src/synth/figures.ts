import { QUESTION_TYPES, type QuestionType } from "../prompts/teacher.js";
import type { Figure } from "../report/types.js";
import type { PrepareStats } from "./prepare.js";
import type { RejectReason, SynthRow } from "./types.js";

/**
 * Figures for steps b and c as plain plotly `{data, layout}` values (shown with report.show, exported
 * unchanged). Each takes numbers the steps already computed; none reads files.
 */

const TYPE_LABEL: Record<QuestionType, string> = {
  boolean: "yes/no",
  numeric: "numeric",
  na_numeric: "not answerable (numeric)",
  na_boolean: "not answerable (yes/no)",
};

function layout(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { text: title }, margin: { l: 60, r: 20, t: 50, b: 60 }, ...extra };
}

/** Rows per question type and split after balancing (grouped bars). */
export function typeBalanceFigure(stats: Pick<PrepareStats, "splits" | "variant">): Figure {
  return {
    data: (["train", "test"] as const).map((split) => ({
      type: "bar",
      name: split,
      x: QUESTION_TYPES.map((t) => TYPE_LABEL[t]),
      y: QUESTION_TYPES.map((t) => stats.splits[split].byType[t]),
    })),
    layout: layout(`Question types per split (${stats.variant})`, {
      barmode: "group",
      yaxis: { title: { text: "rows" } },
    }),
  };
}

/** Teacher-assigned difficulty (index 1..10 of each series), one bar series per name. */
export function difficultyFigure(
  series: Record<string, readonly number[]>,
  title = "Teacher-assigned difficulty",
): Figure {
  const levels = Array.from({ length: 10 }, (_, i) => i + 1);
  return {
    data: Object.entries(series).map(([name, counts]) => ({
      type: "bar",
      name,
      x: levels,
      y: levels.map((level) => counts[level] ?? 0),
    })),
    layout: layout(title, {
      barmode: "group",
      xaxis: { title: { text: "difficulty (1 easy - 10 hard)" }, dtick: 1 },
      yaxis: { title: { text: "questions" } },
    }),
  };
}

/** Rejects by reason, largest first (horizontal bars). */
export function rejectsFigure(
  byReason: Partial<Record<RejectReason | string, number>>,
  title = "Rejected by reason",
): Figure {
  const entries = Object.entries(byReason)
    .filter(([, n]) => (n ?? 0) > 0)
    .sort(([a, x], [b, y]) => (y ?? 0) - (x ?? 0) || (a < b ? -1 : 1));
  return {
    data: [
      {
        type: "bar",
        orientation: "h",
        x: entries.map(([, n]) => n),
        y: entries.map(([reason]) => reason),
      },
    ],
    layout: layout(title, {
      yaxis: { autorange: "reversed", automargin: true },
      xaxis: { title: { text: "count" } },
      height: 120 + 24 * entries.length,
    }),
  };
}

/** Answer categories per question type: Yes / No / NA / number (stacked bars). */
export function answerCounts(rows: Iterable<Pick<SynthRow, "question_type" | "answer" | "answer_number">>) {
  const counts = Object.fromEntries(QUESTION_TYPES.map((t) => [t, { Yes: 0, No: 0, NA: 0, number: 0 }])) as Record<
    QuestionType,
    { Yes: number; No: number; NA: number; number: number }
  >;
  for (const row of rows) {
    const bucket = counts[row.question_type];
    if (!bucket) continue;
    if (row.answer_number !== null) bucket.number++;
    else if (row.answer === "Yes" || row.answer === "No" || row.answer === "NA") bucket[row.answer]++;
  }
  return counts;
}

export function answerDistributionFigure(counts: ReturnType<typeof answerCounts>): Figure {
  return {
    data: (["Yes", "No", "NA", "number"] as const).map((answer) => ({
      type: "bar",
      name: answer,
      x: QUESTION_TYPES.map((t) => TYPE_LABEL[t]),
      y: QUESTION_TYPES.map((t) => counts[t][answer]),
    })),
    layout: layout("Answers per question type", { barmode: "stack", yaxis: { title: { text: "questions" } } }),
  };
}

/** Numeric answers' values on a log axis (one box per unit, the most common units). */
export function numericAnswersFigure(
  rows: Iterable<Pick<SynthRow, "answer_number" | "answer_unit">>,
  maxUnits = 8,
): Figure {
  const byUnit = new Map<string, number[]>();
  for (const row of rows) {
    if (row.answer_number === null) continue;
    const unit = row.answer_unit ?? "(no unit)";
    let list = byUnit.get(unit);
    if (!list) {
      list = [];
      byUnit.set(unit, list);
    }
    list.push(row.answer_number);
  }
  const units = [...byUnit.entries()]
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxUnits);
  return {
    data: units.map(([unit, values]) => ({ type: "box", name: unit, y: values, boxpoints: "all" })),
    layout: layout("Numeric answers by unit", { yaxis: { title: { text: "value" } }, showlegend: false }),
  };
}
