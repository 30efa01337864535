// Overhead of the full client (cache writes, validation, retries armed, health probe) against a bare
// fetch loop at the same concurrency, both against the loopback server at zero latency, same run.
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAIBackend, ResponseCache, runRequests } from "../lib/src/llm/index.js";
import { bareLoop, benchRequests, quick, report, spawnServer } from "./llm-support.js";

const n = quick ? 10_000 : 100_000;
const concurrency = 64;
const server = await spawnServer(0);
const cacheFile = join(tmpdir(), `llm-overhead-${process.pid}.jsonl`);
try {
  // Warm up both paths (connections, JIT).
  await bareLoop(server.url, benchRequests(2000, "warm-bare"), concurrency);
  const backend = createOpenAIBackend({ baseUrl: server.url });
  // This machine is shared: alternate bare and client rounds and keep each one's best time.
  let bareMs = Number.POSITIVE_INFINITY;
  let clientMs = Number.POSITIVE_INFINITY;
  let bareAnswered = 0;
  let ok = 0;
  const cpuMicros = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return Math.round((used.user + used.system) / n);
  };
  for (let round = 0; round < 2; round++) {
    let started = performance.now();
    let cpu = process.cpuUsage();
    bareAnswered = await bareLoop(server.url, benchRequests(n, `bare${round}-`), concurrency);
    const bare = performance.now() - started;
    const bareCpu = cpuMicros(cpu);
    rmSync(cacheFile, { force: true });
    const cache = ResponseCache.open(cacheFile);
    started = performance.now();
    cpu = process.cpuUsage();
    ok = 0;
    for await (const result of runRequests(benchRequests(n, `client${round}-`), { backend, cache, concurrency }))
      if (result.ok) ok++;
    const client = performance.now() - started;
    cache.close();
    console.log(
      `round ${round + 1}: bare ${(bare / 1000).toFixed(2)} s (${bareCpu} us CPU/request), client ${(client / 1000).toFixed(2)} s (${cpuMicros(cpu)} us CPU/request)`,
    );
    bareMs = Math.min(bareMs, bare);
    clientMs = Math.min(clientMs, client);
  }

  const ratio = clientMs / bareMs;
  console.log(`${n} requests, concurrency ${concurrency}, zero latency, server in its own process`);
  console.log(
    `bare fetch loop: ${(bareMs / 1000).toFixed(2)} s (${Math.round((n / bareMs) * 1000)}/s, ${bareAnswered} answered)`,
  );
  console.log(
    `full client:     ${(clientMs / 1000).toFixed(2)} s (${Math.round((n / clientMs) * 1000)}/s, ${ok} ok, cache writes on)`,
  );
  const met = report([
    ["client time / bare loop time", ratio.toFixed(3), "<= 1.3", ratio <= 1.3],
    ["all answered and valid", `${ok}/${n}`, `${n}/${n}`, ok === n],
  ]);
  process.exitCode = met ? 0 : 1;
} finally {
  server.close();
  rmSync(cacheFile, { force: true });
}
