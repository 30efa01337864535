import { existsSync } from "node:fs";
import { ToolkitError } from "../core/errors.js";
import { resolveFromRoot } from "../paths.js";

/** slurm.conf of the project's one-node cluster (scripts/slurm-local.sh writes it). */
export function localSlurmConf(): string {
  return resolveFromRoot(process.env.SLURM_LOCAL_DIR ?? ".slurm-local", "etc", "slurm.conf");
}

/** Whether the local cluster answers: its config exists and `sinfo` reaches slurmctld. */
export async function localSlurmRunning(): Promise<boolean> {
  const conf = localSlurmConf();
  if (!existsSync(conf)) return false;
  const { execa } = await import("execa");
  const probe = await execa("sinfo", ["-h", "-o", "%t"], {
    env: { SLURM_CONF: conf },
    reject: false,
    timeout: 15_000,
  });
  return probe.exitCode === 0 && /idle|mix|alloc|comp/.test(probe.stdout);
}

/**
 * Start the local one-node cluster when it is not running (scripts/slurm-local.sh start; needs root or an
 * already-running cluster). Returns the slurm.conf clients must use. Throws one clear message otherwise.
 */
export async function ensureLocalSlurm(options: { quiet?: boolean } = {}): Promise<string> {
  if (await localSlurmRunning()) return localSlurmConf();
  const script = resolveFromRoot("scripts", "slurm-local.sh");
  const { execa } = await import("execa");
  const started = await execa("bash", [script, "start"], { reject: false, timeout: 180_000, all: true });
  if (started.exitCode !== 0) {
    throw new ToolkitError(
      `the local SLURM cluster is not running and could not be started (${script} start exited ${started.exitCode}):\n${started.all ?? ""}\n` +
        "Install slurm-wlm and munge (apt-get install slurm-wlm munge) and run `scripts/slurm-local.sh start` as root.",
      { stage: "slurm" },
    );
  }
  if (!options.quiet) console.log((started.all ?? "").trim());
  return localSlurmConf();
}
