import { formatProgressLine, formatSummary, type RunSummary } from "./run-summary.js";

export interface ProgressReporter {
  update(summary: RunSummary): void;
  finish(summary: RunSummary): void;
  /** A message that should not be overwritten (server paused, resumed). */
  note(message: string): void;
}

export type ProgressMode = "auto" | "terminal" | "lines" | "silent";

export interface ProgressOptions {
  mode?: ProgressMode;
  /** Minimum time between two printed lines ("lines" mode; the terminal redraws at most 10 times a second). */
  intervalMs?: number;
  /** Where lines go (default process.stdout / console.log). */
  write?: (text: string) => void;
  /** A label in front of each line. */
  label?: string;
}

/**
 * Progress people can follow. In a terminal: one line redrawn in place. Anywhere else (a notebook cell
 * through tslab, a SLURM log): a plain line every few seconds, since a cell's output cannot be redrawn
 * and a log should not fill with carriage returns. The final summary is always printed.
 */
export function createProgress(options: ProgressOptions = {}): ProgressReporter {
  const mode =
    options.mode === undefined || options.mode === "auto"
      ? process.stdout.isTTY
        ? "terminal"
        : "lines"
      : options.mode;
  const label = options.label ? `${options.label} ` : "";
  const interval = mode === "terminal" ? 100 : (options.intervalMs ?? 5000);
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  let last = 0;
  let drawn = false;
  const clearLine = () => {
    if (drawn) write("\r\x1b[2K");
    drawn = false;
  };
  return {
    update(summary) {
      if (mode === "silent") return;
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      if (mode === "terminal") {
        clearLine();
        write(`${label}${formatProgressLine(summary)}`);
        drawn = true;
      } else write(`${label}${formatProgressLine(summary)}\n`);
    },
    note(message) {
      if (mode === "silent") return;
      clearLine();
      write(`${label}${message}\n`);
    },
    finish(summary) {
      if (mode === "silent") return;
      clearLine();
      write(`${label}${formatSummary(summary)}\n`);
    },
  };
}
