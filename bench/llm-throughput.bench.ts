// Throughput at 50 ms server latency and concurrency 256: the client should keep 256 requests in
// flight, i.e. reach at least 85% of the ideal 256 / 0.05 s = 5,120 requests/s, or of the bare fetch
// loop's rate if this machine cannot reach the ideal.
import { createOpenAIBackend, runRequests } from "../lib/src/llm/index.js";
import { bareLoop, benchRequests, quick, report, spawnServer } from "./llm-support.js";

const n = quick ? 5_000 : 25_600;
const concurrency = 256;
const latencyMs = 50;
const ideal = concurrency / (latencyMs / 1000);
const server = await spawnServer(latencyMs);
try {
  await bareLoop(server.url, benchRequests(1000, "warm"), concurrency);
  const backend = createOpenAIBackend({ baseUrl: server.url });
  // This machine is shared: alternate bare and client rounds and keep each one's best rate.
  let bareRate = 0;
  let clientRate = 0;
  let ok = 0;
  for (let round = 0; round < 2; round++) {
    let started = performance.now();
    await bareLoop(server.url, benchRequests(n, `bare${round}-`), concurrency);
    const bare = (n / (performance.now() - started)) * 1000;
    started = performance.now();
    ok = 0;
    for await (const result of runRequests(benchRequests(n, `client${round}-`), { backend, concurrency }))
      if (result.ok) ok++;
    const client = (n / (performance.now() - started)) * 1000;
    console.log(`round ${round + 1}: bare ${Math.round(bare)}/s, client ${Math.round(client)}/s`);
    bareRate = Math.max(bareRate, bare);
    clientRate = Math.max(clientRate, client);
  }
  const reference = Math.min(ideal, bareRate);
  console.log(`${n} requests, concurrency ${concurrency}, server latency ${latencyMs} ms (server in its own process)`);
  console.log(
    `ideal ${Math.round(ideal)}/s, bare fetch loop best ${Math.round(bareRate)}/s, client best ${Math.round(clientRate)}/s`,
  );
  const met = report([
    [
      `client rate / ${reference === ideal ? "ideal" : "bare loop"}`,
      `${((100 * clientRate) / reference).toFixed(1)}%`,
      ">= 85%",
      clientRate >= 0.85 * reference,
    ],
    ["all answered and valid", `${ok}/${n}`, `${n}/${n}`, ok === n],
  ]);
  process.exitCode = met ? 0 : 1;
} finally {
  server.close();
}
