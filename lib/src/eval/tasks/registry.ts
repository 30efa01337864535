import { ToolkitError } from "../../core/errors.js";
import { apixabanTask } from "./apixaban/task.js";
import { n2c2Task } from "./n2c2/task.js";
import { syntheticTask } from "./synthetic/task.js";
import type { EvalTask } from "./task.js";
import type { EvalTaskName } from "./types.js";

/** The evaluation tasks by name: every step of a task goes through its object here. */
export const EVAL_TASKS: Readonly<Record<EvalTaskName, EvalTask>> = {
  synthetic: syntheticTask,
  n2c2: n2c2Task,
  apixaban: apixabanTask,
};

/** The task of that name; an unknown name is an error that lists the known ones. */
export function evalTask(name: string): EvalTask {
  if (!Object.hasOwn(EVAL_TASKS, name))
    throw new ToolkitError(`unknown evaluation task "${name}" (known: ${Object.keys(EVAL_TASKS).join(", ")})`, {
      stage: "eval",
      field: "name",
    });
  return EVAL_TASKS[name as EvalTaskName];
}
