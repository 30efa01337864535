// biome-ignore-all lint/suspicious/noTemplateCurlyInString: profile paths use ${VAR} literally
import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { z } from "zod";
import { loadYamlConfig } from "../config/load.js";
import { ToolkitError } from "../core/errors.js";
import { resolveFromRoot } from "../paths.js";
import { looksSecret } from "./job-env.js";

// Values that end up in `#SBATCH` header lines: sbatch parses those itself (no shell), but a newline or a
// space would smuggle in another option or another script line, so only plain tokens are accepted.
const headerToken = z
  .string()
  .regex(/^[A-Za-z0-9_.,:+=@%/-]+$/, "a plain token (letters, digits and _.,:+=@%/- only; no spaces or quotes)");
const slurmTime = z
  .string()
  .regex(
    /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+(:\d{1,2}){0,2})$/,
    'a SLURM time limit: "minutes", "minutes:seconds", "hours:minutes:seconds" or "days-hours[:minutes[:seconds]]"',
  );
const slurmMemory = z.string().regex(/^\d+[KMGT]?$/, 'a SLURM memory size such as "64G" or "4000M"');
const extraOption = z
  .string()
  .regex(
    /^--[a-z][a-z0-9-]*(=[A-Za-z0-9_.,:+=@%/-]+)?$/,
    'one sbatch long option such as "--exclusive" or "--reservation=abc" (no spaces or quotes)',
  )
  // The job environment is fixed (--export=NONE, see job-env.ts): an option that reopens it would let the
  // submitting shell, API keys included, into the job and slurmctld's state.
  .refine(
    (option) => !/^--(export|export-file|get-user-env)(=|$)/.test(option),
    "--export, --export-file and --get-user-env are not allowed: jobs always run with --export=NONE (docs/cluster.md, Job environment); set variables with the profile's env",
  );
// Job variables; a credential-like name is refused here (naming it) as well as by the renderer.
const jobEnv = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name"), z.string())
  .superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      if (!looksSecret(name)) continue;
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: `"${name}" looks like a credential: keys never go into a job's environment (SLURM stores the script); use a 0600 key file`,
      });
    }
  });

/** Resources one kind of job may set differently from the profile's defaults (profile `jobs.<kind>`). */
export const jobResourcesSchema = z
  .object({
    partition: headerToken.optional(),
    gpus: z.number().int().nonnegative().optional(),
    cpusPerTask: z.number().int().positive().optional(),
    mem: slurmMemory.optional(),
    time: slurmTime.optional(),
  })
  .strict();
export type JobResources = z.output<typeof jobResourcesSchema>;

/** The kinds of job with resource defaults of their own. */
export const JOB_KINDS = ["finetune", "merge", "serve", "runBatch"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * A cluster profile (configs/profiles/<name>.yaml): where and how jobs run. Everything a site differs in is
 * a field; the renderer quotes every value. Paths may use ${USER}, ${HOME}, ${SCRATCH}, ${TMPDIR}.
 */
export const clusterProfileSchema = z
  .object({
    name: headerToken,
    description: z.string().default(""),
    partition: headerToken,
    account: headerToken.optional(),
    qos: headerToken.optional(),
    nodes: z.number().int().positive().default(1),
    /** GPUs per node, requested as `--gres=gpu[:type]:N`; 0 requests none. */
    gpus: z.number().int().nonnegative().default(0),
    gpuType: headerToken.optional(),
    cpusPerTask: z.number().int().positive().default(1),
    mem: slurmMemory.default("4G"),
    time: slurmTime.default("1:00:00"),
    constraint: headerToken.optional(),
    /** Other sbatch long options, one per entry. */
    extraSbatch: z.array(extraOption).default([]),
    /** Re-queue on node failure or pre-emption; the jobs are written to resume. */
    requeue: z.boolean().default(true),
    /** Environment modules loaded first (`module load <name>`). */
    modules: z.array(z.string().min(1)).default([]),
    /** A conda.sh to source before `conda activate` (e.g. ~/miniconda3/etc/profile.d/conda.sh). */
    condaInit: z.string().optional(),
    condaEnv: z.string().optional(),
    /** A Python virtual environment folder to activate (bin/activate). */
    venv: z.string().optional(),
    /** The Python interpreter that runs slurm/*.py. */
    python: z.string().min(1).default("python3"),
    /** The vLLM command (vLLM pins its own torch: a separate environment is common, e.g. /envs/vllm/bin/vllm). */
    vllm: z.string().min(1).default("vllm"),
    /** Hugging Face cache; default `<scratchDir>/hf-cache` when scratchDir is set. */
    hfHome: z.string().optional(),
    /**
     * Large outputs (adapter, checkpoints, merged model) and the HF cache go here instead of the project
     * folder: relative model paths of the experiment resolve under it. `${USER}`, `${HOME}` and `${SCRATCH}`
     * are expanded when the job is rendered (same user on the login and compute nodes). Unset: project folder.
     */
    scratchDir: z
      .string()
      .min(1)
      .refine((path) => !/\$\{?(?!(USER|HOME|SCRATCH)\b)[A-Za-z_]/.test(path), {
        message:
          "only ${USER}, ${HOME} and ${SCRATCH} may appear in scratchDir (it must be the same path on every node)",
      })
      .optional(),
    /** Per-kind resources (finetune, merge, serve, runBatch) over the built-in defaults of each kind. */
    jobs: z.partialRecord(z.enum(JOB_KINDS), jobResourcesSchema).default({}),
    /** Extra environment variables for every job (names checked, values quoted; no credentials). */
    env: jobEnv.default({}),
    /** slurm.conf the client commands use (SLURM_CONF); unset = the cluster's own. Relative to the project root. */
    slurmConf: z.string().optional(),
    /** This profile targets the project's one-node test cluster (scripts/slurm-local.sh), which lib may start. */
    localCluster: z.boolean().default(false),
  })
  .strict();

export type ClusterProfile = z.output<typeof clusterProfileSchema>;

/**
 * Load a profile by name (configs/profiles/<name>.yaml) or by path. Errors name the file and the field.
 */
export function loadProfile(nameOrPath: string): ClusterProfile {
  const looksLikePath = nameOrPath.includes("/") || nameOrPath.endsWith(".yaml") || nameOrPath.endsWith(".yml");
  const file = looksLikePath
    ? isAbsolute(nameOrPath)
      ? nameOrPath
      : resolveFromRoot(nameOrPath)
    : resolveFromRoot("configs", "profiles", `${nameOrPath}.yaml`);
  if (!looksLikePath && !existsSync(file)) {
    throw new ToolkitError(`unknown cluster profile "${nameOrPath}": no ${file} (profiles live in configs/profiles/)`, {
      stage: "slurm",
      file,
    });
  }
  return loadYamlConfig(file, clusterProfileSchema);
}

/** Environment for SLURM client commands under this profile (SLURM_CONF for the local cluster). */
export function slurmClientEnv(profile: Pick<ClusterProfile, "slurmConf">): Record<string, string> {
  if (!profile.slurmConf) return {};
  return {
    SLURM_CONF: isAbsolute(profile.slurmConf) ? profile.slurmConf : resolveFromRoot(profile.slurmConf),
  };
}
