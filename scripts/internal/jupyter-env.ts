/**
 * Where Jupyter lives on this machine. `python3` on PATH is not always the Python that Jupyter runs
 * with (here a pyenv 3.11 without Jupyter shadows Debian's /usr/bin/python3), so every helper asks a
 * concrete interpreter whether it can import nbclient, and the tslab kernel spec is read through it.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";

export const projectRoot = resolve(import.meta.dirname, "..", "..");
export const tslabBinary = join(projectRoot, "node_modules", ".bin", "tslab");
export const venvPython = join(projectRoot, ".venv", "bin", "python");

/** PATH with the project's node_modules/.bin first, so a kernel spec that says plain `tslab` still starts ours. */
export function pathWithNodeBin(): string {
  return [join(projectRoot, "node_modules", ".bin"), process.env.PATH ?? ""].join(delimiter);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First `name` on PATH, like `which`. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate) && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The interpreter named in a script's `#!` line (e.g. /usr/bin/jupyter -> /usr/bin/python3). */
function shebangPython(script: string): string | undefined {
  try {
    const first = readFileSync(script, "utf8").slice(0, 200).split("\n")[0];
    const match = first.match(/^#!\s*(\S+)(?:\s+(\S+))?/);
    if (!match) return undefined;
    // `#!/usr/bin/env python3` names the program in its second word.
    if (match[1].endsWith("/env") && match[2]) return which(match[2]);
    return match[1];
  } catch {
    return undefined;
  }
}

/** Can this interpreter execute notebooks (nbclient, nbformat, jupyter_client importable)? */
export function canRunNotebooks(python: string): boolean {
  const probe = spawnSync(python, ["-c", "import nbclient, nbformat, jupyter_client"], { stdio: "ignore" });
  return probe.status === 0;
}

/** Candidate interpreters, most specific first: the project's venv, the one `jupyter` runs with, Debian's, PATH's. */
export function pythonCandidates(): string[] {
  const candidates = [venvPython];
  const jupyter = which("jupyter");
  if (jupyter) {
    const fromShebang = shebangPython(jupyter);
    if (fromShebang) candidates.push(fromShebang);
  }
  candidates.push("/usr/bin/python3");
  const onPath = which("python3");
  if (onPath) candidates.push(onPath);
  return [...new Set(candidates)].filter((file) => existsSync(file));
}

/** The Python that executes notebooks here, or undefined when none can. */
export function findJupyterPython(): string | undefined {
  const override = process.env.CLINICAL_DISTILL_PYTHON;
  if (override) return canRunNotebooks(override) ? override : undefined;
  return pythonCandidates().find(canRunNotebooks);
}

export interface KernelSpecInfo {
  argv: string[];
  resourceDir: string;
}

/** The kernel spec Jupyter would use for `name`, as seen by `python`; undefined when there is none. */
export function readKernelSpec(python: string, name = "tslab"): KernelSpecInfo | undefined {
  const script = [
    "import json, sys",
    "from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel",
    "try:",
    `    spec = KernelSpecManager().get_kernel_spec(${JSON.stringify(name)})`,
    "    print(json.dumps({'argv': spec.argv, 'resourceDir': spec.resource_dir}))",
    "except NoSuchKernel:",
    "    print('null')",
  ].join("\n");
  const probe = spawnSync(python, ["-c", script], { encoding: "utf8" });
  if (probe.status !== 0) return undefined;
  const parsed = JSON.parse(probe.stdout.trim().split("\n").pop() ?? "null") as KernelSpecInfo | null;
  return parsed ?? undefined;
}

/** Does the spec start a tslab that exists (absolute path, or a name found on our PATH)? */
export function kernelSpecStartable(spec: KernelSpecInfo): boolean {
  const program = spec.argv[0] ?? "";
  if (program.includes("/")) return isExecutable(program);
  const saved = process.env.PATH;
  process.env.PATH = pathWithNodeBin();
  try {
    return which(program) !== undefined;
  } finally {
    process.env.PATH = saved;
  }
}

export const setupHint =
  "run `npm run setup:jupyter` (installs Jupyter's execution pieces if needed and the tslab kernel)";
