import { mulberry32 } from "./internal/random.js";
import type { NerNote, Span } from "./types.js";

/**
 * Entity-level metrics. Strict: a prediction counts only with the exact span and type (seqeval's strict
 * mode, and the i2b2/n2c2 "exact" score). Lenient: same type and any character overlap; precision counts
 * predictions that overlap some gold entity, recall counts gold entities overlapped by some prediction.
 * Precision, recall or F1 with a zero denominator is 0 (seqeval's zero_division default).
 * Macro averages are over the types that occur in gold or predictions (as seqeval's report does) unless
 * `types` is given.
 */
export interface Counts {
  /** Predictions that match (strict: exact; lenient: overlap). */
  tpPred: number;
  /** Gold entities that are matched. */
  tpGold: number;
  pred: number;
  gold: number;
}

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  /** Gold entities (seqeval's support). */
  support: number;
}

export interface ScoreWithCi extends Scores {
  /** Percentile bootstrap interval for F1 (over notes), when asked for. */
  f1Ci?: [number, number];
}

export interface ModeReport {
  perType: Record<string, ScoreWithCi>;
  micro: ScoreWithCi;
  macro: ScoreWithCi;
}

export interface EntityReport {
  strict: ModeReport;
  lenient: ModeReport;
  notes: number;
  /** Notes with predictions but no gold note (ignored), and gold notes with no prediction (scored as empty). */
  unmatchedPredictions: number;
  missingPredictions: number;
}

export interface EvaluateOptions {
  /** Score these types (macro over them); default: types seen in gold or predictions. */
  types?: readonly string[];
  /** Bootstrap resamples over notes for F1 intervals (0 = none). */
  bootstrap?: number;
  confidence?: number;
  seed?: number;
}

export function scoresFromCounts(counts: Counts): Scores {
  const precision = counts.pred === 0 ? 0 : counts.tpPred / counts.pred;
  const recall = counts.gold === 0 ? 0 : counts.tpGold / counts.gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, support: counts.gold };
}

const empty = (): Counts => ({ tpPred: 0, tpGold: 0, pred: 0, gold: 0 });

/** Per-type counts for one note (spans compared within the note). */
export function countNote(
  gold: readonly Span[],
  pred: readonly Span[],
  mode: "strict" | "lenient",
): Map<string, Counts> {
  const out = new Map<string, Counts>();
  const get = (type: string) => {
    let counts = out.get(type);
    if (!counts) {
      counts = empty();
      out.set(type, counts);
    }
    return counts;
  };
  const matches =
    mode === "strict"
      ? (a: Span, b: Span) => a.type === b.type && a.start === b.start && a.end === b.end
      : (a: Span, b: Span) => a.type === b.type && a.start < b.end && b.start < a.end;
  // Duplicate predictions of one strict span count once, as seqeval's set of entities does.
  const uniquePred = dedupe(pred);
  const uniqueGold = dedupe(gold);
  for (const span of uniqueGold) {
    const counts = get(span.type);
    counts.gold++;
    if (uniquePred.some((other) => matches(span, other))) counts.tpGold++;
  }
  for (const span of uniquePred) {
    const counts = get(span.type);
    counts.pred++;
    if (uniqueGold.some((other) => matches(span, other))) counts.tpPred++;
  }
  return out;
}

function dedupe(spans: readonly Span[]): Span[] {
  const seen = new Set<string>();
  return spans.filter((span) => {
    const key = `${span.start}:${span.end}:${span.type}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function add(into: Counts, counts: Counts) {
  into.tpPred += counts.tpPred;
  into.tpGold += counts.tpGold;
  into.pred += counts.pred;
  into.gold += counts.gold;
}

function report(perNote: Map<string, Counts>[], types: readonly string[], indices?: Uint32Array) {
  const totals = new Map(types.map((type) => [type, empty()]));
  const n = indices ? indices.length : perNote.length;
  for (let k = 0; k < n; k++) {
    const note = perNote[indices ? indices[k] : k];
    for (const [type, counts] of note) {
      const total = totals.get(type);
      if (total) add(total, counts);
    }
  }
  const perType: Record<string, Scores> = {};
  const micro = empty();
  for (const type of types) {
    const counts = totals.get(type)!;
    perType[type] = scoresFromCounts(counts);
    add(micro, counts);
  }
  const values = Object.values(perType);
  const mean = (pick: (s: Scores) => number) =>
    values.length === 0 ? 0 : values.reduce((sum, s) => sum + pick(s), 0) / values.length;
  const macro: Scores = {
    precision: mean((s) => s.precision),
    recall: mean((s) => s.recall),
    f1: mean((s) => s.f1),
    support: micro.gold,
  };
  return { perType, micro: scoresFromCounts(micro), macro };
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

function scoreMode(perNote: Map<string, Counts>[], types: readonly string[], options: EvaluateOptions): ModeReport {
  const point = report(perNote, types);
  const result: ModeReport = { perType: { ...point.perType }, micro: { ...point.micro }, macro: { ...point.macro } };
  const resamples = options.bootstrap ?? 0;
  if (resamples > 0 && perNote.length > 0) {
    const random = mulberry32(options.seed ?? 42);
    const keys = [...types.map((type) => `type:${type}`), "micro", "macro"];
    const samples = new Map(keys.map((key) => [key, new Float64Array(resamples)]));
    const indices = new Uint32Array(perNote.length);
    for (let b = 0; b < resamples; b++) {
      for (let i = 0; i < indices.length; i++) indices[i] = Math.floor(random() * perNote.length);
      const sample = report(perNote, types, indices);
      for (const type of types) samples.get(`type:${type}`)![b] = sample.perType[type].f1;
      samples.get("micro")![b] = sample.micro.f1;
      samples.get("macro")![b] = sample.macro.f1;
    }
    const alpha = (1 - (options.confidence ?? 0.95)) / 2;
    const ci = (key: string): [number, number] => {
      const sorted = samples.get(key)!.sort();
      return [percentile(sorted, alpha), percentile(sorted, 1 - alpha)];
    };
    for (const type of types) result.perType[type] = { ...result.perType[type], f1Ci: ci(`type:${type}`) };
    result.micro.f1Ci = ci("micro");
    result.macro.f1Ci = ci("macro");
  }
  return result;
}

/** Score predicted spans against gold notes (matched by note id). */
export function evaluateEntities(
  gold: readonly NerNote[],
  predictions: ReadonlyMap<string, readonly Span[]>,
  options: EvaluateOptions = {},
): EntityReport {
  const goldIds = new Set(gold.map((note) => note.id));
  const unmatchedPredictions = [...predictions.keys()].filter((id) => !goldIds.has(id)).length;
  const missingPredictions = gold.filter((note) => !predictions.has(note.id)).length;
  const seen = new Set<string>();
  for (const note of gold) for (const span of note.spans) seen.add(span.type);
  for (const note of gold) for (const span of predictions.get(note.id) ?? []) seen.add(span.type);
  const types = options.types ?? [...seen].sort();
  const byMode = (mode: "strict" | "lenient") =>
    scoreMode(
      gold.map((note) => countNote(note.spans, predictions.get(note.id) ?? [], mode)),
      types,
      options,
    );
  return {
    strict: byMode("strict"),
    lenient: byMode("lenient"),
    notes: gold.length,
    unmatchedPredictions,
    missingPredictions,
  };
}
