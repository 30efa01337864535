import {
  BOOTSTRAP_DEFAULTS,
  type BootstrapPlanInfo,
  bootstrapPlan,
  KeyResampler,
  percentileInterval,
} from "../core/bootstrap.js";
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
  /** The intervals' settings and label ("95% CI, 1,000 resamples of notes"), when asked for. */
  bootstrap?: BootstrapPlanInfo;
}

export interface EvaluateOptions {
  /** Score these types (macro over them); default: types seen in gold or predictions. */
  types?: readonly string[];
  /**
   * Bootstrap resamples for F1 intervals (0 = none). The evaluation's bootstrap (lib/core/bootstrap.ts)
   * draws whole notes: a note's entities are not independent of each other.
   */
  bootstrap?: number;
  confidence?: number;
  /** Bootstrap seed (default BOOTSTRAP_DEFAULTS.seed, as the evaluation's). */
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

function add(into: Counts, counts: Counts, weight = 1) {
  into.tpPred += weight * counts.tpPred;
  into.tpGold += weight * counts.tpGold;
  into.pred += weight * counts.pred;
  into.gold += weight * counts.gold;
}

/** Scores from per-note counts, each note counted `weights[note]` times (default once). */
function report(perNote: Map<string, Counts>[], types: readonly string[], weights?: Int32Array) {
  const totals = new Map(types.map((type) => [type, empty()]));
  for (let k = 0; k < perNote.length; k++) {
    const weight = weights ? weights[k] : 1;
    if (weight === 0) continue;
    for (const [type, counts] of perNote[k]) {
      const total = totals.get(type);
      if (total) add(total, counts, weight);
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

/** The notes' bootstrap plan: each note (by id) is a cluster, named "notes" in the label. */
function notePlan(noteIds: readonly string[], options: EvaluateOptions) {
  return bootstrapPlan(
    {
      resamples: options.bootstrap ?? 0,
      seed: options.seed ?? BOOTSTRAP_DEFAULTS.seed,
      confidence: options.confidence ?? BOOTSTRAP_DEFAULTS.confidence,
      clusters: noteIds,
      clusterName: "notes",
    },
    noteIds.length,
    "evaluateEntities",
  );
}

function scoreMode(
  perNote: Map<string, Counts>[],
  types: readonly string[],
  plan: ReturnType<typeof notePlan>,
): ModeReport {
  const point = report(perNote, types);
  const result: ModeReport = { perType: { ...point.perType }, micro: { ...point.micro }, macro: { ...point.macro } };
  const resamples = plan.info.resamples;
  if (resamples > 0 && perNote.length > 0) {
    // Each note is its own key, so a resample's tally is how many times each note is drawn (whole notes
    // drawn, with the seed's stream, exactly as the evaluation's cluster bootstrap draws them).
    const noteKeys = plan.unitOf ?? Int32Array.from(perNote, (_, i) => i);
    const resampler = new KeyResampler(noteKeys, plan.info.units, plan);
    const unitTimes = new Int32Array(plan.info.units);
    const weights = new Int32Array(perNote.length);
    const keys = [...types.map((type) => `type:${type}`), "micro", "macro"];
    const samples = new Map(keys.map((key) => [key, new Float64Array(resamples)]));
    for (let b = 0; b < resamples; b++) {
      unitTimes.fill(0);
      resampler.accumulate(unitTimes);
      // A unit drawn m times counts each of its notes m times (notes sharing an id are one unit).
      for (let i = 0; i < perNote.length; i++) weights[i] = unitTimes[noteKeys[i]];
      const sample = report(perNote, types, weights);
      for (const type of types) samples.get(`type:${type}`)![b] = sample.perType[type].f1;
      samples.get("micro")![b] = sample.micro.f1;
      samples.get("macro")![b] = sample.macro.f1;
    }
    const ci = (key: string, value: number): [number, number] => {
      const interval = percentileInterval(value, samples.get(key)!, plan.info.confidence);
      return [interval.low, interval.high];
    };
    for (const type of types) {
      result.perType[type] = { ...result.perType[type], f1Ci: ci(`type:${type}`, result.perType[type].f1) };
    }
    result.micro.f1Ci = ci("micro", result.micro.f1);
    result.macro.f1Ci = ci("macro", result.macro.f1);
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
  const plan = notePlan(
    gold.map((note) => note.id),
    options,
  );
  // Strict and lenient scores use the same seed, so they see the same resampled notes.
  const byMode = (mode: "strict" | "lenient") =>
    scoreMode(
      gold.map((note) => countNote(note.spans, predictions.get(note.id) ?? [], mode)),
      types,
      plan,
    );
  return {
    strict: byMode("strict"),
    lenient: byMode("lenient"),
    notes: gold.length,
    unmatchedPredictions,
    missingPredictions,
    ...(plan.info.resamples > 0 ? { bootstrap: plan.info } : {}),
  };
}
