/**
 * Sets up what executing and opening the notebooks needs, and prints what it did. Idempotent.
 *   npm run setup:jupyter
 *
 * 1. A Python that can execute notebooks (nbclient): an existing Jupyter's own Python; else, as root on
 *    Debian, `apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel`; else a
 *    project venv (.venv) with pip.
 * 2. The tslab kernel spec, pointing at this checkout's node_modules/.bin/tslab by absolute path, so
 *    JupyterLab users need no PATH changes. Re-installed only when missing or pointing elsewhere.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import {
  canRunNotebooks,
  findJupyterPython,
  kernelSpecStartable,
  projectRoot,
  readKernelSpec,
  tslabBinary,
  venvPython,
  which,
} from "./internal/jupyter-env.js";

const debianPackages = ["jupyter-nbconvert", "python3-nbclient", "jupyter-client", "python3-ipykernel"];
const pipPackages = ["nbclient", "nbformat", "nbconvert", "jupyter_client", "ipykernel"];

function say(line: string): void {
  console.log(`setup:jupyter: ${line}`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  say(`running ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env, cwd: projectRoot });
  if (result.error) {
    say(`could not start ${command}: ${result.error.message}`);
    return false;
  }
  return result.status === 0;
}

function fail(message: string): never {
  console.error(`setup:jupyter: FAILED: ${message}`);
  process.exit(1);
}

function ensurePython(): string {
  const found = findJupyterPython();
  if (found) {
    say(`using the Python Jupyter runs with: ${found} (nbclient present, nothing installed)`);
    return found;
  }
  const isRoot = process.getuid?.() === 0;
  if (isRoot && which("apt-get")) {
    say(`no Python with nbclient found; installing Debian packages: ${debianPackages.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    // A fresh machine has empty package lists; installing first and updating only on failure saves a minute.
    const aptArgs = ["install", "-y", "--no-install-recommends", ...debianPackages];
    if (!run("apt-get", aptArgs, env)) {
      run("apt-get", ["update"], env);
      if (!run("apt-get", aptArgs, env)) fail("apt-get could not install the Jupyter packages (see above)");
    }
    if (canRunNotebooks("/usr/bin/python3")) return "/usr/bin/python3";
    fail("the Debian packages installed, but /usr/bin/python3 still cannot import nbclient");
  }
  const basePython = which("python3");
  if (!basePython) fail("no python3 on PATH: install Python 3 (with venv and pip), then run this again");
  if (!existsSync(venvPython)) {
    say(`not root or no apt-get: creating a project venv at .venv with ${basePython}`);
    if (!run(basePython, ["-m", "venv", ".venv"]))
      fail(`${basePython} -m venv .venv failed (is python3-venv installed?)`);
  }
  say(`installing ${pipPackages.join(" ")} into .venv with pip`);
  if (!run(venvPython, ["-m", "pip", "install", "--quiet", ...pipPackages]))
    fail("pip could not install the Jupyter packages into .venv (see above)");
  if (!canRunNotebooks(venvPython)) fail(".venv/bin/python still cannot import nbclient after pip install");
  return venvPython;
}

function ensureKernel(python: string): void {
  if (!existsSync(tslabBinary)) fail(`${tslabBinary} is missing: run \`npm install\` (or \`npm ci\`) first`);
  const existing = readKernelSpec(python);
  if (existing && existing.argv[0] === tslabBinary && kernelSpecStartable(existing)) {
    say(`tslab kernel already installed at ${existing.resourceDir} (starts ${tslabBinary}); nothing to do`);
    return;
  }
  if (existing)
    say(`tslab kernel at ${existing.resourceDir} starts "${existing.argv[0]}"; re-pointing it at this checkout`);
  const args = [tslabBinary, "install", `--python=${python}`, `--binary=${tslabBinary}`];
  // A venv's kernels belong inside it; root installs system-wide; anyone else per user (tslab's default).
  if (python === venvPython) args.push("--sys-prefix");
  if (!run(process.execPath, args)) fail("`tslab install` failed (see above)");
  const installed = readKernelSpec(python);
  if (!installed || installed.argv[0] !== tslabBinary)
    fail(`after \`tslab install\`, Jupyter (${python}) still does not see a tslab kernel starting ${tslabBinary}`);
  say(`installed the tslab kernel at ${installed.resourceDir} (starts ${tslabBinary})`);
}

const python = ensurePython();
ensureKernel(python);
say(`done. Execute notebooks with \`npm run notebooks\`; in JupyterLab pick the "TypeScript" kernel.`);
