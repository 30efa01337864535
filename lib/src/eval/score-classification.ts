/**
 * Score (gold, pred) labels with every summary metric and a seeded bootstrap CI, overall and per group
 * (question type, question, criterion...), in one pass over integer codes: each resample draws items
 * (or whole clusters: patients, notes; see bootstrap.ts) once, tallies them by (gold, pred, groups) key, and every metric of the overall score and of
 * every group comes from per-class counts built from that tally. Groups are scored on the items of the same resample, so a group's size varies
 * between resamples unless the bootstrap is stratified by that grouping.
 */
import {
  type BootstrapOptions,
  type BootstrapPlanInfo,
  bootstrapPlan,
  type Estimate,
  KeyResampler,
  percentileInterval,
} from "../core/bootstrap.js";
import { ToolkitError } from "../core/errors.js";
import { encodeLabels, type LabelPairs } from "./labels.js";
import {
  type ClassificationReport,
  classVectors,
  reportFromVectors,
  SUMMARY_METRICS,
  type SummaryMetric,
  summaryFromVectors,
} from "./metrics.js";

export interface ScoreClassificationArgs extends LabelPairs {
  /** Named groupings, each one value per item: `{ type: [...], question: [...] }`. */
  groups?: Record<string, readonly string[]>;
  /**
   * Values each grouping must report even when no item has them (e.g. all 13 n2c2 criteria, all 23
   * questions): such a group gets n = 0 and NaN metrics instead of disappearing from the table.
   */
  groupValues?: Record<string, readonly string[]>;
  bootstrap?: BootstrapOptions;
}

/** Scores of one set of items: each summary metric with its interval, plus the full point report. */
export type GroupScore = { n: number; report: ClassificationReport } & Record<SummaryMetric, Estimate>;

export interface ClassificationScore {
  overall: GroupScore;
  /** groups[grouping][value]; values sorted, including any listed in groupValues. */
  groups: Record<string, Record<string, GroupScore>>;
  /** Settings, unit (clusters or items) and label ("95% CI, 1,000 resamples of notes") of every interval. */
  bootstrap: BootstrapPlanInfo & { method: "percentile"; stratified: boolean };
}

interface Grouping {
  name: string;
  values: string[];
  codes: Int32Array;
}

function encodeGroupings(args: ScoreClassificationArgs, n: number): Grouping[] {
  const groupings: Grouping[] = [];
  for (const [name, perItem] of Object.entries(args.groups ?? {})) {
    if (!Array.isArray(perItem) || perItem.length !== n) {
      throw new RangeError(`scoreClassification: groups.${name} must have one value per item (${n})`);
    }
    const valueSet = new Set<string>(args.groupValues?.[name] ?? []);
    for (let i = 0; i < n; i++) {
      if (typeof perItem[i] !== "string")
        throw new TypeError(`scoreClassification: groups.${name}[${i}] is not a string`);
      valueSet.add(perItem[i]);
    }
    const values = [...valueSet].sort();
    const codeOf = new Map(values.map((value, code) => [value, code]));
    groupings.push({ name, values, codes: Int32Array.from(perItem, (value) => codeOf.get(value)!) });
  }
  for (const name of Object.keys(args.groupValues ?? {})) {
    if (!args.groups || !(name in args.groups)) {
      throw new ToolkitError(`scoreClassification: groupValues.${name} names a grouping not given in groups`, {
        stage: "eval",
        field: `groupValues.${name}`,
      });
    }
  }
  return groupings;
}

/** Every summary metric with a bootstrap CI, overall and per group. */
export function scoreClassification(args: ScoreClassificationArgs): ClassificationScore {
  const encoded = encodeLabels(args, "scoreClassification");
  const n = encoded.gold.length;
  const k = encoded.classes.length;
  const plan = bootstrapPlan(args.bootstrap, n, "scoreClassification");
  const options = plan.info;
  const groupings = encodeGroupings(args, n);
  const metricCount = SUMMARY_METRICS.length;
  // Slot 0 is the overall score; groups follow, grouping by grouping.
  const slotOffsets: number[] = [];
  let slots = 1;
  for (const grouping of groupings) {
    slotOffsets.push(slots);
    slots += grouping.values.length;
  }
  const gold = encoded.gold;
  const pred = encoded.pred;
  const vectors = classVectors(k, slots);
  const { tp, support, predicted } = vectors;

  // Items with the same (gold, pred, group of every grouping) are interchangeable: code each such
  // combination once as a key, so a resample only counts keys, and the per-slot vectors are built from the
  // (far fewer) keys instead of from every drawn item.
  const keyOf = new Int32Array(n);
  const keyIds = new Map<string, number>();
  const keyGold: number[] = [];
  const keyPred: number[] = [];
  const keySlots: number[][] = [];
  for (let i = 0; i < n; i++) {
    let signature = `${gold[i]},${pred[i]}`;
    for (const grouping of groupings) signature += `,${grouping.codes[i]}`;
    let key = keyIds.get(signature);
    if (key === undefined) {
      key = keyIds.size;
      keyIds.set(signature, key);
      keyGold.push(gold[i]);
      keyPred.push(pred[i]);
      keySlots.push([0, ...groupings.map((grouping, j) => slotOffsets[j] + grouping.codes[i])]);
    }
    keyOf[i] = key;
  }
  const keyCount = keyIds.size;
  const slotsPerKey = 1 + groupings.length;
  const keyBase = new Int32Array(keyCount * slotsPerKey);
  for (let key = 0; key < keyCount; key++) {
    for (let j = 0; j < slotsPerKey; j++) keyBase[key * slotsPerKey + j] = keySlots[key][j] * k;
  }
  const keyTally = new Int32Array(keyCount);
  const vectorsFromTally = () => {
    tp.fill(0);
    support.fill(0);
    predicted.fill(0);
    for (let key = 0; key < keyCount; key++) {
      const count = keyTally[key];
      if (count === 0) continue;
      const g = keyGold[key];
      const p = keyPred[key];
      const hit = g === p;
      for (let j = 0; j < slotsPerKey; j++) {
        const base = keyBase[key * slotsPerKey + j];
        support[base + g] += count;
        predicted[base + p] += count;
        if (hit) tp[base + g] += count;
      }
    }
  };

  // Point estimates and reports.
  for (let i = 0; i < n; i++) keyTally[keyOf[i]]++;
  vectorsFromTally();
  const reports: ClassificationReport[] = [];
  const summary = new Float64Array(metricCount);
  const pointValues = new Float64Array(slots * metricCount);
  for (let s = 0; s < slots; s++) {
    reports.push(reportFromVectors(encoded.classes, vectors, s, encoded.labelCodes));
    summaryFromVectors(vectors, s, encoded.labelCodes, summary);
    pointValues.set(summary, s * metricCount);
  }

  // Resamples: values[(slot * metricCount + metric) * R + r].
  const R = options.resamples;
  const values = new Float64Array(slots * metricCount * R);
  const resampler = new KeyResampler(keyOf, keyCount, plan);
  for (let r = 0; r < R; r++) {
    keyTally.fill(0);
    if (n > 0) resampler.accumulate(keyTally);
    vectorsFromTally();
    for (let s = 0; s < slots; s++) {
      summaryFromVectors(vectors, s, encoded.labelCodes, summary);
      for (let m = 0; m < metricCount; m++) values[(s * metricCount + m) * R + r] = summary[m];
    }
  }

  const scoreSlot = (s: number): GroupScore => {
    const report = reports[s];
    const score = { n: report.n, report } as GroupScore;
    SUMMARY_METRICS.forEach((metric, m) => {
      const start = (s * metricCount + m) * R;
      score[metric] = percentileInterval(
        pointValues[s * metricCount + m],
        values.subarray(start, start + R),
        options.confidence,
      );
    });
    return score;
  };
  const groups: ClassificationScore["groups"] = {};
  groupings.forEach((grouping, g) => {
    const byValue: Record<string, GroupScore> = {};
    grouping.values.forEach((value, v) => {
      byValue[value] = scoreSlot(slotOffsets[g] + v);
    });
    groups[grouping.name] = byValue;
  });
  return {
    overall: scoreSlot(0),
    groups,
    bootstrap: { ...options, method: "percentile", stratified: Boolean(args.bootstrap?.strata) },
  };
}
