import type { Tokens } from "./tokenize.js";
import { ENTITY_TYPES, type EntityType, type Span } from "./types.js";

/**
 * BIO (IOB2) tags: "O", "B-<type>", "I-<type>". The student tags tokens; spans go in and come out in
 * character offsets through the shared tokenizer.
 */
export const BIO_LABELS: readonly string[] = ["O", ...ENTITY_TYPES.flatMap((type) => [`B-${type}`, `I-${type}`])];

export interface BioEncoding {
  /** Label index into BIO_LABELS per token. */
  labels: Uint8Array;
  /** Spans whose ends fall inside a token (the whole token is tagged) or that cover no token. */
  misaligned: number;
  uncovered: number;
}

/** Tag tokens from (non-overlapping) spans: a token belongs to a span when they overlap. */
export function spansToBio(tokens: Tokens, spans: readonly Span[]): BioEncoding {
  const labels = new Uint8Array(tokens.count);
  let misaligned = 0;
  let uncovered = 0;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let t = 0;
  for (const span of sorted) {
    while (t < tokens.count && tokens.ends[t] <= span.start) t++;
    let first = -1;
    let u = t;
    while (u < tokens.count && tokens.starts[u] < span.end) {
      if (labels[u] !== 0) break; // already tagged by an earlier overlapping span
      const typeIndex = ENTITY_TYPES.indexOf(span.type);
      labels[u] = first < 0 ? 1 + 2 * typeIndex : 2 + 2 * typeIndex;
      if (first < 0) first = u;
      u++;
    }
    if (first < 0) uncovered++;
    else if (tokens.starts[first] !== span.start || tokens.ends[u - 1] !== span.end) misaligned++;
  }
  return { labels, misaligned, uncovered };
}

export interface TokenEntity {
  /** First token index and one past the last. */
  start: number;
  end: number;
  type: string;
}

/**
 * Entities from a tag sequence. "strict" is seqeval's strict mode for IOB2: an entity is a B-X followed by
 * I-X*; an I-X that does not continue a B-X/I-X run is not an entity. "conlleval" is seqeval's default:
 * an I-X after O or after another type also starts an entity.
 */
export function bioEntities(tags: readonly string[], mode: "strict" | "conlleval" = "strict"): TokenEntity[] {
  const out: TokenEntity[] = [];
  let current: TokenEntity | undefined;
  const close = (at: number) => {
    if (current) {
      current.end = at;
      out.push(current);
      current = undefined;
    }
  };
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i];
    const prefix = tag === "O" ? "O" : tag.slice(0, 2);
    const type = tag.slice(2);
    if (prefix === "B-") {
      close(i);
      current = { start: i, end: i + 1, type };
    } else if (prefix === "I-") {
      if (current && current.type === type) continue;
      close(i);
      if (mode === "conlleval") current = { start: i, end: i + 1, type };
    } else {
      close(i);
    }
  }
  close(tags.length);
  return out;
}

/** Character spans from label indices over tokens (strict decoding). */
export function bioToSpans(text: string, tokens: Tokens, labels: ArrayLike<number>): Span[] {
  const tags = Array.from(labels, (label) => BIO_LABELS[label]);
  return bioEntities(tags, "strict").map((entity) => {
    const start = tokens.starts[entity.start];
    const end = tokens.ends[entity.end - 1];
    return { start, end, type: entity.type as EntityType, text: text.slice(start, end) };
  });
}

/** Sequences of tags as notes of token-index spans, so seqeval-style fixtures run through evaluateEntities. */
export function bioSequencesAsSpans(
  sequences: readonly (readonly string[])[],
  mode: "strict" | "conlleval" = "strict",
) {
  return sequences.map((tags) =>
    bioEntities(tags, mode).map((entity) => ({
      start: entity.start,
      end: entity.end,
      type: entity.type as EntityType,
      text: "",
    })),
  );
}
