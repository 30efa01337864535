// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are bash, where ${VAR} is meant literally
import { isAbsolute } from "node:path";
import { validateConfig } from "../config/load.js";
import { ToolkitError } from "../core/errors.js";
import { resolveFromRoot } from "../paths.js";
import { assertNotSecret, KEY_VARIABLES } from "./job-env.js";
import { hfHomeOf } from "./job-resources.js";
import { type ClusterProfile, clusterProfileSchema } from "./profile.js";
import { assertEnvName, shellPath, shellQuote } from "./shell-quote.js";

/** Per-job changes to the profile's resources (validated like the profile itself). */
export type ResourceOverrides = Partial<
  Pick<ClusterProfile, "partition" | "gpus" | "gpuType" | "cpusPerTask" | "mem" | "time" | "nodes" | "requeue">
>;

export interface JobSpec {
  /** Job name (`--job-name`, also the log file prefix). */
  name: string;
  profile: ClusterProfile;
  /** Shell lines of the job itself; callers build them with shellQuote/shellCommand. */
  body: string[];
  /** Absolute or project-relative folder for `<name>-<jobid>.out` logs. */
  logsDir: string;
  /** The job runs from here (default: the project root). */
  workDir?: string;
  resources?: ResourceOverrides;
  /** A job array of this many tasks (`--array=0-(size-1)`), at most `maxParallel` at once. */
  array?: { size: number; maxParallel?: number };
  /** Job-specific environment variables (values quoted; a credential-like name is refused). */
  env?: Record<string, string>;
  /** Key variables to unset besides VLLM_API_KEY and OPENAI_API_KEY (the experiment's llm.apiKeyEnv). */
  keyVariables?: readonly (string | undefined)[];
  /** One-line summary put in the script's opening comment. */
  summary?: string;
  /**
   * Have SLURM send USR1 to the batch shell this many seconds before the time limit
   * (`--signal=B:USR1@N`); the body traps it (requeue.ts).
   */
  usr1BeforeLimitS?: number;
}

/** A rendered job: the exact script sbatch will get, and what the follower needs to know about it. */
export interface RenderedJob {
  name: string;
  script: string;
  profile: ClusterProfile;
  logsDir: string;
  isArray: boolean;
  /** Named outputs of the job (absolute paths), for notebooks to show and later steps to read. */
  outputs: Record<string, string>;
}

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Absolute path for a config path (relative ones are from the project root). */
export function absoluteFromRoot(path: string): string {
  return isAbsolute(path) ? path : resolveFromRoot(path);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t\x00-\x1f]+/g, " ").trim();
}

/**
 * Render an sbatch script: resources as `#SBATCH` lines, then strict bash, environment set-up from the
 * profile (modules, conda or venv, HF cache), and the body. Every config value is validated (header lines) or
 * shell-quoted (everything else).
 */
export function renderJobScript(spec: JobSpec): string {
  if (!JOB_NAME.test(spec.name)) {
    throw new ToolkitError(`job name "${spec.name}" must be 1-64 characters of letters, digits, "_", "." or "-"`, {
      stage: "slurm",
      field: "name",
    });
  }
  const profile = validateConfig(
    { ...spec.profile, ...(spec.resources ?? {}) },
    clusterProfileSchema,
    `cluster profile "${spec.profile.name}" with the overrides of job "${spec.name}"`,
  );
  const logsDir = absoluteFromRoot(spec.logsDir);
  if (!/^[A-Za-z0-9_.,:+=@%/-]+$/.test(logsDir)) {
    throw new ToolkitError(
      `logs folder "${logsDir}" must not contain spaces or shell characters (sbatch reads it from a header line)`,
      { stage: "slurm", field: "logsDir" },
    );
  }
  const workDir = spec.workDir ? absoluteFromRoot(spec.workDir) : resolveFromRoot();
  const logPattern = spec.array ? "%x-%A_%a.out" : "%x-%j.out";

  const header = [
    "#!/bin/bash",
    `# ${spec.name}: ${oneLine(spec.summary ?? "job")}`,
    `# Rendered by clinical-distill (lib/src/slurm) from cluster profile "${profile.name}"; all values resolved.`,
    `#SBATCH --job-name=${spec.name}`,
    `#SBATCH --partition=${profile.partition}`,
  ];
  if (profile.account) header.push(`#SBATCH --account=${profile.account}`);
  if (profile.qos) header.push(`#SBATCH --qos=${profile.qos}`);
  header.push(
    `#SBATCH --nodes=${profile.nodes}`,
    "#SBATCH --ntasks-per-node=1",
    `#SBATCH --cpus-per-task=${profile.cpusPerTask}`,
    `#SBATCH --mem=${profile.mem}`,
    `#SBATCH --time=${profile.time}`,
  );
  if (profile.gpus > 0) {
    header.push(`#SBATCH --gres=gpu:${profile.gpuType ? `${profile.gpuType}:` : ""}${profile.gpus}`);
  }
  if (profile.constraint) header.push(`#SBATCH --constraint=${profile.constraint}`);
  header.push(`#SBATCH --output=${logsDir}/${logPattern}`);
  // Append, so a re-queued run keeps the log of the run it replaces.
  header.push("#SBATCH --open-mode=append");
  // Nothing of the submitting shell (API keys) enters the job or slurmctld's state; submitJob passes it too.
  header.push("#SBATCH --export=NONE");
  header.push(profile.requeue ? "#SBATCH --requeue" : "#SBATCH --no-requeue");
  if (spec.usr1BeforeLimitS !== undefined) {
    if (!Number.isInteger(spec.usr1BeforeLimitS) || spec.usr1BeforeLimitS < 1) {
      throw new ToolkitError(`job "${spec.name}": the USR1 warning must be a whole number of seconds >= 1`, {
        stage: "slurm",
        field: "usr1BeforeLimitS",
      });
    }
    // B: to the batch shell only, which passes the request on to the trainer (requeue.ts).
    header.push(`#SBATCH --signal=B:USR1@${spec.usr1BeforeLimitS}`);
  }
  if (spec.array) {
    if (!Number.isInteger(spec.array.size) || spec.array.size < 1) {
      throw new ToolkitError(`job "${spec.name}": an array needs at least one task (got ${spec.array.size})`, {
        stage: "slurm",
        field: "array.size",
      });
    }
    const limit = spec.array.maxParallel ? `%${spec.array.maxParallel}` : "";
    header.push(`#SBATCH --array=0-${spec.array.size - 1}${limit}`);
  }
  for (const option of profile.extraSbatch) header.push(`#SBATCH ${option}`);

  const setup = [
    "",
    "set -euo pipefail",
    'echo "[clinical-distill] job ${SLURM_JOB_ID:-?} (${SLURM_JOB_NAME:-?}) on $(hostname) at $(date -Is), restart ${SLURM_RESTART_COUNT:-0}"',
  ];
  if (profile.modules.length > 0) {
    setup.push("# Environment modules of the cluster profile.");
    for (const module of profile.modules) setup.push(`module load ${shellQuote(module)}`);
  }
  if (profile.condaEnv) {
    // conda's activate scripts read unset variables, which `set -u` would turn into errors.
    setup.push("set +u");
    if (profile.condaInit) setup.push(`source ${shellPath(profile.condaInit)}`);
    setup.push(`conda activate ${shellQuote(profile.condaEnv)}`);
    setup.push("set -u");
  }
  if (profile.venv) {
    setup.push("set +u");
    setup.push(`source ${shellPath(profile.venv)}/bin/activate`);
    setup.push("set -u");
  }
  const hfHome = hfHomeOf(profile);
  if (hfHome) setup.push(`export HF_HOME=${shellPath(hfHome)}`);
  const env = { ...profile.env, ...(spec.env ?? {}) };
  for (const [name, value] of Object.entries(env)) {
    assertEnvName(name, `job "${spec.name}" environment`);
    assertNotSecret(name, `job "${spec.name}" environment`);
    setup.push(`export ${name}=${shellPath(value)}`);
  }
  const keyVariables = new Set<string>(KEY_VARIABLES);
  for (const name of spec.keyVariables ?? []) {
    if (!name) continue;
    assertEnvName(name, `job "${spec.name}" key variables`);
    keyVariables.add(name);
  }
  setup.push(
    "# Job environment (docs/cluster.md): submitted with --export=NONE, so this job has the login environment",
    "# of the user on this node, SLURM_* and what is set above; never the submitting shell. API keys are dropped",
    "# in case login files set them (a job that needs a key reads it from a 0600 file); steps inherit this.",
    `unset ${[...keyVariables].join(" ")}`,
    "export SLURM_EXPORT_ENV=ALL",
    `cd ${shellQuote(workDir)}`,
    "",
  );

  return [...header, ...setup, ...spec.body, ""].join("\n");
}

/** Wrap renderJobScript into a RenderedJob. */
export function renderJob(spec: JobSpec, outputs: Record<string, string> = {}): RenderedJob {
  const script = renderJobScript(spec);
  return {
    name: spec.name,
    script,
    profile: spec.profile,
    logsDir: absoluteFromRoot(spec.logsDir),
    isArray: Boolean(spec.array),
    outputs,
  };
}
