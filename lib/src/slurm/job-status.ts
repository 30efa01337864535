import { ToolkitError } from "../core/errors.js";
import type { JobState } from "./errors.js";
import type { ClusterProfile } from "./profile.js";
import { slurmClientEnv } from "./profile.js";

/** One record of `scontrol show job` (one per array task once tasks are split out). */
export interface JobRecord {
  jobId: string;
  arrayTaskId: string | null;
  name: string;
  state: JobState;
  reason: string;
  exitCode: number | null;
  signal: number | null;
  logFile: string | null;
  nodeList: string;
  runTime: string;
}

function field(line: string, name: string): string | null {
  const match = new RegExp(`(?:^| )${name}=(\\S*)`).exec(line);
  return match ? match[1] : null;
}

/** Parse `scontrol show job -o` output (one line per record). Exported for tests. */
export function parseScontrolJobs(text: string): JobRecord[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("JobId="))
    .map((line) => {
      const [exit, signal] = (field(line, "ExitCode") ?? "").split(":");
      const stdout = field(line, "StdOut");
      return {
        jobId: field(line, "JobId") ?? "",
        arrayTaskId: field(line, "ArrayTaskId"),
        name: field(line, "JobName") ?? "",
        state: field(line, "JobState") ?? "UNKNOWN",
        reason: field(line, "Reason") ?? "",
        exitCode: exit === undefined || exit === "" ? null : Number(exit),
        signal: signal === undefined || signal === "" ? null : Number(signal),
        logFile: stdout && stdout !== "(null)" ? stdout : null,
        nodeList: field(line, "NodeList") ?? "",
        runTime: field(line, "RunTime") ?? "",
      };
    });
}

/**
 * The job's records from `scontrol show job` (which, unlike sacct, needs no accounting store). Throws when
 * slurmctld no longer knows the job (it forgets finished jobs after MinJobAge).
 */
export async function jobRecords(jobId: string, profile: Pick<ClusterProfile, "slurmConf">): Promise<JobRecord[]> {
  const { execa } = await import("execa");
  const result = await execa("scontrol", ["show", "job", "-o", jobId], {
    env: slurmClientEnv(profile),
    reject: false,
    timeout: 30_000,
  });
  if (result.exitCode !== 0) {
    throw new ToolkitError(`scontrol show job ${jobId} failed: ${result.stderr.trim() || result.stdout.trim()}`, {
      stage: "slurm",
    });
  }
  return parseScontrolJobs(result.stdout);
}
