import { createOpenAIBackend } from "../llm/backends/openai-backend.js";
import { ResponseCache } from "../llm/response-cache.js";
import type { Backend } from "../llm/types.js";
import { type JobExperiment, type JobOptions, renderServeJob } from "./jobs.js";
import { cancelJob, type SubmitOptions, submitJob } from "./submit.js";
import { readApiKey, type ServerHandle, type WaitForServerOptions, waitForServer } from "./wait-for-server.js";

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

/** What withServedModel hands the work: the server, a backend connected to it, and the response cache. */
export interface ServedModel {
  server: ServerHandle;
  backend: Backend;
  cache: ResponseCache;
}

/**
 * withServer for a notebook cell: serve the experiment's model, connect an OpenAI backend with the job's key,
 * open the response cache at `cacheFile` (so a re-run asks nothing twice), run `work`, then close the cache
 * and cancel the GPU job whether the work succeeded, failed or was interrupted.
 */
export async function withServedModel<T>(
  experiment: JobExperiment,
  cacheFile: string,
  work: (served: ServedModel) => Promise<T>,
  options: JobOptions & SubmitOptions & WaitForServerOptions = {},
): Promise<T> {
  return withServer(
    experiment,
    async (server) => {
      const backend = createOpenAIBackend({ baseUrl: server.baseUrl, apiKey: readApiKey(server.apiKeyFile) });
      const cache = ResponseCache.open(cacheFile);
      try {
        return await work({ server, backend, cache });
      } finally {
        cache.close();
      }
    },
    options,
  );
}
