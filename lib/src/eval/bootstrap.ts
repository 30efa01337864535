/**
 * Seeded percentile bootstrap: resample items with replacement (optionally within strata), recompute the
 * statistic, and take the (1 - confidence)/2 and (1 + confidence)/2 quantiles of the resampled values
 * (linear interpolation, numpy's default). Resamples where the statistic is undefined (NaN: e.g. an
 * empty group) are left out of the quantiles and counted.
 */
import { z } from "zod";
import { quantileSorted } from "./internal/quantile.js";
import { TWO_POW_32, Xoshiro128 } from "./prng.js";

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
}

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
 * (0..n-1 in order for the point estimate, a resample otherwise) and returns a number.
 */
export function bootstrap(
  n: number,
  statistic: (indices: Int32Array) => number,
  options?: BootstrapOptions,
): Estimate & { resamples: number; seed: number; confidence: number } {
  const resolved = resolveBootstrap(options, n, "bootstrap");
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const value = statistic(identity);
  const resampler = new Resampler(n, resolved.seed, options?.strata);
  const indices = new Int32Array(n);
  const values = new Float64Array(resolved.resamples);
  for (let r = 0; r < resolved.resamples; r++) values[r] = n === 0 ? Number.NaN : statistic(resampler.fill(indices));
  return { ...percentileInterval(value, values, resolved.confidence), ...resolved };
}
