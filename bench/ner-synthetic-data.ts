/**
 * Seeded synthetic material for the NER benchmarks: dictionary terms and note-like text. Made-up words,
 * not clinical content; only the sizes and the shape of the work matter here.
 */

import { createRng, type Rng } from "../lib/src/core/random.js";
import type { DictionaryTerm } from "../lib/src/ner/dictionary.js";
import { ENTITY_TYPES, type NerNote, type Span } from "../lib/src/ner/types.js";

const SYLLABLES = [
  "ra",
  "mi",
  "to",
  "zen",
  "pril",
  "olol",
  "cin",
  "vir",
  "mab",
  "tide",
  "pa",
  "ke",
  "lo",
  "dex",
  "sar",
  "tan",
  "ne",
  "fu",
  "ro",
  "gli",
];
const FILLER = [
  "the",
  "patient",
  "was",
  "given",
  "for",
  "and",
  "with",
  "denies",
  "reports",
  "daily",
  "mg",
  "history",
  "of",
  "on",
  "admission",
  "no",
  "noted",
  "plan",
  "continue",
  "started",
  "to",
  "in",
  "at",
  "follow",
  "up",
  ".",
  ",",
  ":",
];

export function makeWord(random: Rng): string {
  const n = 2 + Math.floor(random.next() * 3);
  let word = "";
  for (let i = 0; i < n; i++) word += SYLLABLES[Math.floor(random.next() * SYLLABLES.length)];
  return word;
}

/** `count` distinct terms of 1-4 words, types spread evenly. */
export function makeTerms(count: number, seed = 1): DictionaryTerm[] {
  const random = createRng(seed);
  const seen = new Set<string>();
  const terms: DictionaryTerm[] = [];
  while (terms.length < count) {
    const words = 1 + Math.floor(random.next() * random.next() * 4);
    const parts: string[] = [];
    for (let i = 0; i < words; i++) parts.push(makeWord(random));
    const term = parts.join(" ");
    if (seen.has(term)) continue;
    seen.add(term);
    terms.push({
      term: random.next() < 0.3 ? term[0].toUpperCase() + term.slice(1) : term,
      type: ENTITY_TYPES[terms.length % 3],
    });
  }
  return terms;
}

/** About `bytes` characters of note-like text: filler words, made-up words, and about 1 in 12 tokens a term. */
export function makeText(bytes: number, terms: readonly DictionaryTerm[], seed = 2): string {
  const random = createRng(seed);
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    const r = random.next();
    const piece =
      r < 0.08
        ? terms[Math.floor(random.next() * terms.length)].term
        : r < 0.25
          ? makeWord(random)
          : FILLER[Math.floor(random.next() * FILLER.length)];
    parts.push(piece);
    length += piece.length + 1;
    if (random.next() < 0.05) parts.push("\n");
  }
  return parts.join(" ");
}

/** Notes of about `tokensPerNote` tokens labelled with spans of the inserted terms (a stand-in for teacher labels). */
export function makeLabelledNotes(count: number, tokensPerNote: number, seed = 3): NerNote[] {
  const random = createRng(seed);
  const terms = makeTerms(5000, seed + 1);
  const notes: NerNote[] = [];
  for (let n = 0; n < count; n++) {
    let text = "";
    const spans: Span[] = [];
    let tokens = 0;
    while (tokens < tokensPerNote) {
      const r = random.next();
      if (r < 0.08) {
        const term = terms[Math.floor(random.next() * terms.length)];
        const start = text.length;
        text += term.term;
        spans.push({ start, end: text.length, type: term.type, text: term.term });
        tokens += term.term.split(" ").length;
      } else {
        text += r < 0.25 ? makeWord(random) : FILLER[Math.floor(random.next() * FILLER.length)];
        tokens++;
      }
      text += random.next() < 0.05 ? "\n" : " ";
    }
    notes.push({ id: `B${n}`, text, spans });
  }
  return notes;
}
