import { defaults } from "../config/defaults.js";
import { LlmError } from "./errors.js";

export interface RetryPolicy {
  /** Attempts in all, including the first. */
  maxAttempts: number;
  /** First backoff; doubles each attempt, with full jitter. */
  baseDelayMs: number;
  /** Cap on any wait, including a server's Retry-After. */
  maxDelayMs: number;
}

/** The llm.retry defaults (config/sections/llm.ts). */
export const defaultRetryPolicy: RetryPolicy = defaults.llm.retry;

/** Whether another attempt can help. One rule per line. */
export function isRetryable(error: unknown): boolean {
  if (!LlmError.isInstance(error)) return true; // an unexpected transport failure: treat as network
  switch (error.kind) {
    case "network": // reset, refused, truncated body: the next attempt may well succeed
    case "timeout": // a slow or hung server: try again within the budget
    case "unavailable":
      return true;
    case "http":
      return (
        error.status === 408 || // request timeout
        error.status === 409 || // conflict (lock contention on some servers)
        error.status === 429 || // rate limited: wait as asked
        (error.status !== undefined && error.status >= 500) // server error
      );
    default:
      return false; // cancelled, replay misses and config errors do not change on retry
  }
}

/** Wait before attempt `attempt + 1` (attempt counts from 1): the server's Retry-After, else backoff. */
export function retryDelayMs(error: unknown, attempt: number, policy: RetryPolicy, random = Math.random): number {
  if (LlmError.isInstance(error) && error.retryAfterMs !== undefined) {
    return Math.min(policy.maxDelayMs, Math.max(0, error.retryAfterMs));
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Parse `retry-after-ms`, then `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") !== null && Number.isFinite(ms)) return ms;
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Sleep that ends early (rejecting) when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LlmError("cancelled", "cancelled"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LlmError("cancelled", "cancelled"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
