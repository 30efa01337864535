/**
 * Quotes made from a real note the way teachers write them, for the grounding check's test and benchmark
 * (tests/synth/grounding.test.ts, bench/grounding.bench.ts):
 *  - genuine quotes with realistic small changes (header punctuation dropped, final period added or
 *    removed, Unicode in the note typed as ASCII, bullet lines joined without markers, line breaks
 *    collapsed, curly quotes, a short ellipsis within a sentence, case changed);
 *  - close fabrications (a negating prefix dropped, a quote starting or ending inside a word, fragments
 *    far apart joined with "...", a digit changed, a word swapped, a negation removed).
 * A fabrication is kept only when an independent, simple reference (whole-word token sequences) says it
 * really is not in the note, so a refused "fabrication" is never a genuine quote.
 */
import type { Rng } from "../../lib/src/core/random.js";

export const GENUINE_KINDS = [
  "verbatim",
  "header_punct_dropped",
  "final_period",
  "unicode_to_ascii",
  "bullets_joined",
  "lines_collapsed",
  "curly_quotes",
  "short_ellipsis",
  "case_changed",
] as const;
export const FABRICATION_KINDS = [
  "negation_prefix_dropped",
  "inside_word",
  "far_ellipsis",
  "digit_changed",
  "word_swapped",
  "negation_removed",
] as const;
export type GenuineKind = (typeof GENUINE_KINDS)[number];
export type FabricationKind = (typeof FABRICATION_KINDS)[number];

export interface QuoteCase {
  kind: GenuineKind | FabricationKind;
  genuine: boolean;
  quote: string;
  /** The note text the quote is checked against (the Unicode variant of the note for unicode_to_ascii). */
  note: string;
}

interface Span {
  text: string;
  start: number;
}

const BULLET = /^\s*(?:[•\-*·▪]|\d{1,2}[.)])\s+/;
const HEADER_LINE = /^[A-Z][A-Z &/]{2,40}$/;

/** Non-empty lines with their offsets. */
function lines(note: string): Span[] {
  const out: Span[] = [];
  let start = 0;
  for (const line of note.split("\n")) {
    if (line.trim() !== "") out.push({ text: line, start });
    start += line.length + 1;
  }
  return out;
}

/** Sentences (4+ words, 20-300 characters) within lines, with their offsets. */
function sentences(note: string): Span[] {
  const out: Span[] = [];
  for (const line of lines(note)) {
    const body = line.text.replace(BULLET, "");
    const offset = line.start + line.text.length - body.length;
    for (const match of body.matchAll(/\S.*?(?:[.!?](?=\s+[A-Z0-9]|\s*$)|$)/g)) {
      const text = match[0].trim();
      const words = text.split(/\s+/).length;
      if (words >= 4 && text.length >= 20 && text.length <= 300) out.push({ text, start: offset + (match.index ?? 0) });
    }
  }
  return out;
}

/** Whole-word tokens (hyphen/apostrophe-joined words count as one) with offsets: the reference. */
function referenceTokens(text: string): { words: string[]; starts: number[]; ends: number[] } {
  const words: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const folded = text.normalize("NFKC").toLowerCase();
  for (const match of folded.matchAll(/[\p{L}\p{N}]+(?:['’\u2010\u2011-][\p{L}\p{N}]+)*/gu)) {
    words.push(match[0].replace(/[’]/g, "'"));
    starts.push(match.index ?? 0);
    ends.push((match.index ?? 0) + match[0].length);
  }
  return { words, starts, ends };
}

/** Start offsets (in the note) of every occurrence of the quote's word sequence. */
function referenceOccurrences(
  note: ReturnType<typeof referenceTokens>,
  quote: string,
): { start: number; end: number }[] {
  const q = referenceTokens(quote).words;
  const out: { start: number; end: number }[] = [];
  if (q.length === 0) return out;
  for (let i = 0; i + q.length <= note.words.length; i++) {
    let ok = true;
    for (let j = 0; j < q.length && ok; j++) ok = note.words[i + j] === q[j];
    if (ok) out.push({ start: note.starts[i], end: note.ends[i + q.length - 1] });
  }
  return out;
}

/** The note with symbols written in Unicode where it has them in ASCII (a teacher then types ASCII). */
export function unicodeVariant(note: string): string {
  return note
    .replace(/(\d) ?degrees? ?([FC])\b/g, "$1°$2")
    .replace(/\b(O|CO)2\b/g, "$1₂")
    .replace(/\bm2\b/g, "m²")
    .replace(/(\p{L})'(\p{L})/gu, "$1’$2")
    .replace(/ - /g, " – ")
    .replace(/>= ?/g, "≥ ")
    .replace(/<= ?/g, "≤ ")
    .replace(/ -> /g, " → ")
    .replace(/(\d) x (\d)/g, "$1 × $2")
    .replace(/\+\/-/g, "±")
    .replace(/(\d)-(\d)/g, "$1–$2");
}

const pick = <T>(items: readonly T[], random: Rng): T => items[random.nextInt(items.length)];

const NEGATING_PREFIX =
  /\b(?:(non-?)(?=[a-z]{4})|(un)(?=(?:remarkable|able|changed|complicated|labored|steady|controlled|known|clear|stable|responsive|equal|limited)\b)|(a)(?=(?:febrile|symptomatic|traumatic|nicteric|cyanotic|typical)\b)|(in)(?=(?:effective|adequate|appropriate|complete|sufficient|active|tolerant|continent|tact)\b)|(ir)(?=(?:regular|reversible)\b)|(dis)(?=(?:continued|comfort)\b)|(ab)(?=normal\b))/gi;
const ANTONYMS: Record<string, string> = {
  left: "right",
  right: "left",
  increase: "decrease",
  decrease: "increase",
  increased: "decreased",
  decreased: "increased",
  positive: "negative",
  negative: "positive",
  upper: "lower",
  lower: "upper",
  mild: "severe",
  severe: "mild",
  before: "after",
  after: "before",
  above: "below",
  below: "above",
  denies: "reports",
  reports: "denies",
  with: "without",
  without: "with",
  continue: "stop",
  start: "stop",
};
const NEGATION_WORD = /\s(?:no|not|denies|without|never|negative for)\b/gi;

/** One genuine quote of `kind` from the note, or undefined where the note offers none. */
function genuine(kind: GenuineKind, note: string, random: Rng): QuoteCase | undefined {
  const make = (quote: string, text = note): QuoteCase => ({ kind, genuine: true, quote, note: text });
  const all = sentences(note);
  switch (kind) {
    case "verbatim":
      return all.length ? make(pick(all, random).text) : undefined;
    case "header_punct_dropped": {
      const labelled = lines(note)
        .map((line) => /^\s*(?:[•\-*]\s*)?([A-Za-z][\w ,/&()'-]{1,40}):\s*,?\s*(\S.{10,200})$/.exec(line.text))
        .filter((m): m is RegExpExecArray => m !== null);
      const all = lines(note);
      const headed = all
        .map((line, i) =>
          HEADER_LINE.test(line.text.trim()) && all[i + 1] ? [line.text.trim(), all[i + 1].text] : null,
        )
        .filter((pair): pair is string[] => pair !== null && !BULLET.test(pair[1]) && pair[1].length < 250);
      if (labelled.length && (random.next() < 0.5 || !headed.length)) {
        const m = pick(labelled, random);
        return make(`${m[1]} ${m[2]}`);
      }
      if (!headed.length) return undefined;
      const [header, first] = pick(headed, random);
      return make(`${header}: ${first.trim()}`);
    }
    case "final_period": {
      if (!all.length) return undefined;
      const s = pick(all, random).text;
      const comma = s.indexOf(", ");
      if (comma > 15 && random.next() < 0.5) return make(`${s.slice(0, comma)}.`);
      return make(s.endsWith(".") ? s.slice(0, -1) : `${s}.`);
    }
    case "unicode_to_ascii": {
      const variant = unicodeVariant(note);
      const changed = all.filter((s) => unicodeVariant(s.text) !== s.text);
      // Sentences already with Unicode in the note, typed in ASCII.
      const ascii = (text: string) =>
        text
          .replace(/[’‘]/g, "'")
          .replace(/[“”]/g, '"')
          .replace(/²/g, "2")
          .replace(/\u00a0/g, " ")
          .replace(/•\s*/g, "");
      const native = all.filter((s) => ascii(s.text) !== s.text);
      if (native.length && (random.next() < 0.5 || !changed.length)) return make(ascii(pick(native, random).text));
      return changed.length ? make(pick(changed, random).text, variant) : undefined;
    }
    case "bullets_joined": {
      const all = lines(note);
      const runs: string[][] = [];
      for (let i = 0; i + 1 < all.length; i++) {
        if (BULLET.test(all[i].text) && BULLET.test(all[i + 1].text)) {
          const run = [all[i].text, all[i + 1].text];
          if (i + 2 < all.length && BULLET.test(all[i + 2].text) && random.next() < 0.5) run.push(all[i + 2].text);
          if (run.every((line) => line.length < 200)) runs.push(run);
        }
      }
      if (!runs.length) return undefined;
      const joiner = pick([" ", "; ", ". ", ", "], random);
      return make(
        pick(runs, random)
          .map((line) => line.replace(BULLET, "").trim())
          .join(joiner),
      );
    }
    case "lines_collapsed": {
      const all = lines(note);
      const pairs = all
        .map((line, i) =>
          all[i + 1] && !BULLET.test(line.text)
            ? note.slice(line.start, all[i + 1].start + all[i + 1].text.length)
            : null,
        )
        .filter((text): text is string => text !== null && text.length < 300);
      return pairs.length ? make(pick(pairs, random).replace(/\s+/g, " ").trim()) : undefined;
    }
    case "curly_quotes": {
      if (!all.length) return undefined;
      return make(`\u201c${pick(all, random).text.replace(/'/g, "\u2019")}\u201d`);
    }
    case "short_ellipsis": {
      const long = all.filter((s) => s.text.split(" ").length >= 9);
      if (!long.length) return undefined;
      const words = pick(long, random).text.split(" ");
      const keepStart = 2 + random.nextInt(Math.min(4, words.length - 7));
      const drop = 1 + random.nextInt(Math.min(6, words.length - keepStart - 2));
      const marker = pick([" ... ", "... ", " … ", " [...] "], random);
      return make(`${words.slice(0, keepStart).join(" ")}${marker}${words.slice(keepStart + drop).join(" ")}`);
    }
    case "case_changed": {
      if (!all.length) return undefined;
      const s = pick(all, random).text;
      return make(random.next() < 0.5 ? s.toLowerCase() : s.toUpperCase());
    }
  }
}

/** One close fabrication of `kind`, or undefined (none possible, or the reference finds it in the note). */
function fabrication(
  kind: FabricationKind,
  note: string,
  reference: ReturnType<typeof referenceTokens>,
  maxGap: number,
  random: Rng,
): QuoteCase | undefined {
  const all = sentences(note);
  if (!all.length) return undefined;
  let quote: string | undefined;
  switch (kind) {
    case "negation_prefix_dropped": {
      const hits = all.flatMap((s) =>
        [...s.text.matchAll(NEGATING_PREFIX)].map((m) => ({ s: s.text, at: m.index ?? 0, prefix: m[0] })),
      );
      if (!hits.length) return undefined;
      const { s, at, prefix } = pick(hits, random);
      // The whole sentence without the prefix, or the quote starting where the prefix ends.
      quote = random.next() < 0.5 ? s.slice(0, at) + s.slice(at + prefix.length) : s.slice(at + prefix.length);
      break;
    }
    case "inside_word": {
      const s = pick(all, random).text;
      const words = [...s.matchAll(/\p{L}{6,}/gu)];
      if (!words.length) return undefined;
      const word = pick(words, random);
      const cut = (word.index ?? 0) + 2 + random.nextInt(word[0].length - 3);
      quote = random.next() < 0.5 ? s.slice(cut) : s.slice(0, cut);
      if (quote.trim().split(/\s+/).length < 3) return undefined;
      break;
    }
    case "far_ellipsis": {
      const a = pick(all, random);
      const aText = a.text
        .split(" ")
        .slice(0, 3 + random.nextInt(4))
        .join(" ");
      const aEnd = a.start + aText.length;
      const far = all.filter((s) => s.start > aEnd + maxGap);
      if (!far.length) return undefined;
      const b = pick(far, random)
        .text.split(" ")
        .slice(0, 3 + random.nextInt(4))
        .join(" ");
      quote = `${aText} ... ${b}`;
      // Refused only if no occurrence of the parts lies within the bound anywhere in the note.
      const ends = referenceOccurrences(reference, aText);
      const starts = referenceOccurrences(reference, b);
      if (ends.some((x) => starts.some((y) => y.start >= x.end && y.start - x.end <= maxGap))) return undefined;
      return { kind, genuine: false, quote, note };
    }
    case "digit_changed": {
      const withDigits = all.filter((s) => /\d/.test(s.text));
      if (!withDigits.length) return undefined;
      const s = pick(withDigits, random).text;
      const digits = [...s.matchAll(/\d/g)];
      const d = pick(digits, random);
      const at = d.index ?? 0;
      quote = s.slice(0, at) + String((Number(d[0]) + 1 + random.nextInt(8)) % 10) + s.slice(at + 1);
      break;
    }
    case "word_swapped": {
      const s = pick(all, random).text;
      const words = [...s.matchAll(/\b\p{L}{4,}\b/gu)];
      if (!words.length) return undefined;
      const antonym = words.filter((w) => ANTONYMS[w[0].toLowerCase()]);
      const target = antonym.length ? pick(antonym, random) : pick(words, random);
      const vocabulary = reference.words.filter((w) => /^\p{L}{4,}$/u.test(w) && w !== target[0].toLowerCase());
      const replacement = ANTONYMS[target[0].toLowerCase()] ?? pick(vocabulary, random);
      const at = target.index ?? 0;
      quote = s.slice(0, at) + replacement + s.slice(at + target[0].length);
      break;
    }
    case "negation_removed": {
      const hits = all.flatMap((s) => [...s.text.matchAll(NEGATION_WORD)].map((m) => ({ s: s.text, m })));
      if (!hits.length) return undefined;
      const { s, m } = pick(hits, random);
      const at = m.index ?? 0;
      quote = s.slice(0, at) + s.slice(at + m[0].length);
      break;
    }
  }
  if (quote === undefined || referenceOccurrences(reference, quote).length > 0) return undefined;
  return { kind, genuine: false, quote, note };
}

/**
 * Up to `perKind` genuine and fabricated quotes of each kind from one note (fewer where the note has
 * nothing to build one from, e.g. no bullets). Deterministic for a given `random` state.
 */
export function quoteCases(note: string, random: Rng, perKind: number, maxGap: number): QuoteCase[] {
  const out: QuoteCase[] = [];
  const reference = referenceTokens(note);
  for (const kind of GENUINE_KINDS) {
    for (let i = 0; i < perKind; i++) {
      const made = genuine(kind, note, random);
      if (made) out.push(made);
    }
  }
  for (const kind of FABRICATION_KINDS) {
    for (let i = 0; i < perKind; i++) {
      const made = fabrication(kind, note, reference, maxGap, random);
      if (made) out.push(made);
    }
  }
  return out;
}
