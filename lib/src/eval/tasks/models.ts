import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { readBatchOutput, writeBatchFile } from "../../llm/batch-files.js";
import { writeRequestsJsonl } from "../../llm/request-files.js";
import type { ModelRequest } from "../../llm/types.js";
import { type Evaluation, type FileOptions, readModelPredictions } from "./evaluate.js";
import { predictionsPath } from "./load-task.js";
import { predictionFromResult } from "./predictions.js";
import { evalTask } from "./registry.js";
import type { BaselineDiff } from "./snapshot.js";
import type { LoadedTask } from "./task.js";
import type { Prediction } from "./types.js";

/**
 * The evaluate step of the loaded task on one predictions file (read and checked to cover exactly the
 * items): its task's evaluate, so n2c2 gets the official view from the same scores. Calls no model.
 */
export function evaluateTaskFile(loaded: LoadedTask, predictionsFile: string, options: FileOptions = {}): Evaluation {
  const { model, predictions } = readModelPredictions(predictionsFile, loaded.items, options);
  return evalTask(loaded.task).evaluate(loaded, predictions, model);
}

/**
 * Evaluate every model label whose predictions file exists under the task's output folder, in the
 * order given; labels without a file are reported as missing (run b-run-inference for them), never
 * silently left out of a comparison.
 */
export function evaluateModels(
  loaded: LoadedTask,
  outDir: string,
  labels: readonly string[],
  options: { predictionsSubset?: string } = {},
): { evaluations: Evaluation[]; missing: { label: string; file: string }[] } {
  const evaluations: Evaluation[] = [];
  const missing: { label: string; file: string }[] = [];
  // The reviewed synthetic subset is scored from the held-out predictions (same requests): extra rows allowed.
  const subset = options.predictionsSubset ?? loaded.subset;
  for (const label of labels) {
    const file = predictionsPath(outDir, loaded.task, subset, label);
    if (!existsSync(file)) {
      missing.push({ label, file });
      continue;
    }
    evaluations.push(evaluateTaskFile(loaded, file, { model: label, allowExtra: subset !== loaded.subset }));
  }
  return { evaluations, missing };
}

/**
 * Predictions from a `vllm run-batch` output file, in request order. A request with no output line
 * (the job died part way) becomes a failed prediction with reason "missing_from_batch": it is
 * counted wrong and listed, and the missing ids are what to re-submit.
 */
export async function predictionsFromBatch(
  outputFile: string,
  requests: readonly ModelRequest[],
  modelLabel: string,
): Promise<Prediction[]> {
  const byId = new Map<string, Prediction>();
  for await (const result of readBatchOutput(outputFile, requests)) {
    byId.set(result.id, predictionFromResult(result, modelLabel));
  }
  return requests.map(
    (request) =>
      byId.get(request.id) ?? {
        item_id: request.id,
        model: modelLabel,
        ok: false,
        text: "",
        reason: "missing_from_batch",
      },
  );
}

/** A baseline diff as table rows: one per changed item, then one per metric that moved. */
export function snapshotDiffRows(diff: BaselineDiff): Record<string, unknown>[] {
  if (!diff.hadPrevious)
    return [{ change: "first evaluation: baseline saved; later runs compare with it until updated" }];
  const rows: Record<string, unknown>[] = [
    ...diff.changedItems.map((item) => ({
      change: "gold label",
      name: item.itemId,
      before: item.before,
      after: item.after,
    })),
    ...diff.addedItems.map((itemId) => ({ change: "item added", name: itemId })),
    ...diff.removedItems.map((itemId) => ({ change: "item removed", name: itemId })),
    ...diff.metricChanges.map((metric) => ({
      change: "metric",
      name: metric.metric,
      before: metric.before,
      after: metric.after,
      delta: metric.delta,
    })),
  ];
  if (rows.length === 0) rows.push({ change: "no change since the saved baseline" });
  if (diff.saved) rows.push({ change: "baseline updated: later runs compare with this evaluation" });
  return rows;
}

/** Where a task's request file for one model label goes: next to its predictions. */
export function requestsPath(outDir: string, loaded: LoadedTask, label: string): string {
  return join(outDir, loaded.task, loaded.subset, `requests-${label}.jsonl`);
}

/**
 * Write requests (creating the folder): as the project's request JSONL (default), or as an OpenAI
 * Batch input file for `vllm run-batch` (format "batch"). Returns how many were written.
 */
export async function writeTaskRequests(
  requests: readonly ModelRequest[],
  file: string,
  format: "requests" | "batch" = "requests",
): Promise<number> {
  mkdirSync(dirname(file), { recursive: true });
  if (format === "batch") return (await writeBatchFile(requests, file)).written;
  return writeRequestsJsonl(requests, file);
}
