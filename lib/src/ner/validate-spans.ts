import { type EntityType, isEntityType, type NerReject, type Span, sortSpans } from "./types.js";

/** A span as read from a file: the type is a plain string until checked. */
export interface RawSpan {
  start: number;
  end: number;
  type: string;
  text?: string;
}

export interface CheckedSpans {
  spans: Span[];
  rejects: NerReject[];
}

export interface CheckSpansOptions {
  /** Where the spans came from (file name, labeler), for reject rows. */
  source: string;
  noteId: string;
  /** What to do with overlapping spans: BIO tagging cannot hold them, so by default the later one is rejected. */
  overlaps?: "reject" | "keep";
}

/**
 * Check spans against their note: inside the text, non-empty, known type, covered text as stated,
 * no overlaps. Every dropped span becomes a reject row with its reason; nothing is dropped silently.
 */
export function checkSpans(text: string, spans: readonly RawSpan[], options: CheckSpansOptions): CheckedSpans {
  const rejects: NerReject[] = [];
  const reject = (reason: string, detail: string) =>
    rejects.push({ source: options.source, noteId: options.noteId, reason, detail });
  const valid: Span[] = [];
  for (const span of spans) {
    const where = `[${span.start}, ${span.end}) ${span.type}`;
    if (!Number.isInteger(span.start) || !Number.isInteger(span.end) || span.start < 0 || span.end > text.length) {
      reject("out_of_range", `span ${where} is outside the note text (length ${text.length})`);
    } else if (span.end <= span.start) {
      reject("empty_span", `span ${where} has end <= start`);
    } else if (!isEntityType(span.type)) {
      reject("unknown_type", `span ${where} has unknown type "${span.type}"`);
    } else if (span.text !== undefined && !sameText(text.slice(span.start, span.end), span.text)) {
      reject(
        "text_mismatch",
        `span ${where} says ${JSON.stringify(span.text)} but the note has ${JSON.stringify(text.slice(span.start, span.end))}`,
      );
    } else {
      valid.push({
        start: span.start,
        end: span.end,
        type: span.type as EntityType,
        text: text.slice(span.start, span.end),
      });
    }
  }
  if (options.overlaps === "keep") return { spans: sortSpans(valid), rejects };
  const kept: Span[] = [];
  for (const span of sortSpans(valid)) {
    const last = kept[kept.length - 1];
    if (last && span.start < last.end) {
      reject(
        "overlap",
        `span [${span.start}, ${span.end}) ${span.type} overlaps [${last.start}, ${last.end}) ${last.type}, which is kept`,
      );
      continue;
    }
    kept.push(span);
  }
  return { spans: kept, rejects };
}

/** Equal, or equal once runs of whitespace are one space: BRAT tools write a newline inside a span as a space. */
function sameText(covered: string, stated: string): boolean {
  return covered === stated || covered.replace(/\s+/g, " ") === stated.replace(/\s+/g, " ");
}

/** Resolve overlaps by preferring the longer span (then the earlier, then the given rank); returns kept + dropped. */
export function resolveOverlaps(spans: readonly Span[], rank: (span: Span) => number = () => 0): Span[] {
  const byPreference = [...spans].sort(
    (a, b) => b.end - b.start - (a.end - a.start) || rank(a) - rank(b) || a.start - b.start,
  );
  const kept: Span[] = [];
  for (const span of byPreference) {
    if (kept.some((other) => span.start < other.end && other.start < span.end)) continue;
    kept.push(span);
  }
  return sortSpans(kept);
}
