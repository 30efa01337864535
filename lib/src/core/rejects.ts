import type { DataErrorLocation } from "./data-error.js";
import { formatPlace } from "./errors.js";

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
 * A problem with an item that was still kept (same shape as a Reject), e.g. `invalid-utf8` (the bad
 * bytes were read as U+FFFD) or `duplicate-text` (two note ids, one text). Without a handler, a
 * reader sums them up in one process warning per file when it finishes.
 */
export type WarningHandler = (warning: Reject) => void;

/**
 * The warning handler a reader uses: the caller's, or one that counts and, at `finish`, emits one
 * process warning per file (reason counts and the first place), so nothing goes unreported.
 */
export function warningSink(onWarning?: WarningHandler): { warn: WarningHandler; finish(file: string): void } {
  if (onWarning) return { warn: onWarning, finish: () => undefined };
  // Counts and the first warning only: a file of copies can hold a warning per line.
  const counts = new Map<string, number>();
  let first: Reject | undefined;
  return {
    warn(warning) {
      first ??= warning;
      counts.set(warning.reason, (counts.get(warning.reason) ?? 0) + 1);
    },
    finish(file) {
      if (!first) return;
      const summary = [...counts].map(([reason, n]) => `${n} ${reason}`).join(", ");
      process.emitWarning(
        `${file}: ${summary} (first: ${formatPlace(first)}: ${first.message}); pass onWarning to list them`,
        { code: "CLINICAL_DISTILL_DATA_WARNING" },
      );
      counts.clear();
      first = undefined;
    },
  };
}

/**
 * Collects rejects and counts them by reason, so every step can show what it dropped and why.
 * `add` and `warn` are bound: `{ onReject: log.add, onWarning: log.warn }`.
 */
export class RejectLog {
  readonly items: Reject[] = [];
  /** Problems with items that were kept (see WarningHandler). */
  readonly warnings: Reject[] = [];

  readonly add = (reject: Reject): void => {
    this.items.push(reject);
  };

  readonly warn = (warning: Reject): void => {
    this.warnings.push(warning);
  };

  get count(): number {
    return this.items.length;
  }

  /** Counts per reason code, sorted by count (largest first). */
  byReason(): Record<string, number> {
    return countByReason(this.items);
  }

  /** Warning counts per reason code, sorted by count. */
  warningsByReason(): Record<string, number> {
    return countByReason(this.warnings);
  }
}

function countByReason(items: readonly Reject[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.reason, (counts.get(item.reason) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}
