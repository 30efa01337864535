import { join } from "node:path";
import type { Experiment } from "../../config/experiment.js";
import { evalTask } from "./registry.js";
import type { LoadedTask, LoadTaskOptions } from "./task.js";
import type { EvalTaskName } from "./types.js";

/** Load one task's items and notes as the experiment config says. */
export function loadEvalTask(
  experiment: Experiment,
  task: EvalTaskName,
  loadOptions: LoadTaskOptions = {},
): Promise<LoadedTask> {
  return evalTask(task).load(experiment, loadOptions);
}

/** Where a task's predictions for one model live: <outDir>/<task>/<subset>/predictions-<model label>.jsonl. */
export function predictionsPath(root: string, task: EvalTaskName, subset: string, modelLabel: string): string {
  return join(root, task, subset, `predictions-${modelLabel}.jsonl`);
}
