/**
 * Seeded randomness for the data steps. Every random choice in synth (balancing, splitting, the
 * bench generator) comes from here, from an explicit seed, so two runs with one seed give the same
 * bytes. Two tools:
 *  - `rng(seed)`: a small fast generator (sfc32) for sequences (shuffles, generators);
 *  - `hashUnit(seed, key)`: a stateless uniform number for one item, so a row's fate depends only on
 *    the seed and its id, not on the order rows arrive in (streaming-friendly).
 */

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

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

/** sfc32 generator seeded from a number (and an optional stream label). */
export function rng(seed: number, stream = ""): Rng {
  let a = hash32(`a:${stream}`, seed);
  let b = hash32(`b:${stream}`, seed);
  let c = hash32(`c:${stream}`, seed);
  let d = 1;
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up: the first outputs of sfc32 are correlated with the seed words.
  for (let i = 0; i < 12; i++) nextU32();
  const next = () => nextU32() / 4294967296;
  return { next, int: (n: number) => Math.floor(next() * n) };
}

/** Fisher-Yates shuffle in place, driven by `random`. */
export function shuffleInPlace<T>(items: T[], random: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
