import { homedir, userInfo } from "node:os";
import { isAbsolute, join } from "node:path";
import { ToolkitError } from "../core/errors.js";
import { resolveFromRoot } from "../paths.js";
import type { ClusterProfile, JobKind, JobResources } from "./profile.js";
import type { ResourceOverrides } from "./render-script.js";

/**
 * Built-in resources of each kind of job, over the profile's defaults (which are sized for fine-tuning and
 * serving: a whole 8-GPU node). Each value is capped at the profile's own, so a small profile (the local
 * test cluster) stays small; the profile's `jobs.<kind>` sets them without a cap.
 */
const BUILT_IN: Record<JobKind, JobResources> = {
  // merge_adapter.py loads the base model unquantised on the CPU (bf16: 2 bytes a parameter, 16 GB for an 8B
  // model), merges in place, saves, then reloads the saved copy as a check: at most two copies, 32 GB for 8B,
  // so 64G leaves room. A 70B base (140 GB a copy) needs `jobs: { merge: { mem: 320G } }` in the profile.
  // Eight CPUs keep safetensors reading and writing busy; the merge itself takes minutes, the download of a
  // base model into an empty HF cache most of the time.
  merge: { gpus: 1, cpusPerTask: 8, mem: "64G", time: "4:00:00" },
  finetune: {},
  serve: {},
  runBatch: {},
};

const MEMORY_UNITS: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };

/** SLURM memory ("64G", "4000", "500M") in MiB; a bare number is MiB, as sbatch reads it. */
export function memoryMiB(value: string): number {
  const match = /^(\d+)([KMGT]?)$/.exec(value);
  if (!match) throw new ToolkitError(`"${value}" is not a SLURM memory size`, { stage: "slurm" });
  return Number(match[1]) * MEMORY_UNITS[match[2] || "M"];
}

/** SLURM time limit in seconds ("M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S"). */
export function timeSeconds(value: string): number {
  const [days, clock] = value.includes("-") ? value.split("-") : ["0", value];
  const parts = clock.split(":").map(Number);
  if (parts.some((part) => !Number.isFinite(part)))
    throw new ToolkitError(`"${value}" is not a SLURM time limit`, { stage: "slurm" });
  let seconds: number;
  if (value.includes("-")) {
    const [hours = 0, minutes = 0, secs = 0] = parts;
    seconds = hours * 3600 + minutes * 60 + secs;
  } else if (parts.length === 3) seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
  else if (parts.length === 2) seconds = parts[0] * 60 + parts[1];
  else seconds = parts[0] * 60;
  return Number(days) * 86_400 + seconds;
}

/** The resources a job of `kind` asks for: built-in (capped at the profile), profile `jobs.<kind>`, then `extra`. */
export function resourcesFor(kind: JobKind, profile: ClusterProfile, extra: ResourceOverrides = {}): ResourceOverrides {
  const builtIn = BUILT_IN[kind];
  const capped: ResourceOverrides = {};
  if (builtIn.gpus !== undefined) capped.gpus = Math.min(builtIn.gpus, profile.gpus);
  if (builtIn.cpusPerTask !== undefined) capped.cpusPerTask = Math.min(builtIn.cpusPerTask, profile.cpusPerTask);
  if (builtIn.mem !== undefined) {
    capped.mem = memoryMiB(builtIn.mem) < memoryMiB(profile.mem) ? builtIn.mem : profile.mem;
  }
  if (builtIn.time !== undefined) {
    capped.time = timeSeconds(builtIn.time) < timeSeconds(profile.time) ? builtIn.time : profile.time;
  }
  return { ...capped, ...(profile.jobs[kind] ?? {}), ...extra };
}

/**
 * The profile's scratch folder with ${USER}, ${HOME} and ${SCRATCH} expanded here (the submitting user is the
 * job's user, and the path must be the same on every node); undefined when the profile has none.
 */
export function scratchDirOf(profile: Pick<ClusterProfile, "name" | "scratchDir">): string | undefined {
  if (!profile.scratchDir) return undefined;
  const values: Record<string, string | undefined> = {
    USER: userInfo().username,
    HOME: homedir(),
    SCRATCH: process.env.SCRATCH,
  };
  const expanded = profile.scratchDir.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string, bare: string) => {
    const name = braced ?? bare;
    const value = values[name];
    if (!value) {
      throw new ToolkitError(
        `cluster profile "${profile.name}": scratchDir "${profile.scratchDir}" uses \${${name}}, which is not set on this machine; write the path out`,
        { stage: "slurm", field: "scratchDir" },
      );
    }
    return value;
  });
  if (!isAbsolute(expanded)) {
    throw new ToolkitError(
      `cluster profile "${profile.name}": scratchDir "${profile.scratchDir}" must be an absolute path`,
      { stage: "slurm", field: "scratchDir" },
    );
  }
  return expanded;
}

/** Where a large output of the experiment (adapter, checkpoints, merged model) lives under this profile. */
export function outputPath(profile: Pick<ClusterProfile, "name" | "scratchDir">, path: string): string {
  if (isAbsolute(path)) return path;
  const scratch = scratchDirOf(profile);
  return scratch ? join(scratch, path) : resolveFromRoot(path);
}

/** The HF cache of the profile: its hfHome, else `<scratchDir>/hf-cache`, else none (the user's default). */
export function hfHomeOf(profile: Pick<ClusterProfile, "name" | "scratchDir" | "hfHome">): string | undefined {
  if (profile.hfHome) return profile.hfHome;
  const scratch = scratchDirOf(profile);
  return scratch ? join(scratch, "hf-cache") : undefined;
}
