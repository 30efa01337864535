import { defaults } from "../config/defaults.js";
import { LlmError } from "./errors.js";
import { sleep } from "./retry-policy.js";
import type { Backend, HealthStatus } from "./types.js";

export interface ReadyOptions {
  /** How long to wait for a server that is still starting (0: one probe, fail fast; default llm.health's). */
  waitMs?: number;
  /** Fail when the server does not list this model. */
  model?: string;
  probeEveryMs?: number;
  signal?: AbortSignal;
}

/**
 * Before a run: is the server up and serving the model? A server that is down fails fast (waitMs 0)
 * with its URL and the connection error; a starting server (vLLM loading weights) can be waited for.
 */
export async function waitUntilReady(backend: Backend, options: ReadyOptions = {}): Promise<HealthStatus | undefined> {
  if (!backend.health) return undefined;
  const deadline = Date.now() + (options.waitMs ?? defaults.llm.health.startupWaitMs);
  for (;;) {
    const status = await backend.health(options.signal);
    if (status.ok) {
      if (options.model && status.models && !status.models.includes(options.model)) {
        throw new LlmError(
          "config",
          `${backend.target} serves ${status.models.join(", ") || "no models"}, not the configured model "${options.model}"`,
        );
      }
      return status;
    }
    if (Date.now() >= deadline) {
      throw new LlmError("unavailable", `LLM server ${backend.target} is not ready: ${status.detail}`);
    }
    const probeEveryMs = options.probeEveryMs ?? defaults.llm.health.probeEveryMs;
    await sleep(Math.min(probeEveryMs, Math.max(1, deadline - Date.now())), options.signal);
  }
}

export interface HealthMonitorOptions {
  /** Periodic probe during a run (0: only probe after failed requests). */
  intervalMs: number;
  /** While paused, probe this often. */
  probeEveryMs: number;
  /** Give up (the run stops with an error) after this long unhealthy. */
  pauseMaxMs: number;
  note: (message: string) => void;
  signal?: AbortSignal;
}

/**
 * During a run: when the server stops answering /health, pause all requests instead of burning their
 * retries, say so once, and resume when it is back. Runs past pauseMaxMs end with a clear error.
 */
export class HealthMonitor {
  private pausedSince: number | undefined;
  private gatePromise: Promise<void> | undefined;
  private probing: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  pausedMs = 0;
  private lastSuccess = 0;

  constructor(
    private readonly backend: Backend,
    private readonly options: HealthMonitorOptions,
  ) {}

  get paused(): boolean {
    return this.pausedSince !== undefined;
  }

  start(): void {
    if (!this.backend.health || this.options.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.suspect(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Resolves at once when healthy; while paused, when the server is back (or rejects after pauseMaxMs). */
  gate(): Promise<void> {
    return this.gatePromise ?? Promise.resolve();
  }

  /** An answer arrived: the server is alive, whatever a slow /health says. */
  success(): void {
    this.lastSuccess = performance.now();
  }

  /** Probe now (one probe at a time); returns whether healthy, pausing the run if not. */
  suspect(): Promise<boolean> {
    if (!this.backend.health) return Promise.resolve(true);
    if (this.gatePromise) return Promise.resolve(false);
    const probeStarted = performance.now();
    this.probing ??= this.backend
      .health(this.options.signal)
      .then((status) => {
        // A busy server can be slow to answer /health while still answering requests: only pause when
        // no request has succeeded since the probe began.
        const alive = status.ok || this.lastSuccess >= probeStarted;
        if (!alive && !this.gatePromise) this.pause(status);
        return alive;
      })
      .finally(() => {
        this.probing = undefined;
      });
    return this.probing;
  }

  private pause(status: HealthStatus): void {
    this.pausedSince = Date.now();
    this.options.note(
      `LLM server ${this.backend.target} is not healthy (${status.detail}); run paused, probing every ${Math.round(this.options.probeEveryMs / 1000)}s`,
    );
    const gate = (async () => {
      let last = status;
      for (;;) {
        await sleep(this.options.probeEveryMs, this.options.signal);
        last = await this.backend.health!(this.options.signal);
        const waited = Date.now() - this.pausedSince!;
        if (last.ok) {
          this.pausedMs += waited;
          this.pausedSince = undefined;
          this.gatePromise = undefined;
          this.options.note(
            `LLM server ${this.backend.target} is back after ${Math.round(waited / 1000)}s; run resumed`,
          );
          return;
        }
        if (waited > this.options.pauseMaxMs) {
          throw new LlmError(
            "unavailable",
            `LLM server ${this.backend.target} unhealthy for more than ${Math.round(this.options.pauseMaxMs / 1000)}s (${last.detail}); run stopped, answers so far are in the cache`,
          );
        }
      }
    })();
    gate.catch(() => undefined);
    this.gatePromise = gate;
  }
}
