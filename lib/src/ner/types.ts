/**
 * The data model of lib/ner: notes with entity spans in character offsets (half-open [start, end),
 * UTF-16 code units, as JavaScript strings index them and as BRAT writes them for BMP text).
 */

/** The entity types of Vedula et al. 2024. Kept as a list so configs and files are checked against it. */
export const ENTITY_TYPES = ["medication", "disease", "symptom"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export function isEntityType(value: string): value is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(value);
}

export interface Span {
  start: number;
  end: number;
  type: EntityType;
  /** The covered text, note.text.slice(start, end); kept for readability and checked on import. */
  text: string;
}

export interface NerNote {
  id: string;
  text: string;
  spans: Span[];
}

/** A span or note that was dropped, with where it came from and why. */
export type NerReject = {
  source: string;
  noteId?: string;
  reason: string;
  detail: string;
};

/** Spans sorted by start, then longer first, then type: the canonical order everywhere. */
export function sortSpans(spans: readonly Span[]): Span[] {
  return [...spans].sort((a, b) => a.start - b.start || b.end - a.end || a.type.localeCompare(b.type));
}

export function spanKey(span: Pick<Span, "start" | "end" | "type">): string {
  return `${span.start}:${span.end}:${span.type}`;
}
