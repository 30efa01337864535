import { isTerminal, type JobOutcome, type JobState, SlurmJobError } from "./errors.js";
import { type JobRecord, jobRecords } from "./job-status.js";
import { LogFollower, tailFile } from "./log-tail.js";
import { cancelJob, type SubmittedJob } from "./submit.js";

export interface FollowOptions {
  /** Called with new log text as the job writes it (array tasks are prefixed with "[task N] "). */
  onLog?: (text: string) => void;
  /** Called whenever the job's state changes. */
  onState?: (state: JobState, records: JobRecord[]) => void;
  /** Aborting cancels the job (scancel) and waits for it to end CANCELLED. */
  signal?: AbortSignal;
  pollMs?: number;
  /** Give up (and cancel) after this long; default: wait as long as the job runs. */
  timeoutMs?: number;
  /** Return the outcome of a job that did not complete instead of throwing SlurmJobError. */
  throwOnFailure?: boolean;
  /** Lines of log kept in the outcome. */
  tailLines?: number;
}

// Worst first: the state an array reports when its tasks ended differently.
const SEVERITY = ["NODE_FAIL", "BOOT_FAIL", "OUT_OF_MEMORY", "FAILED", "TIMEOUT", "DEADLINE", "PREEMPTED", "CANCELLED"];

/** The state of a job from its records (an array: the worst of its tasks once all ended). */
export function overallState(records: JobRecord[]): JobState {
  if (records.length === 0) return "UNKNOWN";
  if (!records.every((record) => isTerminal(record.state))) {
    return records.some((record) => record.state === "RUNNING") ? "RUNNING" : records[0].state;
  }
  for (const state of SEVERITY) if (records.some((record) => record.state === state)) return state;
  return "COMPLETED";
}

/** The overall state and the record that shows it (whose exit code, reason and log describe the job). */
export function overallRecord(records: JobRecord[]): { state: JobState; worst: JobRecord | undefined } {
  const state = overallState(records);
  return { state, worst: records.find((record) => record.state === state) ?? records[0] };
}

/** Wait `ms`, or less when `signal` aborts; the abort listener goes when the wait ends (long follows poll a lot). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

function outcomeOf(job: SubmittedJob, records: JobRecord[], tailLines: number): JobOutcome {
  const { state, worst } = overallRecord(records);
  return {
    jobId: job.jobId,
    name: job.name,
    state,
    exitCode: worst?.exitCode ?? null,
    signal: worst?.signal ?? null,
    reason: worst?.reason ?? "",
    logFile: worst?.logFile ?? null,
    logTail: tailFile(worst?.logFile ?? null, tailLines),
    tasks: job.isArray
      ? records.map((record) => ({
          taskId: record.arrayTaskId ?? "",
          state: record.state,
          exitCode: record.exitCode,
          logFile: record.logFile,
        }))
      : undefined,
  };
}

/**
 * Follow a job until it ends: poll `scontrol show job`, stream its log to `onLog` as it grows, cancel it
 * when `signal` aborts. Resolves with the outcome when it COMPLETED; otherwise throws SlurmJobError carrying
 * state, exit code and log tail (or returns it, with throwOnFailure: false).
 */
export async function followJob(job: SubmittedJob, options: FollowOptions = {}): Promise<JobOutcome> {
  const pollMs = options.pollMs ?? 1000;
  const tailLines = options.tailLines ?? 40;
  const followers = new Map<string, LogFollower>();
  const deadline = options.timeoutMs ? Date.now() + options.timeoutMs : Number.POSITIVE_INFINITY;
  let lastState = "";
  let cancelled: "abort" | "timeout" | null = null;
  let records: JobRecord[] = [];
  let failedPolls = 0;
  const maxFailedPolls = 5;

  const pumpLogs = (flush: boolean) => {
    if (!options.onLog) return;
    for (const record of records) {
      if (!record.logFile || (record.state === "PENDING" && !followers.has(record.logFile))) continue;
      let follower = followers.get(record.logFile);
      if (!follower) {
        follower = new LogFollower(record.logFile);
        followers.set(record.logFile, follower);
      }
      const text = follower.readNew(flush);
      if (!text) continue;
      const prefix = job.isArray && record.arrayTaskId ? `[task ${record.arrayTaskId}] ` : "";
      options.onLog(prefix ? text.replace(/^(?=.)/gm, prefix) : text);
    }
  };

  for (;;) {
    try {
      records = await jobRecords(job.jobId, job.profile);
      failedPolls = 0;
    } catch (error) {
      // A controller restart or a slow RPC is not the job's end: give up only after several failures in a row.
      if (++failedPolls >= maxFailedPolls) throw error;
      await sleep(pollMs, cancelled ? undefined : options.signal);
      continue;
    }
    const done = records.length > 0 && records.every((record) => isTerminal(record.state));
    // Log first, then the state change, so a cell shows the job's last lines before "COMPLETED".
    pumpLogs(done);
    const state = overallState(records);
    if (state !== lastState) {
      lastState = state;
      options.onState?.(state, records);
    }
    if (done) break;
    if (!cancelled && (options.signal?.aborted || Date.now() > deadline)) {
      cancelled = options.signal?.aborted ? "abort" : "timeout";
      await cancelJob(job);
    }
    await sleep(pollMs, cancelled ? undefined : options.signal);
  }
  const outcome = outcomeOf(job, records, tailLines);
  if (outcome.state === "COMPLETED") return outcome;
  if (options.throwOnFailure === false) return outcome;
  const context =
    cancelled === "abort" ? " (cancelled on request)" : cancelled === "timeout" ? " (cancelled: follow timeout)" : "";
  throw new SlurmJobError(outcome, context);
}

/** Current state of a job without waiting (array: the combined state of its tasks). */
export async function jobState(job: Pick<SubmittedJob, "jobId" | "profile">): Promise<JobState> {
  return overallState(await jobRecords(job.jobId, job.profile));
}
