import { isAbsolute } from "node:path";
import { ToolkitError } from "../core/errors.js";
import { resolveFromRoot } from "../paths.js";

/**
 * What environment a job gets (docs/cluster.md, "Job environment"). sbatch's default, --export=ALL, copies the
 * submitting shell into the job and into slurmctld's saved state, API keys included. So every job is submitted
 * with --export=NONE: the job starts from the user's login environment on the node (SLURM loads it, as for
 * --get-user-env) plus SLURM's own SLURM_* variables, and the script sets everything else itself (modules,
 * conda/venv, HF_HOME, the profile's `env`, the job's own variables). sbatch itself runs with the short
 * allow-list below, so not even a SLURM_* variable of the caller (always forwarded) can carry a key.
 */

/** Variables of the calling process that sbatch itself may see (none of them is forwarded with NONE). */
export const SBATCH_ENV_ALLOW = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ"] as const;

/** Key variables every job script unsets, in case the user's login files set them. */
export const KEY_VARIABLES = ["VLLM_API_KEY", "OPENAI_API_KEY"] as const;

// Names that hold credentials by convention (VLLM_API_KEY, HF_TOKEN, AWS_SECRET_ACCESS_KEY, DB_PASSWORD); the
// word must stand alone between underscores, so TOKENIZERS_PARALLELISM is not one. A name ending in _FILE,
// _PATH or _DIR names where a key is (HF_TOKEN_PATH, API_KEY_FILE), which is how a job should get one.
const SECRET_NAME = /(^|_)(API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)(_|$)/i;
const NAMES_A_FILE = /_(FILE|PATH|DIR)$/i;

/** Whether a variable name looks like it holds a credential. */
export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name) && !NAMES_A_FILE.test(name);
}

/**
 * Refuse a job environment variable whose name looks like a credential: its value would be written into the
 * script text and slurmctld's copy of it. Keys reach a job only as a 0600 file.
 */
export function assertNotSecret(name: string, where: string): void {
  if (looksSecret(name)) {
    throw new ToolkitError(
      `${where}: "${name}" looks like a credential; job scripts are stored by SLURM and readable in the jobs ` +
        "folder, so keys never go into a job's environment. Give the job a 0600 key file instead (docs/cluster.md)",
      { stage: "slurm", field: name },
    );
  }
}

/**
 * The environment sbatch runs with: the allow-list from `from`, and SLURM_CONF (the profile's, else the
 * caller's, so a site's own config still works). Everything else, SBATCH_* and other SLURM_* included, stays
 * behind: the profile is the whole description of a job.
 */
export function sbatchEnv(
  profile: { slurmConf?: string },
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of SBATCH_ENV_ALLOW) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  const conf = profile.slurmConf
    ? isAbsolute(profile.slurmConf)
      ? profile.slurmConf
      : resolveFromRoot(profile.slurmConf)
    : from.SLURM_CONF;
  if (conf) env.SLURM_CONF = conf;
  return env;
}
