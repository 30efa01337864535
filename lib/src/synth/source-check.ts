import { normalizeForMatch } from "./normalize.js";
import type { ExplanationQuoteCheck, SourceCheck } from "./types.js";

/**
 * Is the teacher's "source" really a quote from the note? The original method never checked; here
 * every row keeps the outcome so a user can filter on it (or reject with requireSourceInNote).
 */

/** A note prepared once for many quote checks. */
export interface NoteForMatching {
  text: string;
  normalized: string;
}

export function prepareNote(text: string): NoteForMatching {
  return { text, normalized: normalizeForMatch(text) };
}

const ELLIPSIS = /\s*(?:\.\.\.|\u2026|\[\.\.\.\])\s*/;
const WRAPPING_QUOTES = /^["'\u201c\u201d\u2018\u2019]+|["'\u201c\u201d\u2018\u2019]+$/g;

/** Every part of the quote (split at ellipses) found in order in the normalised note. */
function foundNormalized(quote: string, note: NoteForMatching): boolean {
  const parts = quote
    .split(ELLIPSIS)
    .map((part) => normalizeForMatch(part.replace(WRAPPING_QUOTES, "")))
    .filter((part) => part !== "");
  if (parts.length === 0) return false;
  let from = 0;
  for (const part of parts) {
    const at = note.normalized.indexOf(part, from);
    if (at < 0) return false;
    from = at + part.length;
  }
  return true;
}

export function checkSource(source: string, note: NoteForMatching): SourceCheck {
  const quote = source.trim();
  if (quote === "" || quote.toUpperCase() === "NA" || quote.toUpperCase() === "N/A") return "empty";
  if (note.text.includes(quote)) return "exact";
  return foundNormalized(quote, note) ? "normalized" : "not_found";
}

// Double-quoted phrases long enough to be a quotation rather than a term.
const QUOTED = /["\u201c]([^"\u201c\u201d]{12,}?)["\u201d]/g;

export function checkExplanationQuotes(explanation: string, note: NoteForMatching): ExplanationQuoteCheck {
  let any = false;
  for (const match of explanation.matchAll(QUOTED)) {
    any = true;
    const quote = match[1];
    if (!note.text.includes(quote) && !foundNormalized(quote, note)) return "not_found";
  }
  return any ? "found" : "none";
}
