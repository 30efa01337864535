import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { z } from "zod";
import { validateConfig } from "../config/load.js";
import { ToolkitError } from "../core/errors.js";
import { resolveFromRoot } from "../paths.js";
import { isTerminal, type JobState } from "./errors.js";
import { overallRecord, sleep } from "./follow-job.js";
import { jobRecords } from "./job-status.js";
import { clusterProfileSchema, slurmClientEnv } from "./profile.js";
import type { RenderedJob } from "./render-script.js";
import { cancelJob, type SubmitOptions, type SubmittedJob, submitJob } from "./submit.js";

export interface SubmitChainOptions extends SubmitOptions {
  /**
   * Write the chain record here (JSON: job ids, names, logs, outputs, profile), so any later process (a
   * reopened notebook, `followChain`, the CLI) can report on the chain. See chainRecordFile.
   */
  recordFile?: string;
}

const submittedSchema = z
  .object({
    jobId: z.string().regex(/^\d+$/, "a SLURM job id"),
    name: z.string().min(1),
    scriptFile: z.string(),
    logsDir: z.string(),
    isArray: z.boolean(),
    profile: clusterProfileSchema,
    outputs: z.record(z.string(), z.string()),
    afterJobIds: z.array(z.string()).default([]),
  })
  .strict();
const recordSchema = z
  .object({ version: z.literal(1), submittedAt: z.string(), jobs: z.array(submittedSchema).min(1) })
  .strict();

/** Where an experiment keeps the record of a chain: `<outputDir>/slurm/chains/<name>.json`. */
export function chainRecordFile(experiment: { outputDir: string }, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    throw new ToolkitError(`chain name "${name}" must be letters, digits, "_", "." or "-"`, {
      stage: "slurm",
      field: "name",
    });
  }
  const base = isAbsolute(experiment.outputDir) ? experiment.outputDir : resolveFromRoot(experiment.outputDir);
  return join(base, "slurm", "chains", `${name}.json`);
}

/**
 * Submit all jobs at once as a chain: each waits in the queue for the previous one to COMPLETE
 * (`--dependency=afterok`), and one that fails cancels the rest (`--kill-on-invalid-dep=yes`), so nothing
 * needs to stay open and poll. If sbatch refuses a job, the jobs already submitted are cancelled and the error
 * is rethrown. With `recordFile`, the chain is written there for followChain/chainStatus to read later.
 */
export async function submitChain(
  jobs: readonly RenderedJob[],
  options: SubmitChainOptions = {},
): Promise<SubmittedJob[]> {
  if (jobs.length === 0) throw new ToolkitError("submitChain: no jobs", { stage: "slurm", field: "jobs" });
  const submitted: SubmittedJob[] = [];
  const afterIds: string[][] = [];
  try {
    for (const job of jobs) {
      const previous = submitted.at(-1);
      const after = previous ? [previous, ...(options.after ?? [])] : options.after;
      submitted.push(await submitJob(job, { ...options, after }));
      afterIds.push((after ?? []).map((dep) => (typeof dep === "string" ? dep : dep.jobId)));
    }
  } catch (error) {
    for (const job of submitted) await cancelJob(job).catch(() => undefined);
    throw error;
  }
  if (options.recordFile) {
    const record = {
      version: 1,
      submittedAt: new Date().toISOString(),
      jobs: submitted.map((job, index) => ({ ...job, afterJobIds: afterIds[index] })),
    };
    mkdirSync(dirname(options.recordFile), { recursive: true });
    const temporary = `${options.recordFile}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(temporary, options.recordFile);
  }
  return submitted;
}

/** The jobs of a chain record written by submitChain. Errors name the file and the field. */
export function readChain(recordFile: string): SubmittedJob[] {
  if (!existsSync(recordFile))
    throw new ToolkitError(`no chain record at ${recordFile} (submitChain writes it with recordFile)`, {
      stage: "slurm",
      file: recordFile,
    });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(recordFile, "utf8"));
  } catch (error) {
    throw new ToolkitError(
      `chain record ${recordFile} is not valid JSON: ${(error as Error).message}`,
      { stage: "slurm", file: recordFile },
      { cause: error },
    );
  }
  const record = validateConfig(raw, recordSchema, `chain record ${recordFile}`);
  return record.jobs.map(({ afterJobIds: _after, ...job }) => job);
}

/** Where one job of a chain stands. */
export interface ChainJobStatus {
  jobId: string;
  name: string;
  state: JobState;
  exitCode: number | null;
  /** SLURM's reason (e.g. "Dependency" while it waits, "DependencyNeverSatisfied"), or why the state is unknown. */
  reason: string;
  logFile: string | null;
}

// slurmctld forgets finished jobs after MinJobAge; sites with accounting still have them in sacct.
async function fromAccounting(job: SubmittedJob): Promise<ChainJobStatus | null> {
  const { execa } = await import("execa");
  const result = await execa("sacct", ["-n", "-X", "-P", "-j", job.jobId, "-o", "State,ExitCode"], {
    env: slurmClientEnv(job.profile),
    reject: false,
    timeout: 30_000,
  });
  const line = result.exitCode === 0 ? result.stdout.trim().split("\n")[0] : "";
  if (!line) return null;
  const [state, exit] = line.split("|");
  return {
    jobId: job.jobId,
    name: job.name,
    state: state.split(" ")[0],
    exitCode: exit ? Number(exit.split(":")[0]) : null,
    reason: "from sacct",
    logFile: null,
  };
}

async function statusOf(job: SubmittedJob): Promise<ChainJobStatus> {
  try {
    const records = await jobRecords(job.jobId, job.profile);
    const { state, worst } = overallRecord(records);
    return {
      jobId: job.jobId,
      name: job.name,
      state,
      exitCode: worst?.exitCode ?? null,
      reason: worst?.reason ?? "",
      logFile: worst?.logFile ?? null,
    };
  } catch (error) {
    const accounted = await fromAccounting(job).catch(() => null);
    if (accounted) return accounted;
    return {
      jobId: job.jobId,
      name: job.name,
      state: "UNKNOWN",
      exitCode: null,
      reason: `SLURM no longer knows the job (${(error as Error).message.split("\n")[0]})`,
      logFile: null,
    };
  }
}

type Chain = string | readonly SubmittedJob[];
const jobsOf = (chain: Chain) => (typeof chain === "string" ? readChain(chain) : chain);

/** Current state of every job of a chain (a record file or the jobs submitChain returned), in chain order. */
export async function chainStatus(chain: Chain): Promise<ChainJobStatus[]> {
  const statuses: ChainJobStatus[] = [];
  for (const job of jobsOf(chain)) statuses.push(await statusOf(job));
  return statuses;
}

export interface FollowChainOptions {
  pollMs?: number;
  /** Called when a job's state changes. */
  onState?: (status: ChainJobStatus) => void;
  /** Aborting stops following; the chain itself keeps running (cancelChain stops it). */
  signal?: AbortSignal;
  /** Give up following after this long (the chain keeps running): throws, naming the jobs not done. */
  timeoutMs?: number;
}

const ended = (status: ChainJobStatus) => isTerminal(status.state) || status.state === "UNKNOWN";

/**
 * Reattach to a chain and follow it until every job has ended (or the signal aborts): the states, in chain
 * order. Nothing is cancelled when following stops, so a notebook may close and reattach at will.
 */
export async function followChain(chain: Chain, options: FollowChainOptions = {}): Promise<ChainJobStatus[]> {
  const jobs = jobsOf(chain);
  const pollMs = options.pollMs ?? 5000;
  const deadline = options.timeoutMs ? Date.now() + options.timeoutMs : Number.POSITIVE_INFINITY;
  const last = new Map<string, string>();
  for (;;) {
    const statuses = await chainStatus(jobs);
    for (const status of statuses) {
      if (last.get(status.jobId) === status.state) continue;
      last.set(status.jobId, status.state);
      options.onState?.(status);
    }
    if (statuses.every(ended) || options.signal?.aborted) return statuses;
    if (Date.now() > deadline) {
      const open = statuses
        .filter((status) => !ended(status))
        .map((status) => `${status.name} ${status.jobId} ${status.state}`);
      throw new ToolkitError(`followChain: gave up after ${options.timeoutMs} ms; still running: ${open.join(", ")}`, {
        stage: "slurm",
      });
    }
    await sleep(pollMs, options.signal);
  }
}

/** Cancel every job of a chain that has not ended. */
export async function cancelChain(chain: Chain): Promise<void> {
  for (const job of jobsOf(chain)) await cancelJob(job);
}

/** One line per job: `name  jobid  STATE  [reason]  log`, for cells and the CLI. */
export function formatChainStatus(statuses: readonly ChainJobStatus[]): string {
  return statuses
    .map((status) => {
      const reason = status.reason && status.reason !== "None" ? ` (${status.reason})` : "";
      const exit = status.exitCode === null ? "" : ` exit ${status.exitCode}`;
      return `${status.name}\t${status.jobId}\t${status.state}${exit}${reason}${status.logFile ? `\t${status.logFile}` : ""}`;
    })
    .join("\n");
}
