/**
 * The demo: the whole pipeline on the project-written sample data, offline.
 *   npm run demo            (the npm script builds the library first)
 *
 * 1. Sets up the tslab kernel when Jupyter lacks it (scripts/setup-jupyter.ts).
 * 2. Executes every notebook in order (scripts/run-notebooks.ts): executed copies in out/notebooks/.
 * 3. Exports them (scripts/export.ts): out/report/index.html, PDFs, CSV tables, figures, manifest.json.
 * Stops at the first failing step with that step's message. Extra arguments go to the notebook runner
 * (e.g. `npm run demo -- --timeout 900`, or `--experiment FILE` to run it all on another experiment).
 */
import { spawnSync } from "node:child_process";
import { join, relative } from "node:path";
import { findJupyterPython, kernelSpecStartable, projectRoot, readKernelSpec } from "./internal/jupyter-env.js";

const tsxCli = join(projectRoot, "node_modules", "tsx", "dist", "cli.mjs");

function step(title: string, script: string, args: string[] = []): void {
  console.log(`\n=== demo: ${title} ===`);
  const run = spawnSync(process.execPath, [tsxCli, join(projectRoot, "scripts", script), ...args], {
    cwd: projectRoot,
    stdio: "inherit",
  });
  if (run.status !== 0) {
    console.error(`\ndemo: stopped: "${title}" failed (see its message above).`);
    process.exit(run.status ?? 1);
  }
}

const python = findJupyterPython();
const kernel = python ? readKernelSpec(python) : undefined;
if (!python || !kernel || !kernelSpecStartable(kernel)) step("set up Jupyter and the tslab kernel", "setup-jupyter.ts");
else console.log(`demo: Jupyter (${python}) and the tslab kernel are ready`);

step("execute the notebooks", "run-notebooks.ts", process.argv.slice(2));
step("export the report", "export.ts");

const where = (path: string) => relative(process.cwd(), join(projectRoot, path)) || ".";
console.log("\ndemo: done. Outputs (sample data: samples, not results):");
console.log(`  executed notebooks: ${where("out/notebooks")}/`);
console.log(`  report:             ${where("out/report/index.html")}`);
console.log(`  manifest:           ${where("out/report/manifest.json")}`);
