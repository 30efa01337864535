/**
 * One stop path for long runs. Every run registers here for the time it is active and gets a signal
 * that fires when the user stops it: the kernel interrupt in a tslab notebook (Jupyter's interrupt sends
 * the kernel process SIGINT), or Ctrl-C / SIGTERM in the CLI once it calls `stopRunsOnSignals`.
 * Anywhere else (a script of your own) nothing is installed: the signal never fires.
 *
 * A run stopped this way keeps what finished (answers are in the cache, results in `.partial` files)
 * and ends with a `RunInterrupted` error that says what was kept and how to resume, so a notebook cell
 * ends in an error (queued cells do not run on partial results) and a CLI command exits 130/143.
 */
import { ToolkitError } from "../core/errors.js";
import { inNotebook } from "../report/tslab-writer.js";

/** Why runs were stopped: "the kernel interrupt", "SIGINT", "SIGTERM". */
export type StopCause = "the kernel interrupt" | "SIGINT" | "SIGTERM";

export interface RunRegistration {
  /** Fires when the user stops all runs. */
  readonly signal: AbortSignal;
  /** The cause once stopped. */
  stoppedBy(): StopCause | undefined;
  /** The run ended (stopped or not): unregister. */
  done(): void;
}

interface Entry {
  controller: AbortController;
  cause?: StopCause;
  settled: () => void;
}

const active = new Set<Entry>();
let kernelInstalled = false;
let settledWaiters: (() => void)[] = [];

/** Register a run for the time it is active (runRequests does this for every run). */
export function registerRun(): RunRegistration {
  // Not now: a cell's synchronous part runs under vm's breakOnSigint, which takes the SIGINT listeners
  // away for its duration (a listener added then breaks the kernel's signal handling: SIGINT kills it).
  if (inNotebook() && !kernelInstalled) setImmediate(installKernelInterrupt);
  const entry: Entry = {
    controller: new AbortController(),
    settled: () => {
      active.delete(entry);
      if (active.size === 0) {
        const waiters = settledWaiters;
        settledWaiters = [];
        for (const wake of waiters) wake();
      }
    },
  };
  active.add(entry);
  return { signal: entry.controller.signal, stoppedBy: () => entry.cause, done: entry.settled };
}

/** Number of runs active now. */
export function activeRuns(): number {
  return active.size;
}

/** Stop every active run; returns how many were stopped. */
export function stopActiveRuns(cause: StopCause): number {
  let stopped = 0;
  for (const entry of active) {
    if (entry.controller.signal.aborted) continue;
    entry.cause = cause;
    entry.controller.abort(new Error(`stopped by ${cause}`));
    stopped++;
  }
  return stopped;
}

/** Resolves once no run is active (at once when none is). */
export function whenRunsSettled(): Promise<void> {
  if (active.size === 0) return Promise.resolve();
  return new Promise((resolve) => settledWaiters.push(resolve));
}

/** What a stopped run kept, for the error message and for callers that print their own. */
export interface KeptReport {
  cause: StopCause;
  done: number;
  ok: number;
  total?: number;
  /** Where answers are stored (absent: no cache, nothing kept across runs). */
  cacheFile?: string;
  /** A results file holding the results received so far. */
  partialFile?: string;
}

/** A run stopped by the user (kernel interrupt, Ctrl-C): what finished is kept. */
export class RunInterrupted extends ToolkitError {
  constructor(readonly kept: KeptReport) {
    super(describeKept(kept), { stage: "llm", file: kept.partialFile ?? kept.cacheFile });
    this.name = "RunInterrupted";
    // What a user needs is the message; the library frames behind it would only bury it.
    this.stack = `${this.name}: ${this.message}`;
  }
  /** The conventional exit status for the signal: 130 for SIGINT, 143 for SIGTERM. */
  get exitCode(): number {
    return this.kept.cause === "SIGTERM" ? 143 : 130;
  }
  /** The same report with the results file named (runToFile adds it). */
  withPartialFile(partialFile: string): RunInterrupted {
    return new RunInterrupted({ ...this.kept, partialFile });
  }
}

export function describeKept(kept: KeptReport): string {
  const of = kept.total !== undefined ? ` of ${kept.total}` : "";
  const missing = kept.total !== undefined ? kept.total - kept.ok : undefined;
  const again = kept.cause === "the kernel interrupt" ? "re-run the cell" : "run the same command again";
  const parts = [`Run stopped by ${kept.cause}: ${kept.ok}${of} requests answered before the stop.`];
  if (kept.cacheFile) {
    parts.push(
      `Their answers are kept in the cache ${kept.cacheFile}; to resume, ${again}: stored answers are not asked ` +
        `again${missing !== undefined ? `, only the ${missing} missing` : ""}.`,
    );
  } else parts.push(`No cache is configured, so nothing is kept for a rerun: ${again} asks every request again.`);
  if (kept.partialFile) parts.push(`Results received so far are in ${kept.partialFile}.`);
  return parts.join(" ");
}

// --- the tslab kernel ---------------------------------------------------------------------------------

/**
 * tslab answers SIGINT by ending the cell at once ("Interrupted asynchronously") while its promises run
 * on. Put a listener in front: with runs active, stop them and let them write what they have (the cell
 * then ends with their RunInterrupted error); tslab's own handler runs shortly after (for anything else
 * the cell awaits) or at once on a second interrupt or when no run is active.
 */
function installKernelInterrupt(): void {
  if (kernelInstalled) return;
  kernelInstalled = true;
  const tslabListeners = process.listeners("SIGINT") as ((signal: NodeJS.Signals) => void)[];
  const forward = () => {
    for (const listener of tslabListeners) listener("SIGINT");
  };
  let stopping = false;
  process.on("SIGINT", () => {
    if (stopping || stopActiveRuns("the kernel interrupt") === 0) {
      forward();
      return;
    }
    stopping = true;
    // Aborted requests settle within milliseconds; a run that does not is not waited for long.
    const limit = setTimeout(finish, 10_000);
    function finish() {
      clearTimeout(limit);
      if (!stopping) return;
      stopping = false;
      // After the run's own error has ended the cell (microtasks run before this timer).
      setTimeout(forward, 100);
    }
    whenRunsSettled().then(finish);
  });
  // Removed after ours is added, so the process never has no SIGINT listener (it would then die of one).
  for (const listener of tslabListeners) process.off("SIGINT", listener);
}

// --- the CLI --------------------------------------------------------------------------------------------

/**
 * For the CLI entry point: the first SIGINT/SIGTERM stops active runs cleanly (they keep what finished),
 * a second one, or one with no run active, exits at once with 130/143. Returns a function that removes
 * the handlers.
 */
export function stopRunsOnSignals(write: (text: string) => void = (text) => process.stderr.write(text)): () => void {
  const handlers = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const handler = () => {
      if (stopActiveRuns(signal) === 0) process.exit(signal === "SIGINT" ? 130 : 143);
      write(`${signal} received: stopping the run, keeping what finished (send it again to quit at once)\n`);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
