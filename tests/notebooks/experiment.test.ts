import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadExperiment } from "../../lib/src/config/experiment.js";
import { runBaseline } from "../../lib/src/eval/tasks/baseline.js";
import { loadEvalTask, predictionsPath } from "../../lib/src/eval/tasks/load-task.js";
import { writePredictions } from "../../lib/src/eval/tasks/predictions.js";
import { TABLE_MIME, type TablePayload } from "../../lib/src/report/types.js";
import { findJupyterPython, kernelSpecStartable, readKernelSpec } from "../../scripts/internal/jupyter-env.js";
import { root, runScript } from "../foundation/helpers.js";
import { missing } from "../helpers/skip.js";
import { tempDir } from "../helpers/temp-dir.js";

// The experiment is chosen once, outside the notebooks: a copy of the sample with its own name and eval.outDir,
// selected by CLINICAL_DISTILL_EXPERIMENT or by the runner's --experiment, must be what a real notebook loads.

const scratch = tempDir("notebook-experiment-");
const NOTEBOOK = "d-apixaban-eval-task/a-preprocess.ipynb";

function ready(): boolean {
  const python = findJupyterPython();
  const kernel = python ? readKernelSpec(python) : undefined;
  if (!python || !kernel || !kernelSpecStartable(kernel))
    return missing("Jupyter with the tslab kernel", "npm run setup:jupyter") as false;
  if (!existsSync(join(root, "lib", "dist", "index.js")))
    throw new Error("lib/dist is missing: notebooks import the built library; run `npm run build`");
  return true;
}

/** A copy of the sample experiment, renamed, writing its evaluation outputs under the temp folder. */
function copiedExperiment(name: string, datasets = "configs/datasets.yaml"): { file: string; outDir: string } {
  const outDir = join(scratch, `${name}-eval`);
  const sample = readFileSync(join(root, "configs", "experiments", "sample.yaml"), "utf8");
  const text = sample
    .replace(/^name: sample$/m, `name: ${name}`)
    .replace(/^ {2}outDir: out\/eval$/m, `  outDir: ${outDir}`)
    .replace(/^datasets: configs\/datasets\.yaml$/m, `datasets: ${datasets}`);
  assert.ok(text.includes(`name: ${name}`) && text.includes(outDir), "the sample's name and eval.outDir were replaced");
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, text);
  return { file, outDir };
}

interface Output {
  text?: string | string[];
  data?: Record<string, unknown>;
}

let runs = 0;
/** Run one notebook headless; return its executed copy's cells' outputs. */
function executeOne(notebook: string, args: string[], env: NodeJS.ProcessEnv): { id: string; outputs: Output[] }[] {
  const out = join(scratch, `executed-${++runs}`);
  const run = runScript("run-notebooks.ts", [notebook, "--out", out, ...args], env, 10 * 60_000);
  assert.is(run.status, 0, run.output.slice(-4000));
  return JSON.parse(readFileSync(join(out, notebook), "utf8")).cells;
}

/** Run the one notebook headless; return its executed copy's text outputs. */
function runNotebook(args: string[], env: NodeJS.ProcessEnv): string {
  return executeOne(NOTEBOOK, args, env)
    .flatMap((cell) => cell.outputs ?? [])
    .map((output) => [output.text ?? ""].flat().join(""))
    .join("\n");
}

function assertUsed(outputs: string, experiment: { file: string; outDir: string }, how: RegExp): void {
  const shown = relative(root, experiment.file);
  assert.ok(outputs.includes(`experiment: ${shown} (`), `the notebook names its experiment (${shown}):\n${outputs}`);
  assert.match(outputs, how);
  assert.not.ok(outputs.includes(`experiment: ${experiment.file}`), "the path is shown relative, never absolute");
  for (const label of ["teacher", "base-student", "distilled-student"]) {
    const file = join(experiment.outDir, "apixaban", "annotated", `requests-${label}.jsonl`);
    assert.ok(existsSync(file), `the notebook wrote into the experiment's eval.outDir: ${file}`);
  }
}

test("a notebook loads the experiment named by CLINICAL_DISTILL_EXPERIMENT and writes into its outDir", () => {
  if (!ready()) return;
  const experiment = copiedExperiment("env-study");
  const outputs = runNotebook([], { CLINICAL_DISTILL_EXPERIMENT: experiment.file });
  assertUsed(outputs, experiment, /"env-study", chosen by CLINICAL_DISTILL_EXPERIMENT/);
});

test("npm run notebooks --experiment FILE (from the current folder) reaches the kernels and wins over the variable", () => {
  if (!ready()) return;
  const experiment = copiedExperiment("flag-study");
  const outputs = runNotebook(["--experiment", relative(root, experiment.file)], {
    CLINICAL_DISTILL_EXPERIMENT: "configs/experiments/sample.yaml",
    INIT_CWD: root, // what npm sets: the folder the command was typed in
  });
  assertUsed(outputs, experiment, /"flag-study", chosen by CLINICAL_DISTILL_EXPERIMENT/);
});

test("the apixaban evaluate notebook's last cell re-reads the edited CSV and diffs against the saved baseline on every re-run", async () => {
  if (!ready()) return;
  // The experiment's registry points sample-apixaban at a copy of the CSV, which the test edits.
  const annotations = join(scratch, "annotations.csv");
  copyFileSync(join(root, "data", "sample", "apixaban", "annotations.csv"), annotations);
  const registry = join(scratch, "datasets.yaml");
  const registryText = readFileSync(join(root, "configs", "datasets.yaml"), "utf8");
  writeFileSync(registry, registryText.replace("path: data/sample/apixaban/annotations.csv", `path: ${annotations}`));
  const experiment = copiedExperiment("fix-study", registry);
  // Only the baseline's predictions are needed (the notebook requires it); written here instead of by a-/b- notebooks.
  const loaded = await loadEvalTask(loadExperiment(experiment.file), "apixaban");
  assert.is(loaded.dataset.path, annotations);
  writePredictions(
    predictionsPath(experiment.outDir, "apixaban", "annotated", "baseline"),
    runBaseline(loaded.items, loaded.noteText),
  );
  const lastTable = () => {
    const cells = executeOne("d-apixaban-eval-task/c-evaluate-performance.ipynb", [], {
      CLINICAL_DISTILL_EXPERIMENT: experiment.file,
    });
    const last = cells.find((cell) => cell.id === "fcccb3e0");
    const payload = last?.outputs?.map((output) => output.data?.[TABLE_MIME]).find(Boolean) as TablePayload | undefined;
    assert.ok(payload, "the annotation-fix cell shows a table");
    return payload.rows.map((row) => Object.fromEntries(payload.columns.map((column, i) => [column, row[i]])));
  };
  assert.match(String(lastTable()[0].change), "first evaluation: baseline saved");
  // A reviewer flips the first yes/no label in the file (whichever note the sample starts with).
  const text = readFileSync(annotations, "utf8");
  const row = /^([^,\n]+),[^,\n]+,[^,\n]+,(yes|no),/m.exec(text);
  assert.ok(row, "the sample CSV has a yes/no label");
  const [, itemId, before] = row;
  const after = before === "yes" ? "no" : "yes";
  writeFileSync(annotations, text.replace(row[0], row[0].replace(/,(yes|no),$/, `,${after},`)));
  for (const rerun of [1, 2]) {
    const fixed = lastTable().filter((row) => row.change === "gold label");
    assert.equal(
      fixed.map((row) => [row.model, row.name, row.before, row.after]),
      [["baseline", itemId, before, after]],
      `re-run ${rerun} shows the fix against the saved baseline`,
    );
  }
});

test("a missing experiment file stops the runner before any kernel starts, naming the file and where it came from", () => {
  const viaFlag = runScript("run-notebooks.ts", [NOTEBOOK, "--experiment", join(scratch, "absent.yaml")]);
  assert.is(viaFlag.status, 2);
  assert.match(
    viaFlag.stderr,
    `the experiment file ${join(scratch, "absent.yaml")} (from --experiment) does not exist`,
  );
  const viaEnv = runScript("run-notebooks.ts", [NOTEBOOK], {
    CLINICAL_DISTILL_EXPERIMENT: "configs/experiments/absent.yaml",
  });
  assert.is(viaEnv.status, 2);
  assert.match(viaEnv.stderr, "configs/experiments/absent.yaml (from $CLINICAL_DISTILL_EXPERIMENT) does not exist");
});

test.run();
