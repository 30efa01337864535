import type { Worker } from "node:worker_threads";
import type { ShardData } from "../parquet-shards.js";
import { startWorker } from "./start-worker.js";

/**
 * Worker threads that build and write parquet shards while the main thread reads and checks the next
 * rows. Each shard goes to its own path, so the output does not depend on which worker wrote it.
 */

interface Job {
  data: ShardData;
  path: string;
}

export class ShardPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private error: Error | undefined;
  private waiters: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /** Queues one shard; errors surface from ready() or close(). */
  run(data: ShardData, path: string): void {
    this.queue.push({ data, path });
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.all.length < this.size)) {
      const worker = this.idle.pop() ?? this.spawn();
      const job = this.queue.shift() as Job;
      this.inFlight++;
      // Busy workers keep the process alive; idle ones do not (a failed run need not close the pool).
      worker.ref();
      worker.once("message", (reply: { error?: string }) => {
        this.inFlight--;
        if (reply.error && !this.error) this.error = new Error(`writing ${job.path}: ${reply.error}`);
        worker.unref();
        this.idle.push(worker);
        this.pump();
        this.wake();
      });
      worker.postMessage(job);
    }
  }

  private spawn(): Worker {
    const worker = startWorker("shard-worker");
    worker.on("error", (error) => {
      this.error ??= new Error(`parquet shard worker failed: ${error.message}`);
      this.inFlight = 0;
      this.queue.length = 0;
      this.wake();
    });
    this.all.push(worker);
    return worker;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async until(done: () => boolean): Promise<void> {
    while (!done() && !this.error) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.error) throw this.error;
  }

  /** Resolves when no shard waits for a worker (the caller may build the next one). */
  ready(): Promise<void> {
    return this.until(() => this.queue.length === 0);
  }

  /** Waits for every shard, then stops the workers. */
  async close(): Promise<void> {
    try {
      await this.until(() => this.queue.length === 0 && this.inFlight === 0);
    } finally {
      await Promise.all(this.all.map((worker) => worker.terminate()));
    }
  }
}
