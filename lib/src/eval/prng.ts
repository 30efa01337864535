/**
 * Seeded pseudo-random numbers for resampling. xoshiro128** (Blackman & Vigna) with its state filled by
 * splitmix32 from one 32-bit seed: fast in 32-bit integer arithmetic, good statistical quality, and the same
 * stream on every machine, so a bootstrap interval is reproducible from its seed alone.
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
    if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be a finite number, got ${seed}`);
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
  if (!Number.isInteger(seed)) throw new Error(`deriveSeed: seed must be an integer, got ${seed}`);
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  const state = { x: (hash ^ Math.imul(seed | 0, 0x9e3779b1)) | 0 };
  splitmix32(state);
  return splitmix32(state) >>> 1;
}
