import { type Run, type RunOptions, runRequests } from "./run-requests.js";
import type { FailureReason, ModelRequest, Usage } from "./types.js";

const marker = Symbol.for("clinical-distill.GenerateObjectError");

/** One call that produced no valid value; `reason` names the stage that failed. No prompt text, no key. */
export class GenerateObjectError extends Error {
  readonly [marker] = true;
  constructor(
    readonly reason: FailureReason,
    readonly id: string,
    readonly key: string,
    readonly detail: string,
    readonly text?: string,
  ) {
    super(`request ${id} (key ${key.slice(0, 12)}): ${reason}: ${detail}`);
    this.name = "GenerateObjectError";
  }
  static isInstance(value: unknown): value is GenerateObjectError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

export interface ObjectResult<T> {
  readonly object: T;
  readonly text: string;
  readonly finishReason: string;
  readonly usage?: Usage;
  readonly cached: boolean;
  readonly key: string;
}

/** One request through the full client (cache, retries, health): the validated value or a GenerateObjectError. */
export async function generateObject<T>(request: ModelRequest<T>, options: RunOptions): Promise<ObjectResult<T>> {
  const run: Run<T> = runRequests([request], { ...options, concurrency: 1, total: 1 });
  for await (const result of run) {
    if (!result.ok) throw new GenerateObjectError(result.reason, result.id, result.key, result.detail, result.text);
    return {
      object: result.value,
      text: result.text,
      finishReason: result.finishReason,
      usage: result.usage,
      cached: result.cached,
      key: result.key,
    };
  }
  throw new GenerateObjectError("cancelled", request.id, "", "the run ended without a result");
}
