import { ToolkitError } from "../core/errors.js";
import type { Span } from "./types.js";
import { resolveOverlaps } from "./validate-spans.js";

/** Labels of one labeler: spans per note id. */
export type LabelSet = ReadonlyMap<string, readonly Span[]>;

export type CombineMode = "union" | "intersection" | "vote";

export interface CombineOptions {
  /** vote: a span (exact offsets and type) needs at least this many labelers; default: more than half. */
  minVotes?: number;
}

/**
 * Combine teachers' labels, note by note. union: every span of any labeler; intersection: spans every
 * labeler gave (exact offsets and type); vote: spans at least minVotes labelers gave. Overlaps that result
 * keep the longer span, then the one from the earlier labeler. Notes missing from a labeler count as
 * labelled with nothing for intersection and vote.
 */
export function combineLabels(
  sets: readonly LabelSet[],
  mode: CombineMode,
  options: CombineOptions = {},
): Map<string, Span[]> {
  if (sets.length === 0)
    throw new ToolkitError("combineLabels needs at least one label set", { stage: "ner", field: "sets" });
  const needed =
    mode === "union"
      ? 1
      : mode === "intersection"
        ? sets.length
        : (options.minVotes ?? Math.floor(sets.length / 2) + 1);
  if (!Number.isInteger(needed) || needed < 1 || needed > sets.length) {
    throw new ToolkitError(
      `combineLabels: minVotes must be an integer from 1 to ${sets.length}, got ${options.minVotes}`,
      { stage: "ner", field: "minVotes" },
    );
  }
  const noteIds = new Set<string>();
  for (const set of sets) for (const id of set.keys()) noteIds.add(id);
  const out = new Map<string, Span[]>();
  for (const id of noteIds) {
    const votes = new Map<string, { span: Span; count: number; first: number }>();
    sets.forEach((set, index) => {
      const seen = new Set<string>();
      for (const span of set.get(id) ?? []) {
        const key = `${span.start}:${span.end}:${span.type}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const entry = votes.get(key);
        if (entry) entry.count++;
        else votes.set(key, { span, count: 1, first: index });
      }
    });
    const kept = [...votes.values()].filter((entry) => entry.count >= needed);
    const rank = new Map(kept.map((entry) => [entry.span, entry.first]));
    out.set(
      id,
      resolveOverlaps(
        kept.map((entry) => entry.span),
        (span) => rank.get(span) ?? 0,
      ),
    );
  }
  return out;
}
