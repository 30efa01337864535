import { sleep } from "./retry-policy.js";

/**
 * Requests-per-minute and tokens-per-minute limits as token buckets holding one second's worth, so a run
 * starts promptly but never bursts a whole minute's quota at once. Token use is estimated up front
 * (prompt characters / 4 + max_tokens) and corrected with the server's usage once the answer is in.
 */
export class RateLimiter {
  private requests: number;
  private tokens: number;
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();
  constructor(
    private readonly rpm?: number,
    private readonly tpm?: number,
  ) {
    this.requests = rpm ? this.requestCapacity() : 0;
    this.tokens = tpm ? this.tokenCapacity() : 0;
  }

  private requestCapacity(): number {
    return Math.max(1, (this.rpm ?? 0) / 60);
  }

  private tokenCapacity(): number {
    return Math.max(1, (this.tpm ?? 0) / 60);
  }

  get active(): boolean {
    return Boolean(this.rpm || this.tpm);
  }

  private refill(): void {
    const now = Date.now();
    const elapsed = now - this.last;
    this.last = now;
    if (this.rpm) this.requests = Math.min(this.requestCapacity(), this.requests + (elapsed * this.rpm) / 60_000);
    if (this.tpm) this.tokens = Math.min(this.tokenCapacity(), this.tokens + (elapsed * this.tpm) / 60_000);
  }

  /** Wait for room for one request of about `estimatedTokens` tokens (callers are served in order). */
  acquire(estimatedTokens: number, signal?: AbortSignal): Promise<void> {
    if (!this.active) return Promise.resolve();
    const turn = this.chain.then(async () => {
      for (;;) {
        this.refill();
        const requestOk = !this.rpm || this.requests >= 1;
        // A request bigger than the bucket goes once the bucket is full, rather than never.
        const tokensOk = !this.tpm || this.tokens >= Math.min(estimatedTokens, this.tokenCapacity());
        if (requestOk && tokensOk) {
          if (this.rpm) this.requests -= 1;
          if (this.tpm) this.tokens -= estimatedTokens;
          return;
        }
        const needRequests = this.rpm && !requestOk ? ((1 - this.requests) * 60_000) / this.rpm : 0;
        const needTokens =
          this.tpm && !tokensOk
            ? ((Math.min(estimatedTokens, this.tokenCapacity()) - this.tokens) * 60_000) / this.tpm
            : 0;
        await sleep(Math.max(5, Math.ceil(Math.max(needRequests, needTokens))), signal);
      }
    });
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  /** Correct the token estimate with what the server reported. */
  settle(estimatedTokens: number, actualTokens: number): void {
    if (this.tpm) this.tokens += estimatedTokens - actualTokens;
  }
}
