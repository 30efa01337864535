import { defaults } from "../config/defaults.js";
import { hasListMarkers, isWordCut, type MatchText, matchForm, normalizeForMatch } from "../text/match-text.js";
import type { ExplanationQuoteCheck, SourceCheck } from "./types.js";

/**
 * Is the teacher's "source" really a quote from the note? Every row keeps the outcome and the span it
 * matched, so a user can filter on it (or reject with requireSourceInNote). The rules (docs/synth.md):
 *  - exact: the quote verbatim, at word boundaries;
 *  - normalized: the quote in match form (lib/src/text/match-text.ts: case, spacing, punctuation, Unicode
 *    symbols and their ASCII spellings), at word boundaries of the note;
 *  - fragments: parts around "..." each found that way, in order, each within `maxEllipsisGap` characters
 *    of the note after the previous one;
 *  - not_found; empty (no quote, "NA", or no letter or digit in it).
 * A quote never starts or ends inside a word of the note ("tender" is not in "nontender"), and letters
 * and digits must agree, so normalisation cannot let a changed word or number through.
 */

/** Characters of the note allowed between two parts of a quote joined by "..." (synth.postProcess.maxEllipsisGap's default). */
export const DEFAULT_MAX_ELLIPSIS_GAP = defaults.synth.postProcess.maxEllipsisGap;

export interface MatchOptions {
  /** Most characters of the note between the parts of a quote around "..." (default 200). */
  maxEllipsisGap?: number;
}

/**
 * A note prepared for many quote checks. Its match forms (with offset maps) are built once, on the first
 * quote that is not verbatim, so a note whose quotes are all exact never pays for them.
 */
export class NoteForMatching {
  private matchForm: MatchText | undefined;
  private markerForm: MatchText | null | undefined;
  constructor(readonly text: string) {}

  /** Match form with line-start list markers dropped. */
  get form(): MatchText {
    this.matchForm ??= matchForm(this.text);
    return this.matchForm;
  }

  /** Match form with them kept, when the note has any ("PLAN\n1. Diabetes" quoted as "PLAN 1. Diabetes"). */
  get formWithMarkers(): MatchText | null {
    if (this.markerForm === undefined)
      this.markerForm = hasListMarkers(this.text) ? matchForm(this.text, { listMarkers: "keep" }) : null;
    return this.markerForm;
  }
}

export function prepareNote(text: string): NoteForMatching {
  return new NoteForMatching(text);
}

/** The outcome of one quote check; start/end are offsets in the original note text, end exclusive. */
export interface SourceMatch {
  check: SourceCheck;
  start: number | null;
  end: number | null;
  /** For "fragments": the span of each part. */
  parts?: [number, number][];
}

// "...", ". . .", "…", "[...]", "(…)" with the spaces around them.
const ELLIPSIS = /\s*(?:[[(]\s*(?:\.\s*){2,}\.\s*[\])]|[[(]\s*\u2026\s*[\])]|(?:\.\s*){2,}\.|\u2026)\s*/;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

interface Hit {
  /** Match-form positions [at, end). */
  at: number;
  end: number;
  /** Original offsets [start, stop). */
  start: number;
  stop: number;
}

/** First occurrence of `part` (match form) at or after match-form position `from`, at word boundaries. */
function findPart(note: NoteForMatching, form: MatchText, part: string, from: number): Hit | undefined {
  const text = form.text;
  for (let at = text.indexOf(part, from); at >= 0; at = text.indexOf(part, at + 1)) {
    const end = at + part.length;
    if (at > 0 && text.charCodeAt(at - 1) !== 32) continue;
    if (end < text.length && text.charCodeAt(end) !== 32) continue;
    const start = form.from[at];
    const stop = form.to[end - 1];
    if (isWordCut(note.text, start) || isWordCut(note.text, stop)) continue;
    return { at, end, start, stop };
  }
  return undefined;
}

/**
 * Parts [i..] in order from match-form position `from`, each within `maxGap` of the previous part's end.
 * Tries later occurrences of a part when the rest does not follow (bounded by `budget`).
 */
function findChain(
  note: NoteForMatching,
  form: MatchText,
  parts: string[],
  i: number,
  from: number,
  previousStop: number,
  maxGap: number,
  budget: { left: number },
): Hit[] | undefined {
  for (let hit = findPart(note, form, parts[i], from); hit; hit = findPart(note, form, parts[i], hit.at + 1)) {
    // Later occurrences are only further away.
    if (i > 0 && hit.start - previousStop > maxGap) return undefined;
    if (i === parts.length - 1) return [hit];
    const rest = findChain(note, form, parts, i + 1, hit.end, hit.stop, maxGap, budget);
    if (rest) return [hit, ...rest];
    if (--budget.left <= 0) return undefined;
  }
  return undefined;
}

function exactAt(note: NoteForMatching, quote: string): number {
  for (let at = note.text.indexOf(quote); at >= 0; at = note.text.indexOf(quote, at + 1)) {
    if (!isWordCut(note.text, at) && !isWordCut(note.text, at + quote.length)) return at;
  }
  return -1;
}

const NOT_FOUND: SourceMatch = { check: "not_found", start: null, end: null };
const EMPTY: SourceMatch = { check: "empty", start: null, end: null };

/** Match a quote (already trimmed, not empty) against a prepared note. */
function matchQuote(quote: string, note: NoteForMatching, options: MatchOptions): SourceMatch {
  const at = exactAt(note, quote);
  if (at >= 0) return { check: "exact", start: at, end: at + quote.length };
  const pieces = quote.includes("..") || quote.includes("\u2026") ? quote.split(ELLIPSIS) : [quote];
  const parts = pieces.map((piece) => normalizeForMatch(piece)).filter((part) => part !== "");
  if (parts.length === 0 || !parts.some((part) => HAS_LETTER_OR_DIGIT.test(part))) return EMPTY;
  const maxGap = options.maxEllipsisGap ?? DEFAULT_MAX_ELLIPSIS_GAP;
  let hits = findChain(note, note.form, parts, 0, 0, 0, maxGap, { left: 200 });
  const markerForm = hits ? null : note.formWithMarkers;
  if (markerForm) {
    const kept = pieces.map((piece) => normalizeForMatch(piece, { listMarkers: "keep" })).filter((part) => part !== "");
    hits = findChain(note, markerForm, kept, 0, 0, 0, maxGap, { left: 200 });
  }
  if (!hits) return NOT_FOUND;
  const result: SourceMatch = {
    check: hits.length > 1 ? "fragments" : "normalized",
    start: hits[0].start,
    end: hits[hits.length - 1].stop,
  };
  if (hits.length > 1) result.parts = hits.map((hit) => [hit.start, hit.stop]);
  return result;
}

export function checkSource(source: string, note: NoteForMatching, options: MatchOptions = {}): SourceMatch {
  const quote = source.trim();
  if (quote === "" || quote.toUpperCase() === "NA" || quote.toUpperCase() === "N/A") return EMPTY;
  return matchQuote(quote, note, options);
}

/** Whether a check's outcome counts as the quote being in the note. */
export function sourceFound(check: SourceCheck): boolean {
  return check === "exact" || check === "normalized" || check === "fragments";
}

// Double-quoted phrases long enough to be a quotation rather than a term.
const QUOTED = /["\u201c]([^"\u201c\u201d]{12,}?)["\u201d]/g;

/** Quoted phrases in an explanation, each checked as a source quote is. */
export function checkExplanationQuotes(
  explanation: string,
  note: NoteForMatching,
  options: MatchOptions = {},
): ExplanationQuoteCheck {
  let any = false;
  for (const match of explanation.matchAll(QUOTED)) {
    const quote = match[1].trim();
    const check = quote === "" ? "empty" : matchQuote(quote, note, options).check;
    if (check === "empty") continue; // nothing to check ("...", "--------------")
    any = true;
    if (!sourceFound(check)) return "not_found";
  }
  return any ? "found" : "none";
}
