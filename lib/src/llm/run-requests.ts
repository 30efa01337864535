import { closeSync, fsyncSync, mkdirSync, openSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { defaults } from "../config/defaults.js";
import { FileWriteError, writeAllSync } from "../core/checked-write.js";
import { failureReasonOf, LlmError, redactSecrets } from "./errors.js";
import { HealthMonitor, waitUntilReady } from "./health.js";
import { RunInterrupted, registerRun, type StopCause } from "./interrupt.js";
import { createProgress, type ProgressOptions, type ProgressReporter } from "./progress.js";
import { RateLimiter } from "./rate-limiter.js";
import { requestKey } from "./request-key.js";
import { type ResponseCache, storeReply } from "./response-cache.js";
import { defaultRetryPolicy, isRetryable, type RetryPolicy, retryDelayMs, sleep } from "./retry-policy.js";
import { type Prices, type RunSummary, SummaryCounter } from "./run-summary.js";
import type { Backend, FailureReason, ModelRequest, ModelResult, RawAnswer } from "./types.js";
import { toResult } from "./validate-answer.js";

/** Health settings; each one left out is the llm.health default (config/sections/llm.ts). */
export interface HealthOptions {
  /** Wait this long for a server that is not ready when the first request needs it (0: fail fast). */
  startupWaitMs?: number;
  /** Probe /health this often during a run (0: only after failed requests). */
  intervalMs?: number;
  /** While the server is down, probe this often. */
  probeEveryMs?: number;
  /** Stop the run with an error after the server has been down this long. */
  pauseMaxMs?: number;
}

export interface RunOptions {
  backend: Backend;
  /** Answers already stored are served from here; new ones are appended before they are yielded. */
  cache?: ResponseCache;
  /** Requests in flight at once (default llm.concurrency's, 64). */
  concurrency?: number;
  /** Requests per minute limit. */
  rpm?: number;
  /** Tokens per minute limit (prompt estimate + max_tokens, corrected with usage). */
  tpm?: number;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout (default llm.timeoutMs's, 120 s; 0 for none). */
  timeoutMs?: number;
  /**
   * Stops the run: nothing new is sent, answers received so far are kept (and cached); the stream then
   * ends normally with summary().stopped "cancelled". (A kernel interrupt or the CLI's Ctrl-C stops every
   * run the same way but ends the stream with a RunInterrupted error: see interrupt.ts.)
   */
  signal?: AbortSignal;
  /** Number of requests, when known, for progress and ETA. */
  total?: number;
  prices?: Prices;
  /** A reporter, options for one, or false (default) for none. */
  progress?: ProgressReporter | ProgressOptions | boolean;
  /** Called with the summary as results come in (at most ten times a second) and at the end. */
  onProgress?: (summary: RunSummary) => void;
  /** Health checks before and during the run (servers only); false turns them off. */
  health?: HealthOptions | false;
}

/** A running stream of results, in completion order, with its summary. */
export interface Run<T> extends AsyncIterable<ModelResult<T>> {
  summary(): RunSummary;
}

type RequestSource<T> = Iterable<ModelRequest<T>> | AsyncIterable<ModelRequest<T>>;

function isReporter(value: unknown): value is ProgressReporter {
  return typeof value === "object" && value !== null && typeof (value as ProgressReporter).update === "function";
}

function estimateTokens(request: ModelRequest): number {
  let chars = request.prompt?.length ?? 0;
  for (const message of request.messages) chars += message.content.length;
  return Math.ceil(chars / 4) + request.sampling.max_tokens;
}

/**
 * Answer a stream of requests: cache first, then the backend with a bounded window of requests in
 * flight, rate limits, retries (backoff with jitter, Retry-After honoured), per-attempt timeouts and
 * health pauses. Results come out as they complete; memory does not grow with the number of requests.
 * Every failure is a result with its reason; only a dead server (past pauseMaxMs), an unreadable request
 * source, a wrong model or a cache that cannot be written (a full disk: the answer is then not counted
 * as stored, nor yielded) end the run with an error.
 */
export function runRequests<T = unknown>(requests: RequestSource<T>, options: RunOptions): Run<T> {
  // Options left out take the llm section's defaults: a direct call runs like an empty `llm:` section.
  const concurrency = Math.max(1, options.concurrency ?? defaults.llm.concurrency);
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const timeoutMs = options.timeoutMs ?? defaults.llm.timeoutMs;
  const counter = new SummaryCounter(options.total, options.prices);
  const reporter: ProgressReporter | undefined = isReporter(options.progress)
    ? options.progress
    : options.progress
      ? createProgress(options.progress === true ? {} : options.progress)
      : undefined;
  const controller = new AbortController();
  const runSignal = controller.signal;
  // Attempts in flight; a run abort aborts them all (one listener, not one per attempt: adding listeners
  // to a shared signal gets slow with hundreds in flight).
  const attempts = new Set<AbortController>();
  runSignal.addEventListener("abort", () => {
    for (const attempt of attempts) attempt.abort();
  });
  const onOuterAbort = () => controller.abort();
  const limiter = new RateLimiter(options.rpm, options.tpm);
  const { backend, cache } = options;
  const healthOptions = options.health === false ? undefined : (options.health ?? {});
  const note = (message: string) => (reporter ? reporter.note(message) : console.warn(message));
  const monitor =
    healthOptions && backend.health
      ? new HealthMonitor(backend, {
          intervalMs: healthOptions.intervalMs ?? defaults.llm.health.intervalMs,
          probeEveryMs: healthOptions.probeEveryMs ?? defaults.llm.health.probeEveryMs,
          pauseMaxMs: healthOptions.pauseMaxMs ?? defaults.llm.health.pauseMaxMs,
          note,
          signal: runSignal,
        })
      : undefined;
  let ready: Promise<string[] | undefined> | undefined;
  const checkedModels = new Set<string>();
  const inflight = new Map<string, Promise<ModelResult<T>>>();

  const summary = (): RunSummary => ({ ...counter.snapshot(), pausedMs: monitor?.pausedMs ?? 0 });

  async function ensureReady(model: string): Promise<void> {
    if (!healthOptions || !backend.health) return;
    ready ??= waitUntilReady(backend, { waitMs: healthOptions.startupWaitMs, signal: runSignal }).then((status) => {
      monitor?.start();
      return status?.models;
    });
    const models = await ready;
    if (models && !models.includes(model)) {
      throw new LlmError(
        "config",
        `${backend.target} serves ${models.join(", ") || "no models"}, not the requested model "${model}"`,
      );
    }
    checkedModels.add(model);
  }

  function failure(request: ModelRequest<T>, key: string, reason: FailureReason, detail: string): ModelResult<T> {
    return { ok: false, id: request.id, key, reason, detail: redactSecrets(detail), cached: false };
  }

  async function ask(request: ModelRequest<T>, key: string): Promise<ModelResult<T>> {
    // Awaits only when there is something to wait for: at zero latency each extra hop shows.
    if (!checkedModels.has(request.model) && healthOptions && backend.health) await ensureReady(request.model);
    const estimate = estimateTokens(request);
    let attempt = 0;
    let freeRetries = 0; // attempts lost to a server that turned out to be down do not count, up to a point
    for (;;) {
      if (runSignal.aborted) return failure(request, key, "cancelled", "run stopped before an answer came");
      try {
        if (monitor?.paused) await monitor.gate();
        if (limiter.active) await limiter.acquire(estimate, runSignal);
      } catch (error) {
        if (runSignal.aborted) return failure(request, key, "cancelled", "run stopped before an answer came");
        throw error;
      }
      attempt++;
      counter.state.sent++;
      // One controller per attempt, aborted by the run or by its own timer (cheaper than AbortSignal.any + timeout).
      const attempt$ = new AbortController();
      const attemptSignal = attempt$.signal;
      attempts.add(attempt$);
      const timer = timeoutMs > 0 ? setTimeout(() => attempt$.abort(), timeoutMs) : undefined;
      let raw: RawAnswer;
      try {
        raw = await backend.complete(request, { key, signal: attemptSignal });
      } catch (caught) {
        if (runSignal.aborted) return failure(request, key, "cancelled", "run stopped while waiting for the answer");
        let error = LlmError.isInstance(caught)
          ? caught
          : new LlmError("network", String((caught as Error)?.message ?? caught));
        if (error.kind === "cancelled" && attemptSignal.aborted) {
          error = new LlmError("timeout", `${backend.target}: no complete reply within ${timeoutMs} ms`);
        }
        if (error.kind === "config") throw error;
        if (!isRetryable(error)) return failure(request, key, failureReasonOf(error), error.message);
        const serverTrouble = error.kind === "network" || error.kind === "timeout" || (error.status ?? 0) >= 500;
        if (monitor && serverTrouble && freeRetries < 20 && !(await monitor.suspect())) {
          attempt--;
          freeRetries++;
          counter.state.retries++;
          continue; // the gate holds this request until the server is back
        }
        if (attempt >= policy.maxAttempts) {
          return failure(request, key, failureReasonOf(error), `${error.message} (after ${attempt} attempts)`);
        }
        counter.state.retries++;
        try {
          await sleep(retryDelayMs(error, attempt, policy), runSignal);
        } catch {
          return failure(request, key, "cancelled", "run stopped while waiting to retry");
        }
        continue;
      } finally {
        clearTimeout(timer);
        attempts.delete(attempt$);
      }
      monitor?.success();
      if (raw.usage) limiter.settle(estimate, raw.usage.promptTokens + raw.usage.completionTokens);
      storeReply(cache, request, key, raw);
      return toResult(request, key, raw, false);
    }
  }

  async function answer(request: ModelRequest<T>): Promise<ModelResult<T>> {
    const key = requestKey(request);
    const stored = cache?.get(key);
    if (stored) return toResult(request, key, stored, true);
    const pending = inflight.get(key);
    if (pending) {
      // The same question twice in one run is asked once.
      const first = await pending;
      return { ...first, id: request.id, cached: first.ok || first.text !== undefined };
    }
    const asking = ask(request, key);
    inflight.set(key, asking);
    try {
      return await asking;
    } finally {
      inflight.delete(key);
    }
  }

  async function* stream(): AsyncGenerator<ModelResult<T>> {
    const registration = registerRun();
    registration.signal.addEventListener("abort", onOuterAbort, { once: true });
    options.signal?.addEventListener("abort", onOuterAbort, { once: true });
    if (options.signal?.aborted) controller.abort();
    let interruptedBy: StopCause | undefined;
    const iterator =
      Symbol.asyncIterator in Object(requests)
        ? (requests as AsyncIterable<ModelRequest<T>>)[Symbol.asyncIterator]()
        : (requests as Iterable<ModelRequest<T>>)[Symbol.iterator]();
    const window = new Set<Promise<void>>();
    const done: ModelResult<T>[] = [];
    let wake: (() => void) | undefined;
    let exhausted = false;
    let fatal: unknown;
    let lastUpdate = 0;
    const signalWake = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    try {
      for (;;) {
        while (
          !exhausted &&
          fatal === undefined &&
          !runSignal.aborted &&
          window.size < concurrency &&
          done.length < concurrency
        ) {
          let next: IteratorResult<ModelRequest<T>>;
          try {
            next = await iterator.next();
          } catch (error) {
            fatal = error;
            break;
          }
          if (next.done) {
            exhausted = true;
            break;
          }
          const task: Promise<void> = answer(next.value).then(
            (result) => {
              counter.record(result);
              done.push(result);
              window.delete(task);
              signalWake();
            },
            (error) => {
              fatal ??= error;
              window.delete(task);
              controller.abort();
              signalWake();
            },
          );
          window.add(task);
        }
        if (fatal !== undefined) {
          controller.abort();
          await Promise.allSettled([...window]);
          throw fatal;
        }
        if (done.length > 0) {
          const result = done.shift()!;
          const now = Date.now();
          if (now - lastUpdate >= 100) {
            lastUpdate = now;
            const snapshot = summary();
            reporter?.update(snapshot);
            options.onProgress?.(snapshot);
          }
          yield result;
          continue;
        }
        if (window.size === 0 && (exhausted || runSignal.aborted)) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      // The caller's own signal wins: it asked for a quiet stop and handles the cancelled summary itself.
      interruptedBy = options.signal?.aborted ? undefined : registration.stoppedBy();
      counter.state.stopped = options.signal?.aborted || interruptedBy ? "cancelled" : "completed";
    } catch (error) {
      counter.state.stopped = "error";
      throw error;
    } finally {
      // A consumer that breaks out of the loop ends the run: abort what is in flight.
      if (!counter.state.stopped) counter.state.stopped = "cancelled";
      controller.abort();
      monitor?.stop();
      options.signal?.removeEventListener("abort", onOuterAbort);
      registration.signal.removeEventListener("abort", onOuterAbort);
      registration.done();
      cache?.sync();
      const final = summary();
      reporter?.finish(final);
      options.onProgress?.(final);
      if (!exhausted) await (iterator as AsyncIterator<unknown>).return?.();
    }
    if (interruptedBy) {
      const s = counter.state;
      throw new RunInterrupted({
        cause: interruptedBy,
        done: s.done,
        ok: s.ok,
        total: s.total,
        cacheFile: cache?.file,
      });
    }
  }

  const generator = stream();
  return {
    [Symbol.asyncIterator]: () => generator,
    summary,
  };
}

/**
 * Run and write every result as one JSON line to `path.partial`, renamed to `path` only when the run
 * completed, so a file under the final name is always one whole run. A stopped run (its signal fired)
 * or one that ended with an error leaves `path.partial` with every result received so far (and the
 * cache with every answer); re-running re-asks nothing stored. Writes are checked: a failure (a full
 * disk) is an error naming the file.
 */
export async function runToFile<T = unknown>(
  requests: RequestSource<T>,
  path: string,
  options: RunOptions,
): Promise<RunSummary> {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const fd = openSync(partial, "w");
  let buffered: string[] = [];
  let bufferedChars = 0;
  const flush = () => {
    if (!buffered.length) return;
    const data = Buffer.from(buffered.join(""));
    buffered = [];
    bufferedChars = 0;
    writeAllSync(fd, data, partial, "the results file");
  };
  const run = runRequests(requests, options);
  let failure: unknown;
  try {
    for await (const result of run) {
      const line = `${JSON.stringify(result)}\n`;
      buffered.push(line);
      bufferedChars += line.length;
      if (bufferedChars > 1 << 16) flush();
    }
  } catch (error) {
    failure = error instanceof RunInterrupted ? error.withPartialFile(partial) : error;
  }
  // Whatever ended the run, what was received is written out (a write error here wins only if alone).
  try {
    flush();
    if (failure === undefined && run.summary().stopped === "completed") {
      try {
        fsyncSync(fd);
      } catch (error) {
        throw new FileWriteError(partial, "(fsync) the results file", error, 0);
      }
    }
  } catch (error) {
    failure ??= error;
  } finally {
    closeSync(fd);
  }
  if (failure !== undefined) throw failure;
  const summary = run.summary();
  if (summary.stopped === "completed") renameSync(partial, path);
  return summary;
}
