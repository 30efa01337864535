import { endianness } from "node:os";
import { ToolkitError } from "../core/errors.js";

/**
 * Exact sets for the export guard, in typed arrays (a JS Set holds at most 2^24 entries and costs ~40
 * bytes each; MIMIC-IV notes give hundreds of millions of windows).
 *
 * ShingleSet: every window's 64-bit hash, sorted and de-duplicated in one BigUint64Array (8 bytes per
 * distinct window), with a table of where each value of the top bits starts, so a lookup is a short
 * binary search over 32-bit halves (no BigInt work per lookup). A false hit needs a 64-bit collision:
 * about n / 2^64 per window looked up (3e-12 for 50 million windows), so a clean export is not refused
 * by chance. Memory: 8 bytes per distinct window, 16 while the index is being built.
 */

if (endianness() !== "LE")
  throw new ToolkitError("export guard: the shingle index assumes a little-endian machine", { stage: "report" });

const CHUNK = 1 << 22;

/** Collects 64-bit keys (two 32-bit halves) in fixed chunks, so growth never copies what was collected. */
export class KeyCollector {
  private readonly chunks: BigUint64Array[] = [];
  private current = new Uint32Array(0);
  private used = CHUNK;
  count = 0;

  add(high: number, low: number): void {
    if (this.used === CHUNK) {
      const chunk = new BigUint64Array(CHUNK);
      this.chunks.push(chunk);
      this.current = new Uint32Array(chunk.buffer);
      this.used = 0;
    }
    this.current[2 * this.used] = low;
    this.current[2 * this.used + 1] = high;
    this.used++;
    this.count++;
  }

  /** Sorted, distinct keys; the collector is emptied. */
  finish(): ShingleSet {
    const all = new BigUint64Array(this.count);
    let offset = 0;
    for (const chunk of this.chunks) {
      const take = Math.min(CHUNK, this.count - offset);
      all.set(take === CHUNK ? chunk : chunk.subarray(0, take), offset);
      offset += take;
    }
    this.chunks.length = 0;
    this.current = new Uint32Array(0);
    this.used = CHUNK;
    this.count = 0;
    all.sort();
    // De-duplicate in place through the 32-bit halves (reading BigInts one by one is slow).
    const halves = new Uint32Array(all.buffer);
    let distinct = 0;
    for (let i = 0; i < all.length; i++) {
      if (distinct > 0 && halves[2 * i] === halves[2 * distinct - 2] && halves[2 * i + 1] === halves[2 * distinct - 1])
        continue;
      halves[2 * distinct] = halves[2 * i];
      halves[2 * distinct + 1] = halves[2 * i + 1];
      distinct++;
    }
    // Copy only when that frees a good part of the array (a copy needs both for a moment).
    const keys = distinct < all.length * 0.75 ? all.slice(0, distinct) : all.subarray(0, distinct);
    return new ShingleSet(keys);
  }
}

export class ShingleSet {
  private readonly halves: Uint32Array;
  private readonly starts: Uint32Array;
  private readonly shift: number;

  constructor(readonly keys: BigUint64Array) {
    this.halves = new Uint32Array(keys.buffer, keys.byteOffset, keys.length * 2);
    const bits = Math.max(1, Math.min(22, Math.ceil(Math.log2(Math.max(2, keys.length / 8)))));
    this.shift = 32 - bits;
    this.starts = new Uint32Array((1 << bits) + 1);
    let bucket = 0;
    for (let i = 0; i < keys.length; i++) {
      const top = this.halves[2 * i + 1] >>> this.shift;
      while (bucket <= top) this.starts[bucket++] = i;
    }
    while (bucket < this.starts.length) this.starts[bucket++] = keys.length;
  }

  get size(): number {
    return this.keys.length;
  }

  /** Bytes held (for the benchmark and the log). */
  get bytes(): number {
    return this.keys.byteLength + this.starts.byteLength;
  }

  has(high: number, low: number): boolean {
    const top = high >>> this.shift;
    let lo = this.starts[top];
    let hi = this.starts[top + 1] - 1;
    const halves = this.halves;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const h = halves[2 * mid + 1];
      const l = halves[2 * mid];
      if (h < high || (h === high && l < low)) lo = mid + 1;
      else if (h > high || l > low) hi = mid - 1;
      else return true;
    }
    return false;
  }
}

/**
 * The distinct word hashes of the restricted corpus (open addressing in a Uint32Array, doubled at half
 * full). The scanner uses it to read a word broken over a line only where the joined form is a word of
 * the corpus: a reading with a word the corpus never has cannot match, so it is not followed.
 */
export class WordSet {
  private table = new Uint32Array(1 << 16);
  private hasZero = false;
  size = 0;

  add(hash: number): void {
    if (hash === 0) {
      if (!this.hasZero) this.size++;
      this.hasZero = true;
      return;
    }
    if (this.insert(this.table, hash)) this.size++;
    if (this.size * 2 > this.table.length) {
      const old = this.table;
      this.table = new Uint32Array(old.length * 2);
      for (const value of old) if (value !== 0) this.insert(this.table, value);
    }
  }

  has(hash: number): boolean {
    if (hash === 0) return this.hasZero;
    const table = this.table;
    const mask = table.length - 1;
    for (let slot = Math.imul(hash, 0x9e3779b1) >>> 0; ; slot++) {
      const value = table[slot & mask];
      if (value === hash) return true;
      if (value === 0) return false;
    }
  }

  get bytes(): number {
    return this.table.byteLength;
  }

  private insert(table: Uint32Array, hash: number): boolean {
    const mask = table.length - 1;
    for (let slot = Math.imul(hash, 0x9e3779b1) >>> 0; ; slot++) {
      const value = table[slot & mask];
      if (value === hash) return false;
      if (value === 0) {
        table[slot & mask] = hash;
        return true;
      }
    }
  }
}

/** 64-bit hash of a window of word hashes (two murmur3-style 32-bit lanes with different seeds). */
export function windowHash(words: Uint32Array, start: number, size: number, out: Uint32Array): void {
  let h1 = 0x9e3779b9;
  let h2 = 0x7f4a7c15;
  for (let i = 0; i < size; i++) {
    let k = Math.imul(words[(start + i) % size], 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h1 ^= k;
    h1 = (Math.imul((h1 << 13) | (h1 >>> 19), 5) + 0xe6546b64) | 0;
    h2 ^= Math.imul(k ^ (k >>> 16), 0x85ebca6b);
    h2 = (Math.imul((h2 << 17) | (h2 >>> 15), 9) + 0x38b34ae5) | 0;
  }
  out[0] = fmix(h1 ^ size) >>> 0;
  out[1] = fmix(h2 ^ Math.imul(h1, 0x27d4eb2f)) >>> 0;
}

function fmix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
