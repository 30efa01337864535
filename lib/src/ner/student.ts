import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { defaults } from "../config/defaults.js";
import { defaultSeed } from "../config/seeds.js";
import { ToolkitError } from "../core/errors.js";
import { createRng, shuffleInPlace } from "../core/random.js";
import { BIO_LABELS, bioToSpans, spansToBio } from "./bio.js";
import { foldToken, type Tokens, tokenize } from "./tokenize.js";
import type { NerNote, Span } from "./types.js";

/**
 * The fast student: a greedy left-to-right BIO tagger trained as an averaged perceptron (Collins 2002),
 * with hashed word, word-shape, affix and +-2 context features plus the previous tag. Pure TypeScript,
 * seeded, no native code, so it trains and runs in CI. Decoding only allows I-X after B-X or I-X.
 */
export interface StudentOptions {
  epochs?: number;
  seed?: number;
  /** Feature hash table size is 2^hashBits per label. */
  hashBits?: number;
}

export interface TrainStats {
  epochs: number;
  notes: number;
  tokens: number;
  /** Tokens mistagged during each epoch (a falling curve means it is learning). */
  mistakesPerEpoch: number[];
  misalignedSpans: number;
  seconds: number;
}

const LABELS = BIO_LABELS.length;
const STATIC_FEATURES = 16;
const FORMAT = "clinical-distill/ner-perceptron@1";

// I-X (odd index 2k+2) may only follow B-X (2k+1) or I-X (2k+2).
const ALLOWED = (() => {
  const table = new Uint8Array(LABELS * LABELS);
  for (let prev = 0; prev < LABELS; prev++) {
    for (let next = 0; next < LABELS; next++) {
      const isInside = next > 0 && next % 2 === 0;
      table[prev * LABELS + next] = !isInside || prev === next || prev === next - 1 ? 1 : 0;
    }
  }
  return table;
})();

function fnv(seed: number, text: string): number {
  let hash = (0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}

function shapeOf(word: string): string {
  let shape = "";
  let last = "";
  for (let i = 0; i < word.length && shape.length < 6; i++) {
    const code = word.charCodeAt(i);
    const kind =
      code >= 65 && code <= 90
        ? "X"
        : code >= 97 && code <= 122
          ? "x"
          : code >= 48 && code <= 57
            ? "d"
            : code > 127
              ? "u"
              : word[i];
    if (kind !== last) shape += kind;
    last = kind;
  }
  return shape;
}

interface NoteFeatures {
  tokens: Tokens;
  /** STATIC_FEATURES hashed buckets per token. */
  features: Int32Array;
  /** Hash of the word, mixed with the previous label for the dynamic feature. */
  wordHash: Uint32Array;
}

export class PerceptronTagger {
  private readonly mask: number;
  private constructor(
    readonly hashBits: number,
    /** Averaged weights, [bucket * LABELS + label]. */
    private readonly weights: Float32Array,
  ) {
    this.mask = (1 << hashBits) - 1;
  }

  private extract(text: string, tokens: Tokens = tokenize(text)): NoteFeatures {
    const n = tokens.count;
    const words: string[] = new Array(n);
    const shapes: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const raw = text.slice(tokens.starts[i], tokens.ends[i]);
      shapes[i] = shapeOf(raw);
      // Look-alike punctuation folded as the dictionary does: "’" and "'" are one feature.
      const lower = foldToken(raw).toLowerCase();
      words[i] = /^\d+$/.test(lower) ? "<num>" : lower;
    }
    const at = (list: string[], i: number) => (i < 0 ? "<s>" : i >= n ? "</s>" : list[i]);
    const features = new Int32Array(n * STATIC_FEATURES);
    const wordHash = new Uint32Array(n);
    const mask = this.mask;
    for (let i = 0; i < n; i++) {
      const w = words[i];
      const base = i * STATIC_FEATURES;
      wordHash[i] = fnv(99, w);
      features[base] = 0; // bias
      features[base + 1] = wordHash[i] & mask;
      features[base + 2] = fnv(2, shapes[i]) & mask;
      features[base + 3] = fnv(3, w.slice(-3)) & mask;
      features[base + 4] = fnv(4, w.slice(-4)) & mask;
      features[base + 5] = fnv(5, w.slice(0, 3)) & mask;
      features[base + 6] = fnv(6, w.slice(-2)) & mask;
      features[base + 7] = fnv(7, at(words, i - 1)) & mask;
      features[base + 8] = fnv(8, at(words, i + 1)) & mask;
      features[base + 9] = fnv(9, at(words, i - 2)) & mask;
      features[base + 10] = fnv(10, at(words, i + 2)) & mask;
      features[base + 11] = fnv(11, `${at(words, i - 1)} ${w}`) & mask;
      features[base + 12] = fnv(12, `${w} ${at(words, i + 1)}`) & mask;
      features[base + 13] = fnv(13, `${at(shapes, i - 1)} ${shapes[i]} ${at(shapes, i + 1)}`) & mask;
      features[base + 14] = fnv(14, at(words, i - 1).slice(-3)) & mask;
      features[base + 15] = fnv(15, at(words, i + 1).slice(-3)) & mask;
    }
    return { tokens, features, wordHash };
  }

  /** Dynamic features from the previous label: the label alone, and with the current word. */
  private dynamic(prev: number, wordHash: number): [number, number] {
    return [
      fnv(16, String(prev)) & this.mask,
      (Math.imul(wordHash ^ ((prev + 1) * 0x27d4eb2d), 0x165667b1) >>> 0) & this.mask,
    ];
  }

  private decode(
    note: NoteFeatures,
    weights: Float32Array,
    scores: Float64Array,
    gold?: Uint8Array,
    update?: (i: number, predicted: number, prev: number) => void,
  ): Uint8Array {
    const n = note.tokens.count;
    const labels = new Uint8Array(n);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      scores.fill(0);
      const base = i * STATIC_FEATURES;
      const [d1, d2] = this.dynamic(prev, note.wordHash[i]);
      for (let f = 0; f <= STATIC_FEATURES + 1; f++) {
        const bucket = f < STATIC_FEATURES ? note.features[base + f] : f === STATIC_FEATURES ? d1 : d2;
        const offset = bucket * LABELS;
        for (let l = 0; l < LABELS; l++) scores[l] += weights[offset + l];
      }
      let best = 0;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let l = 0; l < LABELS; l++) {
        if (ALLOWED[prev * LABELS + l] && scores[l] > bestScore) {
          best = l;
          bestScore = scores[l];
        }
      }
      labels[i] = best;
      if (gold && update && best !== gold[i]) update(i, best, prev);
      prev = best;
    }
    return labels;
  }

  /** Train on notes' spans (teacher labels or human labels). */
  static train(
    notes: readonly NerNote[],
    options: StudentOptions = {},
  ): { tagger: PerceptronTagger; stats: TrainStats } {
    const started = performance.now();
    const hashBits = options.hashBits ?? defaults.ner.student.hashBits;
    const epochs = options.epochs ?? defaults.ner.student.epochs;
    const size = (1 << hashBits) * LABELS;
    const current = new Float32Array(size);
    // Daume's trick for averaging: keep the sum of step * update; average = w - totals / steps.
    const totals = new Float64Array(size);
    const tagger = new PerceptronTagger(hashBits, current);
    let misalignedSpans = 0;
    let tokenCount = 0;
    const prepared = notes.map((note) => {
      const features = tagger.extract(note.text);
      const encoding = spansToBio(features.tokens, note.spans);
      misalignedSpans += encoding.misaligned + encoding.uncovered;
      tokenCount += features.tokens.count;
      return { features, gold: encoding.labels };
    });
    const random = createRng(options.seed ?? defaultSeed("ner.student"));
    const order = prepared.map((_, i) => i);
    const scores = new Float64Array(LABELS);
    const mistakesPerEpoch: number[] = [];
    let step = 1;
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffleInPlace(order, random);
      let mistakes = 0;
      for (const index of order) {
        const { features, gold } = prepared[index];
        const apply = (bucket: number, label: number, delta: number) => {
          const k = bucket * LABELS + label;
          current[k] += delta;
          totals[k] += step * delta;
        };
        tagger.decode(features, current, scores, gold, (i, predicted, prev) => {
          mistakes++;
          const base = i * STATIC_FEATURES;
          const truth = gold[i];
          for (let f = 0; f < STATIC_FEATURES; f++) {
            apply(features.features[base + f], truth, 1);
            apply(features.features[base + f], predicted, -1);
          }
          for (const bucket of tagger.dynamic(prev, features.wordHash[i])) {
            apply(bucket, truth, 1);
            apply(bucket, predicted, -1);
          }
        });
        step += features.tokens.count;
      }
      mistakesPerEpoch.push(mistakes);
    }
    for (let k = 0; k < size; k++) current[k] -= totals[k] / step;
    return {
      tagger,
      stats: {
        epochs,
        notes: notes.length,
        tokens: tokenCount,
        mistakesPerEpoch,
        misalignedSpans,
        seconds: (performance.now() - started) / 1000,
      },
    };
  }

  /** Label indices (into BIO_LABELS) for each token of a text. */
  tag(text: string, tokens: Tokens = tokenize(text)): Uint8Array {
    return this.decode(this.extract(text, tokens), this.weights, new Float64Array(LABELS));
  }

  /** Entity spans in character offsets. */
  predict(text: string): Span[] {
    const tokens = tokenize(text);
    return bioToSpans(text, tokens, this.tag(text, tokens));
  }

  /** A JSON-safe value: only non-zero weights, as base64 index and value arrays. */
  toJSON(): { format: string; hashBits: number; labels: readonly string[]; indices: string; values: string } {
    let nonZero = 0;
    for (let k = 0; k < this.weights.length; k++) if (this.weights[k] !== 0) nonZero++;
    const indices = new Uint32Array(nonZero);
    const values = new Float32Array(nonZero);
    let j = 0;
    for (let k = 0; k < this.weights.length; k++) {
      if (this.weights[k] !== 0) {
        indices[j] = k;
        values[j++] = this.weights[k];
      }
    }
    return {
      format: FORMAT,
      hashBits: this.hashBits,
      labels: BIO_LABELS,
      indices: Buffer.from(indices.buffer).toString("base64"),
      values: Buffer.from(values.buffer).toString("base64"),
    };
  }

  static fromJSON(value: unknown, source = "model"): PerceptronTagger {
    const model = value as Partial<ReturnType<PerceptronTagger["toJSON"]>>;
    if (!model || model.format !== FORMAT)
      throw new ToolkitError(`${source}: not a ${FORMAT} model (format field is ${JSON.stringify(model?.format)})`, {
        stage: "ner",
        file: source,
        field: "format",
      });
    if (JSON.stringify(model.labels) !== JSON.stringify(BIO_LABELS))
      throw new ToolkitError(
        `${source}: model labels ${JSON.stringify(model.labels)} differ from this library's ${JSON.stringify(BIO_LABELS)}`,
        { stage: "ner", file: source, field: "labels" },
      );
    const hashBits = Number(model.hashBits);
    if (!Number.isInteger(hashBits) || hashBits < 4 || hashBits > 26)
      throw new ToolkitError(`${source}: hashBits must be an integer in 4..26`, {
        stage: "ner",
        file: source,
        field: "hashBits",
      });
    const indicesBytes = Buffer.from(String(model.indices), "base64");
    const valuesBytes = Buffer.from(String(model.values), "base64");
    const indices = new Uint32Array(
      indicesBytes.buffer.slice(indicesBytes.byteOffset, indicesBytes.byteOffset + indicesBytes.byteLength),
    );
    const values = new Float32Array(
      valuesBytes.buffer.slice(valuesBytes.byteOffset, valuesBytes.byteOffset + valuesBytes.byteLength),
    );
    const weights = new Float32Array((1 << hashBits) * LABELS);
    if (indices.length !== values.length)
      throw new ToolkitError(`${source}: index and value arrays differ in length`, {
        stage: "ner",
        file: source,
        field: "indices",
      });
    for (let j = 0; j < indices.length; j++) {
      if (indices[j] >= weights.length)
        throw new ToolkitError(`${source}: weight index ${indices[j]} out of range`, {
          stage: "ner",
          file: source,
          field: "indices",
        });
      weights[indices[j]] = values[j];
    }
    return new PerceptronTagger(hashBits, weights);
  }

  async save(file: string): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(this.toJSON()));
  }

  static async load(file: string): Promise<PerceptronTagger> {
    return PerceptronTagger.fromJSON(JSON.parse(await readFile(file, "utf8")), file);
  }
}
