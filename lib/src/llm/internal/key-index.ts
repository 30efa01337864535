/**
 * key -> byte offset for the response cache, in typed arrays rather than a Map of strings: a million
 * 64-hex-character keys cost ~130 MB as Map entries, ~35 MB here. Each sha256 is folded to 128 bits (the cache re-checks the full key on the line it reads, so a collision cannot
 * return a wrong answer). Open addressing with linear probing; grows at 70% load.
 */
export class KeyIndex {
  private words: Uint32Array;
  private offsets: Float64Array;
  private capacity: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.words = new Uint32Array(this.capacity * 4);
    this.offsets = new Float64Array(this.capacity).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** 256 bits folded to 128 by XOR, so keys differing anywhere (not only in their start) differ here. */
  private static parse(key: string): [number, number, number, number] {
    const word = (i: number) => Number.parseInt(key.slice(i * 8, i * 8 + 8), 16) >>> 0;
    return [(word(0) ^ word(4)) >>> 0, (word(1) ^ word(5)) >>> 0, (word(2) ^ word(6)) >>> 0, (word(3) ^ word(7)) >>> 0];
  }

  private find(w: [number, number, number, number]): number {
    const mask = this.capacity - 1;
    let slot = (w[0] ^ w[3]) & mask;
    for (;;) {
      if (this.offsets[slot] < 0) return slot;
      const base = slot * 4;
      if (
        this.words[base] === w[0] &&
        this.words[base + 1] === w[1] &&
        this.words[base + 2] === w[2] &&
        this.words[base + 3] === w[3]
      ) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  get(key: string): number | undefined {
    const offset = this.offsets[this.find(KeyIndex.parse(key))];
    return offset < 0 ? undefined : offset;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, offset: number): void {
    if ((this.count + 1) / this.capacity > 0.7) this.grow();
    const w = KeyIndex.parse(key);
    const slot = this.find(w);
    if (this.offsets[slot] < 0) this.count++;
    this.words.set(w, slot * 4);
    this.offsets[slot] = offset;
  }

  private grow(): void {
    const { words, offsets, capacity } = this;
    this.capacity = capacity * 2;
    this.words = new Uint32Array(this.capacity * 4);
    this.offsets = new Float64Array(this.capacity).fill(-1);
    const mask = this.capacity - 1;
    for (let old = 0; old < capacity; old++) {
      if (offsets[old] < 0) continue;
      const base = old * 4;
      let slot = (words[base] ^ words[base + 3]) & mask;
      while (this.offsets[slot] >= 0) slot = (slot + 1) & mask;
      this.words.set(words.subarray(base, base + 4), slot * 4);
      this.offsets[slot] = offsets[old];
    }
  }
}
