/** Job states SLURM reports; the ones after RUNNING are final. */
import { hasMarker, ToolkitError } from "../core/errors.js";

export const TERMINAL_STATES = [
  "COMPLETED",
  "FAILED",
  "TIMEOUT",
  "CANCELLED",
  "OUT_OF_MEMORY",
  "NODE_FAIL",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
] as const;
export type TerminalState = (typeof TERMINAL_STATES)[number];
export type JobState = TerminalState | "PENDING" | "RUNNING" | "CONFIGURING" | "COMPLETING" | "SUSPENDED" | string;

export function isTerminal(state: JobState): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

const SUBMIT_MARK = Symbol.for("clinical-distill.SlurmSubmitError");
const JOB_MARK = Symbol.for("clinical-distill.SlurmJobError");

/** sbatch refused a job (bad partition, resources no node has, ...). The message is sbatch's own reason. */
export class SlurmSubmitError extends ToolkitError {
  readonly [SUBMIT_MARK] = true;
  readonly jobName: string;
  readonly scriptFile: string;
  readonly stderr: string;
  constructor(jobName: string, scriptFile: string, stderr: string) {
    const reason = stderr
      .split("\n")
      .map((line) => line.replace(/^sbatch: error: /, "").trim())
      .filter(Boolean)
      .join("; ");
    super(`sbatch refused job "${jobName}" (${scriptFile}): ${reason || "no reason given"}`, {
      stage: "slurm",
      file: scriptFile,
    });
    this.name = "SlurmSubmitError";
    this.jobName = jobName;
    this.scriptFile = scriptFile;
    this.stderr = stderr;
  }
  static isInstance(value: unknown): value is SlurmSubmitError {
    return hasMarker(value, SUBMIT_MARK);
  }
}

/** What a finished (or given-up-on) job ended as. */
export interface JobOutcome {
  jobId: string;
  name: string;
  state: JobState;
  /** The job script's exit status (0 for a clean end; for signals see `signal`). */
  exitCode: number | null;
  signal: number | null;
  reason: string;
  logFile: string | null;
  /** The last lines of the log (of the first failing task for arrays). */
  logTail: string;
  /** Per array task, when the job is an array. */
  tasks?: { taskId: string; state: JobState; exitCode: number | null; logFile: string | null }[];
}

/** A job that ended in any state but COMPLETED: its state, exit code and log tail are in the message. */
export class SlurmJobError extends ToolkitError {
  readonly [JOB_MARK] = true;
  readonly outcome: JobOutcome;
  constructor(outcome: JobOutcome, context = "") {
    const exit = outcome.exitCode === null ? "" : `, exit code ${outcome.exitCode}`;
    const signal = outcome.signal ? `, signal ${outcome.signal}` : "";
    const reason = outcome.reason && outcome.reason !== "None" ? `, reason ${outcome.reason}` : "";
    const tail = outcome.logTail ? `\n--- last lines of ${outcome.logFile} ---\n${outcome.logTail}` : "";
    super(`job ${outcome.jobId} (${outcome.name}) ended ${outcome.state}${exit}${signal}${reason}${context}${tail}`, {
      stage: "slurm",
      file: outcome.logFile ?? undefined,
    });
    this.name = "SlurmJobError";
    this.outcome = outcome;
  }
  static isInstance(value: unknown): value is SlurmJobError {
    return hasMarker(value, JOB_MARK);
  }
}
