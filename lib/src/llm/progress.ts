import { ToolkitError } from "../core/errors.js";
import { createProgressDisplay, type ProgressDisplay } from "../report/progress-display.js";
import { formatProgressLine, formatSummary, type RunSummary } from "./run-summary.js";

export interface ProgressReporter {
  update(summary: RunSummary): void;
  finish(summary: RunSummary): void;
  /** A message that should not be overwritten (server paused, resumed). */
  note(message: string): void;
}

export type ProgressMode = "auto" | "notebook" | "terminal" | "lines" | "silent";

export interface ProgressOptions {
  /** auto (default): notebook inside a tslab kernel, terminal on a TTY, lines otherwise. */
  mode?: ProgressMode;
  /** Minimum time between two updates ("lines": default 30 s; "notebook": 0.5 s; "terminal": 0.1 s). */
  intervalMs?: number;
  /** Where text goes (default process.stdout). */
  write?: (text: string) => void;
  /** The display used in "notebook" mode (default: a new one in the current cell). */
  display?: ProgressDisplay;
  /** A label in front of each line. */
  label?: string;
}

const defaultInterval = { notebook: 500, terminal: 100, lines: 30_000, silent: 0 };

/** The mode "auto" stands for here and now. */
function resolveMode(options: ProgressOptions): { mode: Exclude<ProgressMode, "auto">; display?: ProgressDisplay } {
  const asked = options.mode ?? "auto";
  if (asked === "notebook" || (asked === "auto" && !options.write)) {
    const display = options.display ?? createProgressDisplay();
    if (display) return { mode: "notebook", display };
    if (asked === "notebook")
      throw new ToolkitError('progress mode "notebook" needs a tslab kernel or a `display`', {
        stage: "llm",
        field: "mode",
      });
  }
  if (asked !== "auto") return { mode: asked as Exclude<ProgressMode, "auto" | "notebook"> };
  return { mode: process.stdout.isTTY ? "terminal" : "lines" };
}

/**
 * Progress people can follow, one display per run: in a notebook cell, one output updated in place (the
 * executed notebook keeps only the final summary); in a terminal, one line redrawn in place; anywhere
 * else (a SLURM log, a pipe), a plain line at a modest interval. The final summary is always shown.
 */
export function createProgress(options: ProgressOptions = {}): ProgressReporter {
  const { mode, display } = resolveMode(options);
  const label = options.label ? `${options.label} ` : "";
  const interval = options.intervalMs ?? defaultInterval[mode];
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  let last = 0;
  let drawn = false;
  const clearLine = () => {
    if (drawn) write("\r\x1b[2K");
    drawn = false;
  };
  const fraction = (s: RunSummary) => (s.total ? s.done / s.total : undefined);
  return {
    update(summary) {
      if (mode === "silent") return;
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      const line = `${label}${formatProgressLine(summary)}`;
      if (display) display.show(line, fraction(summary));
      else if (mode === "terminal") {
        clearLine();
        write(line);
        drawn = true;
      } else write(`${line}\n`);
    },
    note(message) {
      if (mode === "silent") return;
      clearLine();
      write(`${label}${message}\n`);
    },
    finish(summary) {
      if (mode === "silent") return;
      const text = `${label}${formatSummary(summary)}`;
      if (display) display.show(text, fraction(summary));
      else {
        clearLine();
        write(`${text}\n`);
      }
    },
  };
}
