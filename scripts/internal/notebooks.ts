/**
 * Finding, checking and executing the project's notebooks. Used by run-notebooks.ts, demo.ts and the tests.
 * Execution goes through scripts/notebook-driver.py (nbclient) one notebook at a time, each in a fresh kernel.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { EXPERIMENT_ENV } from "../../lib/src/config/select.js";
import { pathWithNodeBin, projectRoot } from "./jupyter-env.js";

export const driverScript = join(projectRoot, "scripts", "notebook-driver.py");

/** Compare paths segment by segment, so a folder's notebooks sort together and in name order (the dependency order). */
function comparePaths(a: string, b: string): number {
  const left = a.split("/");
  const right = b.split("/");
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i] < right[i] ? -1 : 1;
  }
  return left.length - right.length;
}

/** Every .ipynb under `dir` (checkpoints excluded), as paths relative to `dir` with `/`, in run order. */
export function listNotebooks(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue; // .ipynb_checkpoints and other hidden folders
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith(".ipynb")) found.push(relative(dir, full).split(sep).join("/"));
    }
  };
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) walk(dir);
  return found.sort(comparePaths);
}

/** Keep notebooks whose relative path matches `pattern` (a regular expression; plain text works as a substring). */
export function filterNotebooks(notebooks: string[], pattern: string | undefined): string[] {
  if (!pattern) return notebooks;
  let matcher: RegExp;
  try {
    matcher = new RegExp(pattern);
  } catch {
    return notebooks.filter((path) => path.includes(pattern));
  }
  return notebooks.filter((path) => matcher.test(path));
}

interface RawCell {
  id?: unknown;
  cell_type?: unknown;
  outputs?: unknown;
  execution_count?: unknown;
}

/** Problems that keep a source notebook from being "clean" (what git should hold); empty when clean. */
export function cleanProblems(file: string): string[] {
  let nb: { nbformat?: unknown; nbformat_minor?: unknown; cells?: unknown; metadata?: Record<string, unknown> };
  try {
    nb = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    return [`not readable as JSON: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  if (nb.nbformat !== 4 || typeof nb.nbformat_minor !== "number" || nb.nbformat_minor < 5)
    problems.push(`nbformat must be 4.5 or later (cell ids), found ${nb.nbformat}.${nb.nbformat_minor}`);
  const kernelspec = nb.metadata?.kernelspec as { name?: unknown } | undefined;
  if (kernelspec?.name !== "tslab")
    problems.push(`metadata.kernelspec.name must be "tslab", found ${JSON.stringify(kernelspec?.name)}`);
  if (!Array.isArray(nb.cells)) return [...problems, "no cells array"];
  const seenIds = new Set<string>();
  (nb.cells as RawCell[]).forEach((cell, index) => {
    const where = `cell ${index + 1}`;
    if (typeof cell.id !== "string" || cell.id === "") problems.push(`${where} has no id`);
    else if (seenIds.has(cell.id)) problems.push(`${where} repeats the id ${JSON.stringify(cell.id)}`);
    else seenIds.add(cell.id);
    if (cell.cell_type === "code") {
      if (Array.isArray(cell.outputs) && cell.outputs.length > 0) problems.push(`${where} has saved outputs`);
      if (cell.execution_count !== null && cell.execution_count !== undefined)
        problems.push(`${where} has an execution count (${String(cell.execution_count)})`);
    }
  });
  return problems;
}

export interface SkippedCell {
  cell: number;
  id?: string;
  firstLine: string;
}

export interface NotebookFailure {
  cell?: number;
  id?: string;
  ename: string;
  evalue: string;
  traceback?: string[];
}

export interface NotebookRun {
  status: "ok" | "error" | "no-kernel" | "timeout" | "dead-kernel" | "driver-failed";
  cells?: number;
  skipped: SkippedCell[];
  failure?: NotebookFailure;
  seconds?: number;
}

export interface RunOptions {
  python: string;
  output: string;
  failedOutput?: string;
  timeoutSeconds: number;
  cluster: boolean;
  /** The experiment file the notebooks load (absolute): passed to the kernel as CLINICAL_DISTILL_EXPERIMENT. */
  experiment?: string;
}

/** Execute one notebook through the driver. Never throws for notebook problems: they come back as `status`. */
export function executeNotebook(source: string, options: RunOptions): NotebookRun {
  const scratch = mkdtempSync(join(tmpdir(), "nb-run-"));
  const resultFile = join(scratch, "result.json");
  const args = [
    driverScript,
    source,
    "--output",
    options.output,
    "--result",
    resultFile,
    "--timeout",
    String(options.timeoutSeconds),
  ];
  if (options.failedOutput) args.push("--failed-output", options.failedOutput);
  if (options.cluster) args.push("--cluster");
  try {
    const child = spawnSync(options.python, args, {
      cwd: projectRoot,
      encoding: "utf8",
      // The kernel inherits the driver's environment: that is how the experiment reaches each notebook.
      env: {
        ...process.env,
        ...(options.experiment ? { [EXPERIMENT_ENV]: options.experiment } : {}),
        PATH: pathWithNodeBin(),
        PYDEVD_DISABLE_FILE_VALIDATION: "1",
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    try {
      return JSON.parse(readFileSync(resultFile, "utf8")) as NotebookRun;
    } catch {
      const stderr = (child.stderr ?? "").trim().split("\n").slice(-15);
      return {
        status: "driver-failed",
        skipped: [],
        failure: {
          ename: "DriverError",
          evalue: child.error?.message ?? `notebook driver exited with ${child.status}`,
          traceback: stderr,
        },
      };
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
