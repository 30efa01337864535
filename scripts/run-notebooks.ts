/**
 * Executes the project's notebooks headless, in dependency order, and writes executed copies.
 *
 *   npm run notebooks [-- PATTERN] [--experiment FILE] [--timeout SECONDS] [--cluster] [--dir notebooks] [--out out/notebooks]
 *   npm run notebooks -- --check-clean [PATTERN]
 *
 * Order: by path, folder by folder, then file by file (a- before b-: that is the dependency order).
 * Each notebook runs in a fresh tslab kernel with its own folder as cwd. Cells whose first line is
 * `// @cluster` are replaced, for execution only, by a printed notice (unless --cluster); the executed copy
 * keeps their source. The executed copy goes to <out>/<same path> only when every cell succeeded (temp file,
 * then rename), so a failed run never destroys an earlier good output; the failed run's copy goes to
 * <out>-failed/<same path> for inspection. The run stops at the first failing cell.
 * The experiment every notebook loads: --experiment FILE (resolved from the current folder), else the
 * CLINICAL_DISTILL_EXPERIMENT environment variable, else configs/experiments/sample.yaml; the kernels get it
 * through that variable (lib/src/config/select.ts).
 * --check-clean runs nothing: it fails when a source notebook has outputs, execution counts or a cell without id.
 */
import { existsSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { EXPERIMENT_ENV, selectedExperimentPath } from "../lib/src/config/select.js";
import {
  findJupyterPython,
  kernelSpecStartable,
  projectRoot,
  readKernelSpec,
  setupHint,
} from "./internal/jupyter-env.js";
import { cleanProblems, executeNotebook, filterNotebooks, listNotebooks } from "./internal/notebooks.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    experiment: { type: "string" },
    timeout: { type: "string", default: "600" },
    cluster: { type: "boolean", default: false },
    "check-clean": { type: "boolean", default: false },
    dir: { type: "string", default: "notebooks" },
    out: { type: "string", default: "out/notebooks" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(
    "usage: npm run notebooks -- [PATTERN] [--experiment FILE] [--timeout SECONDS] [--cluster] [--check-clean] [--dir DIR] [--out DIR]\n" +
      `  --experiment FILE  the experiment every notebook loads (default: $${EXPERIMENT_ENV}, else configs/experiments/sample.yaml)`,
  );
  process.exit(0);
}

const notebooksDir = resolve(projectRoot, values.dir);
const outDir = resolve(projectRoot, values.out);
const pattern = positionals[0];
const timeoutSeconds = Number(values.timeout);
if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) {
  console.error(`notebooks: --timeout must be a positive whole number of seconds, got "${values.timeout}"`);
  process.exit(2);
}

const notebooks = filterNotebooks(listNotebooks(notebooksDir), pattern);
if (notebooks.length === 0) {
  console.error(`notebooks: no notebook under ${notebooksDir}${pattern ? ` matches "${pattern}"` : ""}`);
  process.exit(2);
}

if (values["check-clean"]) {
  let dirty = 0;
  for (const notebook of notebooks) {
    const problems = cleanProblems(join(notebooksDir, notebook));
    if (problems.length === 0) continue;
    dirty++;
    console.error(`${values.dir}/${notebook}:`);
    for (const problem of problems) console.error(`  - ${problem}`);
  }
  if (dirty > 0) {
    console.error(
      `\nnotebooks: ${dirty} of ${notebooks.length} source notebooks are not clean. Clear outputs before committing ` +
        "(JupyterLab: Edit > Clear Outputs of All Cells, then save), and give every cell an id (nbformat 4.5).",
    );
    process.exit(1);
  }
  console.log(
    `notebooks: all ${notebooks.length} source notebooks are clean (no outputs, no execution counts, cell ids)`,
  );
  process.exit(0);
}

// Checked here, once, rather than as a failure in the first notebook's setup cell.
// npm runs scripts from the project root; INIT_CWD is the folder the user typed the command in.
const experiment = selectedExperimentPath(values.experiment, process.env.INIT_CWD ?? process.cwd());
if (!statSync(experiment, { throwIfNoEntry: false })?.isFile()) {
  const from =
    values.experiment !== undefined
      ? "--experiment"
      : process.env[EXPERIMENT_ENV]?.trim()
        ? `$${EXPERIMENT_ENV}`
        : "the default";
  console.error(`notebooks: the experiment file ${experiment} (from ${from}) does not exist`);
  process.exit(2);
}

const python = findJupyterPython();
if (!python) {
  console.error(`notebooks: no Python here can execute notebooks (nbclient is missing): ${setupHint}`);
  process.exit(1);
}
const kernel = readKernelSpec(python);
if (!kernel || !kernelSpecStartable(kernel)) {
  const why = kernel
    ? `its kernel spec starts "${kernel.argv[0]}", which does not exist`
    : "Jupyter has no tslab kernel";
  console.error(`notebooks: the TypeScript kernel (tslab) is missing: ${why}. To fix: ${setupHint}`);
  process.exit(1);
}

const started = Date.now();
console.log(
  `notebooks: executing ${notebooks.length} notebook(s) from ${values.dir}/ (timeout ${timeoutSeconds} s per cell)`,
);
console.log(`notebooks: experiment ${relative(projectRoot, experiment) || experiment}`);
for (const [position, notebook] of notebooks.entries()) {
  const output = join(outDir, notebook);
  const failedOutput = join(`${outDir}-failed`, notebook);
  const label = `[${position + 1}/${notebooks.length}] ${values.dir}/${notebook}`;
  // A notebook can run for minutes: say which one is running before it starts.
  console.log(`run ${label} ...`);
  const run = executeNotebook(join(notebooksDir, notebook), {
    python,
    output,
    failedOutput,
    timeoutSeconds,
    cluster: values.cluster,
    // Only an explicit --experiment is set for the kernels; otherwise they read what this process inherited.
    experiment: values.experiment !== undefined ? experiment : undefined,
  });
  for (const skip of run.skipped)
    console.log(
      `  skipped cell ${skip.cell}${skip.id ? ` (id ${skip.id})` : ""}: ${skip.firstLine} (run with --cluster)`,
    );
  if (run.status === "ok") {
    rmSync(failedOutput, { force: true });
    console.log(`ok  ${label}: ${run.cells} cells, ${run.skipped.length} skipped, ${run.seconds} s`);
    continue;
  }
  const failure = run.failure;
  const where = failure?.cell
    ? `cell ${failure.cell}${failure.id ? ` (id ${failure.id})` : ""}`
    : "before any cell ran";
  console.error(`\nFAILED ${label}, ${where}`);
  console.error(`  ${failure?.ename ?? "Error"}: ${failure?.evalue ?? "(no message)"}`);
  for (const line of failure?.traceback ?? []) console.error(`    ${line}`);
  if (run.status === "no-kernel") console.error(`  The notebook's kernel is not installed: ${setupHint}`);
  else if (existsSync(failedOutput))
    console.error(`  The failed run's copy, with outputs up to the failure: ${failedOutput}`);
  if (existsSync(output)) console.error(`  The earlier good output is kept: ${output}`);
  console.error(`notebooks: stopped at the first failure (${notebooks.length - position - 1} notebook(s) not run)`);
  process.exit(1);
}
// After a full run, executed copies whose source notebook is gone (renamed, deleted) would linger in the
// export: remove them.
if (!pattern) {
  const current = new Set(notebooks);
  for (const stale of listNotebooks(outDir).filter((path) => !current.has(path))) {
    rmSync(join(outDir, stale));
    console.log(`notebooks: removed ${values.out}/${stale} (its source notebook no longer exists)`);
  }
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`notebooks: all ${notebooks.length} executed in ${seconds} s; executed copies in ${outDir}`);
