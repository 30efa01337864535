import { ToolkitError } from "../../core/errors.js";
import { type RunOptions, runRequests } from "../../llm/run-requests.js";
import type { RunSummary } from "../../llm/run-summary.js";
import type { ModelRequest } from "../../llm/types.js";
import { predictionFromResult } from "./predictions.js";
import type { Prediction } from "./types.js";

/**
 * Answer evaluation requests through the LLM layer (a vLLM server, a local model, or recorded
 * answers) and turn the results into predictions in request order. Every request yields a row:
 * failures keep their reason and are scored as wrong. With a response cache in `options`, a re-run
 * asks nothing twice.
 */
export async function predictWithLlm(
  requests: readonly ModelRequest[],
  options: RunOptions,
  modelLabel: string,
): Promise<{ predictions: Prediction[]; summary: RunSummary }> {
  const run = runRequests(requests, { total: requests.length, ...options });
  const byId = new Map<string, Prediction>();
  for await (const result of run) byId.set(result.id, predictionFromResult(result, modelLabel));
  const predictions = requests.map((request) => {
    const prediction = byId.get(request.id);
    // A run that ends early (cancelled) leaves rows out: say which instead of scoring a partial run.
    if (!prediction)
      throw new ToolkitError(`the run ended before request ${request.id} was answered; re-run to resume`, {
        stage: "eval",
      });
    return prediction;
  });
  return { predictions, summary: run.summary() };
}
