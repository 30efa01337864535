import type { DataErrorLocation } from "./errors.js";

/** One input item that was not accepted, with where it came from and why. */
export interface Reject extends DataErrorLocation {
  /** Short, stable reason code for counting, e.g. `invalid-json`, `empty-text`. */
  reason: string;
  /** Human-readable detail (never the note text itself). */
  message: string;
}

/** Receives rejects from a reader; without one, readers throw on the first bad item instead. */
export type RejectHandler = (reject: Reject) => void;

/**
 * Collects rejects and counts them by reason, so every step can show what it dropped and why.
 * `add` is bound, so it can be passed directly as `{ onReject: rejects.add }`.
 */
export class RejectLog {
  readonly items: Reject[] = [];

  readonly add = (reject: Reject): void => {
    this.items.push(reject);
  };

  get count(): number {
    return this.items.length;
  }

  /** Counts per reason code, sorted by count (largest first). */
  byReason(): Record<string, number> {
    const counts = new Map<string, number>();
    for (const item of this.items) counts.set(item.reason, (counts.get(item.reason) ?? 0) + 1);
    return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  }
}
