import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { defaults } from "../config/defaults.js";
import { ToolkitError } from "../core/errors.js";
import { SlurmSubmitError } from "./errors.js";
import { sbatchEnv } from "./job-env.js";
import { ensureLocalSlurm } from "./local-cluster.js";
import { type ClusterProfile, slurmClientEnv } from "./profile.js";
import { absoluteFromRoot, type RenderedJob } from "./render-script.js";

/** A job sbatch accepted. */
export interface SubmittedJob {
  jobId: string;
  name: string;
  scriptFile: string;
  logsDir: string;
  isArray: boolean;
  profile: ClusterProfile;
  outputs: Record<string, string>;
}

export interface SubmitOptions {
  /** Where the script is written before submission (relative to the project root). Default slurm.jobsDir's. */
  jobsDir?: string;
  /** Start only after these jobs (`--dependency=<type>:id:id`). */
  after?: readonly (SubmittedJob | string)[];
  /** afterok (default): only when all of `after` COMPLETED; afterany: whatever they ended as. */
  dependencyType?: "afterok" | "afterany" | "afternotok";
}

/** Environment for sbatch/squeue/scontrol/scancel under a profile. */
export function clientEnv(profile: ClusterProfile): Record<string, string> {
  return slurmClientEnv(profile);
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
}

/**
 * Write the rendered script to the jobs folder and submit it with `sbatch --parsable --export=NONE`, sbatch
 * running with an allow-listed environment (job-env.ts): nothing of this process's environment (API keys)
 * reaches the job or slurmctld. Starts the local cluster first for a `localCluster` profile. A refusal throws
 * SlurmSubmitError with sbatch's reason.
 */
export async function submitJob(job: RenderedJob, options: SubmitOptions = {}): Promise<SubmittedJob> {
  if (job.profile.localCluster) await ensureLocalSlurm({ quiet: true });
  const jobsDir = absoluteFromRoot(options.jobsDir ?? defaults.slurm.jobsDir);
  mkdirSync(jobsDir, { recursive: true });
  // sbatch does not create the log folder; a missing one makes the job fail without a log.
  mkdirSync(job.logsDir, { recursive: true });
  const scriptFile = `${jobsDir}/${job.name}-${stamp()}-${process.pid}.sbatch`;
  writeFileSync(scriptFile, job.script, { mode: 0o700 });
  chmodSync(scriptFile, 0o700);
  // On the command line too: it outranks an SBATCH_EXPORT of the caller and any header line.
  const args = ["--parsable", "--export=NONE"];
  const after = (options.after ?? []).map((dep) => (typeof dep === "string" ? dep : dep.jobId));
  if (after.length > 0) {
    for (const id of after) {
      if (!/^\d+(_\d+)?$/.test(id))
        throw new ToolkitError(`dependency "${id}" is not a SLURM job id`, { stage: "slurm", field: "after" });
    }
    args.push(`--dependency=${options.dependencyType ?? "afterok"}:${after.join(":")}`);
    // A dependency that can never be met (the first job failed) cancels this job instead of leaving it
    // pending for ever with reason DependencyNeverSatisfied.
    args.push("--kill-on-invalid-dep=yes");
  }
  args.push(scriptFile);
  const { execa } = await import("execa");
  const result = await execa("sbatch", args, {
    env: sbatchEnv(job.profile),
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  if (result.exitCode !== 0 || result.failed) {
    throw new SlurmSubmitError(job.name, scriptFile, result.stderr || result.message || "sbatch failed");
  }
  const jobId = result.stdout.trim().split(";")[0];
  if (!/^\d+$/.test(jobId)) {
    throw new SlurmSubmitError(job.name, scriptFile, `unexpected sbatch output: ${JSON.stringify(result.stdout)}`);
  }
  return {
    jobId,
    name: job.name,
    scriptFile,
    logsDir: job.logsDir,
    isArray: job.isArray,
    profile: job.profile,
    outputs: job.outputs,
  };
}

/** Cancel a job (scancel); cancelling a job that already ended is not an error. */
export async function cancelJob(job: Pick<SubmittedJob, "jobId" | "profile">): Promise<void> {
  const { execa } = await import("execa");
  const result = await execa("scancel", [job.jobId], { env: clientEnv(job.profile), reject: false, timeout: 30_000 });
  if (result.exitCode !== 0 && !/already completing or completed|Invalid job id/i.test(result.stderr)) {
    throw new ToolkitError(`scancel ${job.jobId} failed: ${result.stderr.trim()}`, { stage: "slurm" });
  }
}
