import { defaults } from "../config/defaults.js";
import { foldedPunctuation, foldToken, hasLineBreak, tokenize } from "./tokenize.js";
import { ENTITY_TYPES, type EntityType, type Span } from "./types.js";

/** One dictionary entry: a surface form and the entity type it stands for. */
export interface DictionaryTerm {
  term: string;
  type: EntityType;
  /** Match only with the exact case (SNOMED's "whole term case sensitive", acronyms such as "ALL"). */
  caseSensitive?: boolean;
}

export interface DictionaryOptions {
  /**
   * Case-insensitive terms shorter than this (in characters, after trimming) are skipped: "A", "ms" match
   * too much. Case-sensitive terms ("MI", "AF") are exempt; a one-character term is always too short.
   */
  minTermChars?: number;
  /** When the same normalised term has two types, the earlier type in this list wins. */
  typePriority?: readonly EntityType[];
  /** Normalised terms never to match (common words that are also drug or finding names). */
  stopTerms?: readonly string[];
  /**
   * Let a match run over a line break. Default false: list items, headers and table rows end at a line
   * break, so "Aspirin\nRash" is never one term. Set true only for text hard-wrapped mid-sentence.
   */
  matchAcrossLineBreaks?: boolean;
}

export interface DictionaryStats {
  terms: number;
  nodes: number;
  skipped: { tooShort: number; numeric: number; stopTerm: number; duplicate: number; typeConflict: number };
}

const NO_TYPE = -1;
const HAS_LETTER = /\p{L}/u;
const SEP = "\u0000";
// A bit filter over hashes of first tokens: most note tokens start no term, and the filter says so
// without allocating the token's string.
const FILTER_BITS = 22;
const FILTER_MASK = (1 << FILTER_BITS) - 1;

function hashRange(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return (hash >>> 0) & FILTER_MASK;
}

/**
 * A longest-match dictionary labeler over tokens. Terms and text go through the same tokenizer, are
 * lower-cased and have look-alike punctuation folded ("’" → "'", U+2011 → "-"), so matching ignores case,
 * the amount and kind of whitespace between tokens and the apostrophe's form ("Crohn's" = "Crohn’s"). A
 * match always starts and ends on token (word) boundaries ("asa" never fires inside "nasal") and, by
 * default, lies on one line.
 *
 * The trie is flat for memory on 10^5-10^6 terms: one Map for first tokens, one Map for the other edges
 * keyed "node\0token", and typed arrays for what ends at a node.
 */
export class Dictionary {
  readonly stats: DictionaryStats;
  private readonly roots = new Map<string, number>();
  private readonly rootFilter = new Uint8Array(1 << (FILTER_BITS - 3));
  private readonly edges = new Map<string, number>();
  private nodeType = new Int8Array(1024).fill(NO_TYPE);
  /** For case-sensitive terms: the exact token sequence (joined by a space) the text must show. */
  private readonly exactForm = new Map<number, string>();
  private nodeCount = 0;
  private readonly priority: Map<EntityType, number>;
  private readonly acrossLines: boolean;

  constructor(terms: Iterable<DictionaryTerm>, options: DictionaryOptions = {}) {
    const minChars = options.minTermChars ?? defaults.ner.ontology.minTermChars;
    const stop = new Set((options.stopTerms ?? []).map((term) => normalise(term)));
    const order = options.typePriority ?? ENTITY_TYPES;
    this.acrossLines = options.matchAcrossLineBreaks ?? false;
    this.priority = new Map(order.map((type, i) => [type, i]));
    const skipped = { tooShort: 0, numeric: 0, stopTerm: 0, duplicate: 0, typeConflict: 0 };
    let count = 0;
    for (const entry of terms) {
      const trimmed = entry.term.trim();
      if (trimmed.length < (entry.caseSensitive ? 2 : minChars)) {
        skipped.tooShort++;
        continue;
      }
      // Numbers, doses and dates ("500", "1/2", "3.5") have no letter; "n/v", "s/p", "T4" do.
      if (!HAS_LETTER.test(trimmed)) {
        skipped.numeric++;
        continue;
      }
      const tokens = tokenStringsOf(trimmed).map(foldToken);
      const lowered = tokens.map((token) => token.toLowerCase());
      if (stop.has(lowered.join(" "))) {
        skipped.stopTerm++;
        continue;
      }
      const outcome = this.insert(lowered, entry.type, entry.caseSensitive ? tokens.join(" ") : undefined);
      if (outcome === "duplicate") skipped.duplicate++;
      else if (outcome === "conflict") skipped.typeConflict++;
      else count++;
    }
    this.stats = { terms: count, nodes: this.nodeCount, skipped };
  }

  private newNode(): number {
    const id = this.nodeCount++;
    if (id >= this.nodeType.length) {
      const grown = new Int8Array(this.nodeType.length * 2).fill(NO_TYPE);
      grown.set(this.nodeType);
      this.nodeType = grown;
    }
    return id;
  }

  private insert(tokens: string[], type: EntityType, exact: string | undefined): "added" | "duplicate" | "conflict" {
    let node = this.roots.get(tokens[0]);
    if (node === undefined) {
      node = this.newNode();
      this.roots.set(tokens[0], node);
      const bit = hashRange(tokens[0], 0, tokens[0].length);
      this.rootFilter[bit >>> 3] |= 1 << (bit & 7);
    }
    for (let i = 1; i < tokens.length; i++) {
      const key = node + SEP + tokens[i];
      let next = this.edges.get(key);
      if (next === undefined) {
        next = this.newNode();
        this.edges.set(key, next);
      }
      node = next;
    }
    const typeIndex = ENTITY_TYPES.indexOf(type);
    const existing = this.nodeType[node];
    if (existing === NO_TYPE) {
      this.nodeType[node] = typeIndex;
      if (exact !== undefined) this.exactForm.set(node, exact);
      return "added";
    }
    // A case-insensitive entry makes the node match any case.
    if (exact === undefined) this.exactForm.delete(node);
    if (existing === typeIndex) return "duplicate";
    const current = ENTITY_TYPES[existing];
    if ((this.priority.get(type) ?? 99) < (this.priority.get(current) ?? 99)) this.nodeType[node] = typeIndex;
    return "conflict";
  }

  /** All longest, non-overlapping matches, left to right. */
  match(text: string): Span[] {
    const tokens = tokenize(text);
    const { count, starts, ends } = tokens;
    const lowerText = text.toLowerCase();
    // toLowerCase keeps offsets for nearly all text; where it does not (e.g. U+0130), lower per token.
    const aligned = lowerText.length === text.length;
    const key = (i: number) => {
      const start = starts[i];
      if (ends[i] - start === 1) {
        const folded = foldedPunctuation(text, start);
        if (folded !== undefined) return folded;
      }
      return aligned ? lowerText.slice(start, ends[i]) : text.slice(start, ends[i]).toLowerCase();
    };
    const spans: Span[] = [];
    const filter = this.rootFilter;
    const acrossLines = this.acrossLines;
    for (let i = 0; i < count; i++) {
      // One-character tokens (punctuation, may be folded) skip the filter: their strings cost nothing.
      if (aligned && ends[i] - starts[i] > 1) {
        const bit = hashRange(lowerText, starts[i], ends[i]);
        if ((filter[bit >>> 3] & (1 << (bit & 7))) === 0) continue;
      }
      let node = this.roots.get(key(i));
      if (node === undefined) continue;
      let best = -1;
      let bestType = NO_TYPE;
      let j = i;
      for (;;) {
        const type = this.nodeType[node];
        if (type !== NO_TYPE && this.exactMatches(node, text, tokens, i, j)) {
          best = j;
          bestType = type;
        }
        j++;
        if (j >= count) break;
        if (!acrossLines && hasLineBreak(text, ends[j - 1], starts[j])) break;
        const next = this.edges.get(node + SEP + key(j));
        if (next === undefined) break;
        node = next;
      }
      if (best >= 0) {
        const start = starts[i];
        const end = ends[best];
        spans.push({ start, end, type: ENTITY_TYPES[bestType], text: text.slice(start, end) });
        i = best;
      }
    }
    return spans;
  }

  private exactMatches(node: number, text: string, tokens: ReturnType<typeof tokenize>, from: number, to: number) {
    const exact = this.exactForm.get(node);
    if (exact === undefined) return true;
    const parts: string[] = [];
    for (let k = from; k <= to; k++) parts.push(foldToken(text.slice(tokens.starts[k], tokens.ends[k])));
    return parts.join(" ") === exact;
  }
}

function tokenStringsOf(text: string): string[] {
  const tokens = tokenize(text);
  const out: string[] = [];
  for (let i = 0; i < tokens.count; i++) out.push(text.slice(tokens.starts[i], tokens.ends[i]));
  return out;
}

/** The normal form a term is matched by: tokens, punctuation folded, lower-cased, joined by one space. */
export function normalise(term: string): string {
  return tokenStringsOf(term.trim())
    .map((token) => foldToken(token).toLowerCase())
    .join(" ");
}
