/**
 * Seeded percentile bootstrap: resample units with replacement (optionally within strata), recompute the
 * statistic, and take the (1 - confidence)/2 and (1 + confidence)/2 quantiles of the resampled values
 * (linear interpolation, numpy's default). Resamples where the statistic is undefined (NaN: e.g. an
 * empty group) are left out of the quantiles and counted.
 *
 * The unit is what is independent. Given `clusters` (the patient or note of each item), whole clusters are
 * drawn (a cluster bootstrap: all answers about one patient stay together, because they are correlated);
 * `unit: "item"` resamples single items instead. One implementation serves every evaluation and NER.
 */
import { z } from "zod";
import { quantileSorted } from "./quantile.js";
import { TWO_POW_32, Xoshiro128 } from "./random.js";

export interface BootstrapOptions {
  /** Number of resamples (default 1,000). */
  resamples?: number;
  /** PRNG seed (default 0): the same seed gives the same interval. */
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  confidence?: number;
  /**
   * Stratum of each item: items are resampled within their stratum, keeping every stratum's size fixed
   * (e.g. stratify by question type so each resample keeps the type mix). Default: one stratum.
   */
  strata?: readonly (string | number)[];
  /**
   * Cluster of each item (patient, note id): with unit "cluster" whole clusters are drawn, each with all
   * its items. Strata, when given as well, must be constant within a cluster (clusters are drawn within it).
   */
  clusters?: readonly (string | number)[];
  /** "cluster" (the default when clusters are given) or "item" (each item drawn alone; clusters ignored). */
  unit?: BootstrapUnit;
  /** Plural noun of a cluster for labels: "patients", "notes" (default "clusters"). */
  clusterName?: string;
  /** Where the seed came from (e.g. the experiment seed's "bootstrap" sub-seed), carried into reports. */
  seedSource?: string;
}

export type BootstrapUnit = "cluster" | "item";

/** A point estimate with its percentile interval. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
  /** Resamples whose statistic was NaN and were left out of the interval. */
  undefinedResamples: number;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 1000, seed: 0, confidence: 0.95 } as const;

/** The bootstrap settings as a config section can hold them (every field defaulted; unknown keys rejected). */
export const bootstrapSchema = z
  .object({
    resamples: z.number().int().nonnegative().default(BOOTSTRAP_DEFAULTS.resamples),
    seed: z.number().int().default(BOOTSTRAP_DEFAULTS.seed),
    confidence: z.number().gt(0).lt(1).default(BOOTSTRAP_DEFAULTS.confidence),
  })
  .strict();

export interface ResolvedBootstrap {
  resamples: number;
  seed: number;
  confidence: number;
}

export function resolveBootstrap(options: BootstrapOptions | undefined, n: number, caller: string): ResolvedBootstrap {
  const resamples = options?.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const seed = options?.seed ?? BOOTSTRAP_DEFAULTS.seed;
  const confidence = options?.confidence ?? BOOTSTRAP_DEFAULTS.confidence;
  if (!Number.isInteger(resamples) || resamples < 0) {
    throw new RangeError(`${caller}: resamples must be a non-negative integer, got ${resamples}`);
  }
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`${caller}: confidence must be in (0, 1)`);
  if (options?.strata && options.strata.length !== n) {
    throw new RangeError(`${caller}: strata has ${options.strata.length} entries for ${n} items`);
  }
  return { resamples, seed, confidence };
}

/** What one bootstrap resamples, as reported beside every interval. */
export interface BootstrapPlanInfo extends ResolvedBootstrap {
  unit: BootstrapUnit;
  /** Units drawn per resample: clusters (unit "cluster") or items. */
  units: number;
  /** Plural noun of a unit: the cluster name ("patients", "notes") or "items". */
  unitName: string;
  /** Label for tables and figures, e.g. "95% CI, 1,000 resamples of patients". */
  label: string;
  seedSource?: string;
}

/** A resolved plan: settings, and which unit each item belongs to (null: each item is its own unit). */
export interface BootstrapPlan {
  info: BootstrapPlanInfo;
  unitOf: Int32Array | null;
  /** Stratum of each unit (units are drawn within their stratum). */
  unitStrata?: readonly (string | number)[];
}

/** "95% CI, 1,000 resamples of patients". */
export function intervalLabel(plan: Pick<BootstrapPlanInfo, "confidence" | "resamples" | "unitName">): string {
  const percent = Number((plan.confidence * 100).toFixed(2));
  return `${percent}% CI, ${plan.resamples.toLocaleString("en-US")} resamples of ${plan.unitName}`;
}

/**
 * Check the options for n items and decide the units. Clusters are numbered in sorted id order (JavaScript's
 * default string order, as n2c2ScoreIntervals sorts patients), so the same seed draws the same clusters in
 * every scorer that resamples them.
 */
export function bootstrapPlan(options: BootstrapOptions | undefined, n: number, caller: string): BootstrapPlan {
  const resolved = resolveBootstrap(options, n, caller);
  const clusters = options?.clusters;
  const unit = options?.unit ?? (clusters ? "cluster" : "item");
  if (unit !== "cluster" && unit !== "item") {
    throw new RangeError(`${caller}: bootstrap unit must be "cluster" or "item", got ${JSON.stringify(unit)}`);
  }
  const finish = (units: number, unitName: string, unitOf: Int32Array | null, unitStrata?: (string | number)[]) => {
    const info: BootstrapPlanInfo = { ...resolved, unit, units, unitName, label: "" };
    if (options?.seedSource) info.seedSource = options.seedSource;
    info.label = intervalLabel(info);
    return { info, unitOf, ...(unitStrata ? { unitStrata } : {}) };
  };
  if (unit === "item") return finish(n, "items", null, options?.strata ? [...options.strata] : undefined);
  if (!clusters) throw new RangeError(`${caller}: bootstrap unit "cluster" needs clusters (one per item)`);
  if (clusters.length !== n) throw new RangeError(`${caller}: clusters has ${clusters.length} entries for ${n} items`);
  const ids = [...new Set(clusters.map(String))].sort();
  const codeOf = new Map(ids.map((id, code) => [id, code]));
  const unitOf = Int32Array.from(clusters, (cluster) => codeOf.get(String(cluster))!);
  let unitStrata: (string | number)[] | undefined;
  if (options?.strata) {
    const strata = options.strata;
    unitStrata = new Array(ids.length);
    const seen = new Uint8Array(ids.length);
    for (let i = 0; i < n; i++) {
      const u = unitOf[i];
      if (!seen[u]) {
        seen[u] = 1;
        unitStrata[u] = strata[i];
      } else if (unitStrata[u] !== strata[i]) {
        throw new RangeError(
          `${caller}: cluster ${JSON.stringify(ids[u])} has items in strata ${JSON.stringify(unitStrata[u])} and ${JSON.stringify(strata[i])}; a cluster must lie in one stratum`,
        );
      }
    }
  }
  return finish(ids.length, options?.clusterName ?? "clusters", unitOf, unitStrata);
}

/**
 * Draws resample index sets. `fill(indices)` writes one resample (n indices) into `indices`; with strata,
 * each stratum's members are drawn from that stratum only, in stratum order.
 */
export class Resampler {
  private readonly rng: Xoshiro128;
  private readonly order: Int32Array | null;
  private readonly starts: Int32Array | null;

  constructor(
    readonly n: number,
    seed: number,
    strata?: readonly (string | number)[],
  ) {
    this.rng = new Xoshiro128(seed);
    if (!strata) {
      this.order = null;
      this.starts = null;
      return;
    }
    const codeOf = new Map<string | number, number>();
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let code = codeOf.get(strata[i]);
      if (code === undefined) {
        code = codeOf.size;
        codeOf.set(strata[i], code);
      }
      codes[i] = code;
    }
    // Counting sort of items by stratum: order lists members stratum by stratum, starts[s] where s begins.
    const starts = new Int32Array(codeOf.size + 1);
    for (let i = 0; i < n; i++) starts[codes[i] + 1]++;
    for (let s = 0; s < codeOf.size; s++) starts[s + 1] += starts[s];
    const cursor = starts.slice(0, codeOf.size);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[cursor[codes[i]]++] = i;
    this.order = order;
    this.starts = starts;
  }

  /**
   * Draw one resample and count it by key without materialising indices: `counts[keys[item]]++` per draw
   * (`counts` is added to, not reset). The same seed gives the same draws as `fill`. The generator is
   * stepped inline here because this loop runs n x resamples times.
   */
  accumulate(keys: Int32Array, counts: Int32Array): void {
    const { rng, n } = this;
    let s0 = rng.s0;
    let s1 = rng.s1;
    let s2 = rng.s2;
    let s3 = rng.s3;
    // The generator step is written out in both loops (not a closure): state words captured by a closure
    // live in memory, written out here they stay in registers, which doubles the draw rate.
    if (!this.order || !this.starts) {
      // result * (n / 2^32) rounds exactly like (result / 2^32) * n (scaling by a power of two is exact),
      // so these draws equal nextInt(n)'s, with one multiplication.
      const scale = n / TWO_POW_32;
      for (let i = 0; i < n; i++) {
        const x = Math.imul(s1, 5);
        const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        counts[keys[Math.floor(result * scale)]]++;
      }
    } else {
      const { order, starts } = this;
      for (let s = 0; s + 1 < starts.length; s++) {
        const start = starts[s];
        const size = starts[s + 1] - start;
        const scale = size / TWO_POW_32;
        for (let j = 0; j < size; j++) {
          const x = Math.imul(s1, 5);
          const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
          const t = s1 << 9;
          s2 ^= s0;
          s3 ^= s1;
          s1 ^= s2;
          s0 ^= s3;
          s2 ^= t;
          s3 = (s3 << 11) | (s3 >>> 21);
          counts[keys[order[start + Math.floor(result * scale)]]]++;
        }
      }
    }
    rng.s0 = s0;
    rng.s1 = s1;
    rng.s2 = s2;
    rng.s3 = s3;
  }

  fill(indices: Int32Array): Int32Array {
    const { rng, n } = this;
    if (!this.order || !this.starts) {
      for (let i = 0; i < n; i++) indices[i] = rng.nextInt(n);
      return indices;
    }
    const { order, starts } = this;
    for (let s = 0; s + 1 < starts.length; s++) {
      const start = starts[s];
      const size = starts[s + 1] - start;
      for (let j = 0; j < size; j++) indices[start + j] = order[start + rng.nextInt(size)];
    }
    return indices;
  }
}

/**
 * One resample's count per key, where keyOf[item] is the item's key (items with equal keys are
 * interchangeable for the statistic, e.g. equal (gold, pred, group)). Item unit: n item draws tallied by key.
 * Cluster unit: each cluster's key counts are computed once; a resample draws cluster multiplicities and adds
 * multiplicity x counts, so its cost is O(clusters + their distinct keys), not O(items).
 */
export class KeyResampler {
  private readonly resampler: Resampler;
  private readonly keyOf: Int32Array;
  private readonly units: number;
  private readonly identity: Int32Array | null = null;
  private readonly multiplicity: Int32Array | null = null;
  /** CSR lists: unit u's distinct keys are keys[starts[u]..starts[u+1]) with counts alongside. */
  private readonly starts: Int32Array | null = null;
  private readonly keys: Int32Array | null = null;
  private readonly counts: Int32Array | null = null;

  constructor(keyOf: Int32Array, keyCount: number, plan: BootstrapPlan) {
    this.keyOf = keyOf;
    this.units = plan.info.units;
    this.resampler = new Resampler(plan.info.units, plan.info.seed, plan.unitStrata);
    const { unitOf } = plan;
    if (!unitOf) return;
    const n = keyOf.length;
    const units = this.units;
    // Items grouped by unit (counting sort), then each unit's distinct keys with their counts.
    const itemStarts = new Int32Array(units + 1);
    for (let i = 0; i < n; i++) itemStarts[unitOf[i] + 1]++;
    for (let u = 0; u < units; u++) itemStarts[u + 1] += itemStarts[u];
    const cursor = itemStarts.slice(0, units);
    const byUnit = new Int32Array(n);
    for (let i = 0; i < n; i++) byUnit[cursor[unitOf[i]]++] = i;
    const slot = new Int32Array(keyCount).fill(-1);
    const starts = new Int32Array(units + 1);
    const keys: number[] = [];
    const counts: number[] = [];
    for (let u = 0; u < units; u++) {
      starts[u] = keys.length;
      for (let j = itemStarts[u]; j < itemStarts[u + 1]; j++) {
        const key = keyOf[byUnit[j]];
        if (slot[key] < 0) {
          slot[key] = keys.length;
          keys.push(key);
          counts.push(0);
        }
        counts[slot[key]]++;
      }
      for (let j = starts[u]; j < keys.length; j++) slot[keys[j]] = -1;
    }
    starts[units] = keys.length;
    this.starts = starts;
    this.keys = Int32Array.from(keys);
    this.counts = Int32Array.from(counts);
    this.identity = Int32Array.from({ length: units }, (_, u) => u);
    this.multiplicity = new Int32Array(units);
  }

  /** Add one resample's key counts to `tally` (not reset here). */
  accumulate(tally: Int32Array): void {
    if (this.units === 0) return;
    const { starts, keys, counts, multiplicity, identity } = this;
    if (!starts || !keys || !counts || !multiplicity || !identity) {
      this.resampler.accumulate(this.keyOf, tally);
      return;
    }
    multiplicity.fill(0);
    this.resampler.accumulate(identity, multiplicity);
    for (let u = 0; u < this.units; u++) {
      const m = multiplicity[u];
      if (m === 0) continue;
      for (let j = starts[u]; j < starts[u + 1]; j++) tally[keys[j]] += m * counts[j];
    }
  }
}

/** Percentile interval of resampled values (NaNs left out and counted). Sorts a copy. */
export function percentileInterval(
  value: number,
  resampled: ArrayLike<number>,
  confidence: number = BOOTSTRAP_DEFAULTS.confidence,
): Estimate {
  const finite: number[] = [];
  for (let i = 0; i < resampled.length; i++) if (!Number.isNaN(resampled[i])) finite.push(resampled[i]);
  const sorted = Float64Array.from(finite).sort();
  const alpha = (1 - confidence) / 2;
  return {
    value,
    low: quantileSorted(sorted, alpha),
    high: quantileSorted(sorted, 1 - alpha),
    undefinedResamples: resampled.length - finite.length,
  };
}

/**
 * Bootstrap interval for any statistic of n items: `statistic(indices)` gets the item indices of one sample
 * (0..n-1 in order for the point estimate, a resample otherwise; with clusters, every item of each drawn
 * cluster, once per draw) and returns a number.
 */
export function bootstrap(
  n: number,
  statistic: (indices: Int32Array) => number,
  options?: BootstrapOptions,
): Estimate & BootstrapPlanInfo {
  const plan = bootstrapPlan(options, n, "bootstrap");
  const { info } = plan;
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const value = statistic(identity);
  // Each item is its own key: a resample's tally is how often each item is drawn.
  const drawer = new KeyResampler(identity, n, plan);
  const times = new Int32Array(n);
  const values = new Float64Array(info.resamples);
  let buffer = new Int32Array(n);
  for (let r = 0; r < info.resamples; r++) {
    if (n === 0) {
      values[r] = Number.NaN;
      continue;
    }
    times.fill(0);
    drawer.accumulate(times);
    let size = 0;
    for (let i = 0; i < n; i++) size += times[i];
    if (size > buffer.length) buffer = new Int32Array(size);
    let at = 0;
    for (let i = 0; i < n; i++) for (let t = 0; t < times[i]; t++) buffer[at++] = i;
    values[r] = statistic(buffer.subarray(0, size));
  }
  return { ...percentileInterval(value, values, info.confidence), ...info };
}

/**
 * Bootstrap interval of a proportion (mean of 0/1 flags), e.g. exact-match rate or error rate, drawn as
 * `bootstrap` draws; computed from tallies of the two flag values, so a resample costs O(units).
 */
export function bootstrapProportion(
  flags: ArrayLike<boolean | number>,
  options?: BootstrapOptions,
): Estimate & BootstrapPlanInfo {
  return bootstrapProportions([flags], options, "bootstrapProportion")[0];
}

/**
 * Intervals of several proportions over the same items from one set of resamples: each equals
 * `bootstrapProportion(flags, options)` (the same seed draws the same resamples), at the cost of one.
 * Items are tallied by their combination of flags (at most 2^flagSets.length keys; up to 16 sets).
 */
export function bootstrapProportions(
  flagSets: readonly ArrayLike<boolean | number>[],
  options?: BootstrapOptions,
  caller = "bootstrapProportions",
): (Estimate & BootstrapPlanInfo)[] {
  if (flagSets.length > 16) throw new RangeError(`${caller}: at most 16 flag sets, got ${flagSets.length}`);
  const n = flagSets[0]?.length ?? 0;
  for (const [j, flags] of flagSets.entries()) {
    if (flags.length !== n) throw new RangeError(`${caller}: flag set ${j} has ${flags.length} items, set 0 has ${n}`);
  }
  const plan = bootstrapPlan(options, n, caller);
  const keyCount = 1 << flagSets.length;
  const keyOf = new Int32Array(n);
  flagSets.forEach((flags, j) => {
    for (let i = 0; i < n; i++) if (flags[i]) keyOf[i] |= 1 << j;
  });
  const drawer = new KeyResampler(keyOf, keyCount, plan);
  const tally = new Int32Array(keyCount);
  const R = plan.info.resamples;
  const values = flagSets.map(() => new Float64Array(R));
  for (let r = 0; r < R; r++) {
    tally.fill(0);
    drawer.accumulate(tally);
    let total = 0;
    for (let key = 0; key < keyCount; key++) total += tally[key];
    for (let j = 0; j < flagSets.length; j++) {
      let hits = 0;
      for (let key = 0; key < keyCount; key++) if (key & (1 << j)) hits += tally[key];
      values[j][r] = total === 0 ? Number.NaN : hits / total;
    }
  }
  return flagSets.map((_, j) => {
    let hits = 0;
    for (let i = 0; i < n; i++) if (keyOf[i] & (1 << j)) hits++;
    const value = n === 0 ? Number.NaN : hits / n;
    return { ...percentileInterval(value, values[j], plan.info.confidence), ...plan.info };
  });
}
