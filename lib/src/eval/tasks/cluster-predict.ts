/**
 * The predict step on a real cluster, one call per way of running a model, shared by the three
 * run-inference notebooks: a vLLM server as a SLURM job (requests through the LLM layer: cached,
 * resumable, the GPU job cancelled however the call ends), or an offline `vllm run-batch` job (no
 * server). Both write the task's predictions file and return what they wrote.
 */
import { join } from "node:path";
import type { Experiment } from "../../config/experiment.js";
import { ToolkitError } from "../../core/errors.js";
import type { RunSummary } from "../../llm/run-summary.js";
import type { JobOutcome } from "../../slurm/errors.js";
import { type FollowOptions, followJob } from "../../slurm/follow-job.js";
import { forTeacher, type JobOptions, renderRunBatchJob } from "../../slurm/jobs.js";
import { type SubmitOptions, submitJob } from "../../slurm/submit.js";
import type { WaitForServerOptions } from "../../slurm/wait-for-server.js";
import { withServedModel } from "../../slurm/with-server.js";
import { predictWithLlm } from "./infer.js";
import { predictionsPath } from "./load-task.js";
import { predictionsFromBatch, writeTaskRequests } from "./models.js";
import { writePredictions } from "./predictions.js";
import { taskRequests } from "./requests.js";
import type { LoadedTask } from "./task.js";
import type { Prediction } from "./types.js";

export interface ClusterPredictions {
  /** The predictions file written (the evaluate step reads it). */
  file: string;
  predictions: Prediction[];
}

/**
 * Start the model the experiment's serve job serves (`slurm.serve`: the student, one replica per GPU), ask
 * it every item of `task` with the experiment's `llm.concurrency`, and write
 * `<outDir>/<task>/<subset>/predictions-<label>.jsonl`. Answers are cached in `<outDir>/cache/<label>.jsonl`,
 * so a re-run after an interruption asks only what is missing. `outDir` is a resolved folder.
 */
export async function predictOnServedModel(
  experiment: Experiment,
  task: LoadedTask,
  label: string,
  outDir: string,
  cluster: JobOptions & SubmitOptions & WaitForServerOptions = {},
): Promise<ClusterPredictions & { summary: RunSummary }> {
  const served = await withServedModel(
    experiment,
    join(outDir, "cache", `${label}.jsonl`),
    ({ server, backend, cache }) =>
      predictWithLlm(
        taskRequests(task, experiment, server.model),
        { backend, cache, concurrency: experiment.llm.concurrency },
        label,
      ),
    cluster,
  );
  const file = predictionsPath(outDir, task.task, task.subset, label);
  writePredictions(file, served.predictions);
  return { file, ...served };
}

/**
 * Run `experiment.eval.models[label]` over every item of `task` as an offline `vllm run-batch` job (the
 * teacher's settings: tensor parallel over the node), follow it, and write its predictions file. Requests
 * missing from the job's output are failed predictions (reason missing_from_batch), never dropped.
 * `cluster` passes job, submit and follow options through (a profile, `onLog` to stream the job's log).
 */
export async function predictWithBatchJob(
  experiment: Experiment,
  task: LoadedTask,
  label: string,
  outDir: string,
  cluster: JobOptions & SubmitOptions & FollowOptions = {},
): Promise<ClusterPredictions & { outcome: JobOutcome }> {
  const model = experiment.eval.models[label];
  if (model === undefined) {
    throw new ToolkitError(
      `no model "${label}" in eval.models (known: ${Object.keys(experiment.eval.models).join(", ")})`,
      {
        stage: "eval",
        field: "eval.models",
      },
    );
  }
  const requests = taskRequests(task, experiment, model);
  const taskDir = join(outDir, task.task, task.subset);
  const input = join(taskDir, "batch", `${label}.jsonl`);
  await writeTaskRequests(requests, input, "batch");
  const job = renderRunBatchJob(forTeacher(experiment, model), {
    ...cluster,
    inputs: [input],
    outputDir: join(taskDir, "batch-out"),
  });
  const outcome = await followJob(await submitJob(job, cluster), cluster);
  const predictions = await predictionsFromBatch(job.outputs.chunk0, requests, label);
  const file = predictionsPath(outDir, task.task, task.subset, label);
  writePredictions(file, predictions);
  return { file, predictions, outcome };
}
