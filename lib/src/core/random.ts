import { ToolkitError } from "./errors.js";

/**
 * The toolkit's one source of seeded randomness. Every random choice (bootstrap resamples, shuffles,
 * synthetic benches) comes from an explicit seed, so two runs with one seed give the same bytes:
 *  - `createRng(seed)`: xoshiro128** (Blackman & Vigna), its state filled by splitmix32 from one 32-bit seed:
 *    fast in 32-bit integer arithmetic, good statistical quality, the same stream on every machine;
 *  - `deriveSeed(seed, name)`: a named sub-seed, for a separate stream per purpose;
 *  - `hashUnit(seed, key)`: a stateless uniform number for one item, so a row's fate depends only on the
 *    seed and its id, not on the order rows arrive in (streaming-friendly).
 */
export interface Rng {
  /** Next unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n) for 0 < n <= 2^32. */
  nextInt(n: number): number;
}

export const TWO_POW_32 = 4294967296;

/** splitmix32 step: spreads a small seed (0, 1, 2...) into well-mixed state words. */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * xoshiro128** with public state words, so hot loops (the bootstrap's) can copy the state into locals, step
 * it inline and store it back: same stream, no call per draw.
 */
export class Xoshiro128 implements Rng {
  s0: number;
  s1: number;
  s2: number;
  s3: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed))
      throw new ToolkitError(`createRng: seed must be a finite number, got ${seed}`, {
        stage: "config",
        field: "seed",
      });
    const mix = { x: seed | 0 };
    this.s0 = splitmix32(mix) | 0;
    this.s1 = splitmix32(mix) | 0;
    this.s2 = splitmix32(mix) | 0;
    this.s3 = splitmix32(mix) | 0;
    // An all-zero state would stay zero forever; splitmix32 cannot give four zeros, but guard anyway.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Multiply-shift without Lemire's rejection step: the bias is below n / 2^32, far under bootstrap noise. */
  nextInt(n: number): number {
    return Math.floor((this.nextUint32() / TWO_POW_32) * n);
  }
}

/** A xoshiro128** generator from an integer seed (any finite number; only its low 32 bits count). */
export function createRng(seed: number): Xoshiro128 {
  return new Xoshiro128(seed);
}

export function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A named sub-seed of an experiment seed, e.g. deriveSeed(42, "bootstrap"): the name's FNV-1a hash mixed
 * with the seed through splitmix32, so one `seed:` change moves every sub-seed, and sub-seeds with different
 * names are unrelated streams. Returns a non-negative 31-bit integer (fits every config's seed field).
 */
export function deriveSeed(seed: number, name: string): number {
  if (!Number.isInteger(seed))
    throw new ToolkitError(`deriveSeed: seed must be an integer, got ${seed}`, { stage: "config", field: "seed" });
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  const state = { x: (hash ^ Math.imul(seed | 0, 0x9e3779b1)) | 0 };
  splitmix32(state);
  return splitmix32(state) >>> 1;
}

/** 32-bit string hash (FNV-1a with a final avalanche), seeded. */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final mix so nearby inputs spread over the whole range.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) with 53 bits, determined by (seed, key) alone. */
export function hashUnit(seed: number, key: string): number {
  const hi = hash32(key, seed ^ 0x9e3779b9) >>> 5; // 27 bits
  const lo = hash32(key, seed ^ 0x7f4a7c15) >>> 6; // 26 bits
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** Fisher-Yates shuffle in place, driven by `random`. */
export function shuffleInPlace<T>(items: T[], random: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const swapped = items[i];
    items[i] = items[j];
    items[j] = swapped;
  }
  return items;
}
