import { type JobExperiment, type JobOptions, renderServeJob } from "./jobs.js";
import { cancelJob, type SubmitOptions, submitJob } from "./submit.js";
import { type ServerHandle, type WaitForServerOptions, waitForServer } from "./wait-for-server.js";

/**
 * Serve a model for the length of one piece of work: submit a vLLM serve job, wait until it is healthy, run
 * `work(server)`, and cancel the job afterwards whatever happened (a GPU node is never left serving).
 */
export async function withServer<T>(
  experiment: JobExperiment,
  work: (server: ServerHandle) => Promise<T>,
  options: JobOptions & SubmitOptions & WaitForServerOptions = {},
): Promise<T> {
  const job = renderServeJob(experiment, options);
  const submitted = await submitJob(job, {
    jobsDir: options.jobsDir ?? experiment.slurm.jobsDir,
    after: options.after,
  });
  try {
    const server = await waitForServer(submitted, options);
    return await work(server);
  } finally {
    await cancelJob(submitted);
  }
}
