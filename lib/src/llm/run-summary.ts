import type { FailureReason, ModelResult } from "./types.js";

/** Prices in a currency of your choice per million tokens. */
export interface Prices {
  promptPer1M: number;
  completionPer1M: number;
}

/** Where a run stands; updated as results come in, final when the stream ends. */
export interface RunSummary {
  /** Requests expected, when known (for ETA). */
  total?: number;
  /** Results produced (answered, cached or failed). */
  done: number;
  ok: number;
  /** Results served from the cache (no request sent). */
  cached: number;
  /** Requests sent to the backend (attempts, retries included). */
  sent: number;
  retries: number;
  failed: number;
  failuresByReason: Partial<Record<FailureReason, number>>;
  /** Tokens from the server's usage field, for answers received in this run (not cached ones). */
  promptTokens: number;
  completionTokens: number;
  /** Cost of this run's tokens, when prices are configured. */
  cost?: number;
  elapsedMs: number;
  /** Results per second so far. */
  ratePerSecond: number;
  /** Completion tokens per second so far. */
  tokensPerSecond: number;
  /** Estimated milliseconds left, when total is known and rate > 0. */
  etaMs?: number;
  /** Time spent paused because the server was unhealthy. */
  pausedMs: number;
  /** How the run ended (set when it ends). */
  stopped?: "completed" | "cancelled" | "error";
}

/** Mutable counters behind a RunSummary. */
export class SummaryCounter {
  private readonly started = Date.now();
  readonly state: Omit<RunSummary, "elapsedMs" | "ratePerSecond" | "tokensPerSecond" | "etaMs" | "cost">;
  constructor(
    total: number | undefined,
    private readonly prices?: Prices,
  ) {
    this.state = {
      total,
      done: 0,
      ok: 0,
      cached: 0,
      sent: 0,
      retries: 0,
      failed: 0,
      failuresByReason: {},
      promptTokens: 0,
      completionTokens: 0,
      pausedMs: 0,
    };
  }

  record(result: ModelResult<unknown>): void {
    const s = this.state;
    s.done++;
    if (result.cached) s.cached++;
    else if (result.usage) {
      s.promptTokens += result.usage.promptTokens;
      s.completionTokens += result.usage.completionTokens;
    }
    if (result.ok) s.ok++;
    else {
      s.failed++;
      s.failuresByReason[result.reason] = (s.failuresByReason[result.reason] ?? 0) + 1;
    }
  }

  snapshot(): RunSummary {
    const elapsedMs = Date.now() - this.started;
    const seconds = Math.max(elapsedMs / 1000, 1e-3);
    const ratePerSecond = this.state.done / seconds;
    const remaining = this.state.total !== undefined ? this.state.total - this.state.done : undefined;
    return {
      ...this.state,
      failuresByReason: { ...this.state.failuresByReason },
      elapsedMs,
      ratePerSecond,
      tokensPerSecond: this.state.completionTokens / seconds,
      etaMs: remaining !== undefined && ratePerSecond > 0 ? Math.max(0, (remaining / ratePerSecond) * 1000) : undefined,
      cost: this.prices
        ? (this.state.promptTokens * this.prices.promptPer1M +
            this.state.completionTokens * this.prices.completionPer1M) /
          1e6
        : undefined,
    };
  }
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** One progress line: "1,234/10,000 12% | 85.3/s | 4,210 tok/s | ETA 1m43s | cached 200 | retries 4 | failed 3 | cost 0.4210". */
export function formatProgressLine(s: RunSummary): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const parts = [
    s.total !== undefined
      ? `${n(s.done)}/${n(s.total)} ${s.total ? Math.floor((100 * s.done) / s.total) : 100}%`
      : `${n(s.done)} done`,
    `${s.ratePerSecond.toFixed(1)}/s`,
    `${Math.round(s.tokensPerSecond).toLocaleString("en-US")} tok/s`,
  ];
  if (s.etaMs !== undefined && s.done < (s.total ?? 0)) parts.push(`ETA ${duration(s.etaMs)}`);
  if (s.cached) parts.push(`cached ${n(s.cached)}`);
  if (s.retries) parts.push(`retries ${n(s.retries)}`);
  parts.push(`failed ${n(s.failed)}`);
  if (s.cost !== undefined) parts.push(`cost ${s.cost.toFixed(4)}`);
  if (s.pausedMs) parts.push(`paused ${duration(s.pausedMs)}`);
  return parts.join(" | ");
}

/** Failure counts by reason, e.g. "http_error 2, timeout 1" (empty when none failed). */
export function formatFailureReasons(s: Pick<RunSummary, "failuresByReason">): string {
  return Object.entries(s.failuresByReason)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(", ");
}

/** A multi-line end-of-run summary for logs and notebook cells. */
export function formatSummary(s: RunSummary): string {
  const reasons = formatFailureReasons(s);
  const lines = [
    `requests: ${s.done}${s.total !== undefined ? ` of ${s.total}` : ""} (${s.stopped ?? "running"}) in ${duration(s.elapsedMs)}`,
    `  ok ${s.ok}, failed ${s.failed}${reasons ? ` (${reasons})` : ""}`,
    `  from cache ${s.cached}, sent ${s.sent} (retries ${s.retries})`,
    `  tokens: prompt ${s.promptTokens}, completion ${s.completionTokens} (${s.tokensPerSecond.toFixed(1)} tok/s)`,
  ];
  if (s.cost !== undefined) lines.push(`  cost: ${s.cost.toFixed(4)}`);
  if (s.pausedMs) lines.push(`  paused for an unhealthy server: ${duration(s.pausedMs)}`);
  return lines.join("\n");
}
