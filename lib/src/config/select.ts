import { isAbsolute, relative, resolve, sep } from "node:path";
import { projectRoot, resolveFromRoot } from "../paths.js";
import { type Experiment, loadExperiment } from "./experiment.js";

/**
 * The experiment is chosen once, for every notebook and CLI command: an explicit path (a CLI
 * `--config`), else the CLINICAL_DISTILL_EXPERIMENT environment variable, else the shipped sample.
 * Relative paths given on the command line resolve from the current folder, as a shell user expects;
 * the variable and the default resolve from the project root, because notebooks run with their own
 * folder as the current one.
 */
export const EXPERIMENT_ENV = "CLINICAL_DISTILL_EXPERIMENT";
export const SAMPLE_EXPERIMENT = "configs/experiments/sample.yaml";

export function selectedExperimentPath(explicit?: string, cwd: string = process.cwd()): string {
  if (explicit !== undefined && explicit.trim() !== "") return isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
  const fromEnv = process.env[EXPERIMENT_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return resolveFromRoot(fromEnv.trim());
  return resolveFromRoot(SAMPLE_EXPERIMENT);
}

/**
 * The notebooks' one-line setup: load the selected experiment and say which one it is. The path is
 * shown relative to the project root (never absolute), so an exported notebook names no local folder.
 */
export function loadSelectedExperiment(log: (line: string) => void = console.log): Experiment {
  const file = selectedExperimentPath();
  const experiment = loadExperiment(file);
  const shown = relative(projectRoot(), file).split(sep).join("/");
  const how = process.env[EXPERIMENT_ENV]?.trim()
    ? `chosen by ${EXPERIMENT_ENV}`
    : `the default; set ${EXPERIMENT_ENV} or pass --experiment to npm run notebooks for another`;
  log(`experiment: ${shown} ("${experiment.name}", ${how})`);
  return experiment;
}
