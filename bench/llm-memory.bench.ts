// Memory: a million requests streamed from a JSONL file through the runner, with the response cache and
// a results file, must stay under 300 MB peak RSS. The backend is an in-process echo (no HTTP): a
// million loopback requests would take far longer than a benchmark should, and what grows with the
// number of requests is the runner, the cache index and the files, which are all exercised here.

import { once } from "node:events";
import { createWriteStream, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Backend, ResponseCache, readRequestsJsonl, runToFile } from "../lib/src/llm/index.js";
import { requestToJson } from "../lib/src/llm/request-files.js";
import { benchRequests, quick, report } from "./llm-support.js";

const n = quick ? 100_000 : 1_000_000;
const dir = join(tmpdir(), `llm-memory-${process.pid}`);
const requestsFile = join(dir, "requests.jsonl");
const resultsFile = join(dir, "results.jsonl");
const cacheFile = join(dir, "cache", "responses.jsonl");

const echo: Backend = {
  kind: "custom",
  target: "in-process echo",
  async complete() {
    return {
      text: '{"answer":true,"evidence":"seen in note"}',
      finishReason: "stop",
      usage: { promptTokens: 40, completionTokens: 10 },
    };
  },
};

try {
  rmSync(dir, { recursive: true, force: true });
  const { mkdirSync } = await import("node:fs");
  mkdirSync(dir, { recursive: true });
  const out = createWriteStream(requestsFile);
  for (const request of benchRequests(n, "m")) {
    if (!out.write(`${JSON.stringify(requestToJson(request))}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  const rssAfterWrite = process.resourceUsage().maxRSS / 1024;

  const cache = ResponseCache.open(cacheFile, { fsync: "never" });
  const started = performance.now();
  let sampledPeak = 0;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss / 2 ** 20);
  }, 200);
  const summary = await runToFile(readRequestsJsonl(requestsFile), resultsFile, {
    backend: echo,
    cache,
    concurrency: 64,
    total: n,
  });
  clearInterval(sampler);
  cache.close();
  const seconds = (performance.now() - started) / 1000;
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${n.toLocaleString("en-US")} requests from ${(statSync(requestsFile).size / 2 ** 20).toFixed(0)} MB of JSONL in ${seconds.toFixed(1)} s (${Math.round(n / seconds)}/s)`,
  );
  console.log(
    `results file ${(statSync(resultsFile).size / 2 ** 20).toFixed(0)} MB, cache ${(statSync(cacheFile).size / 2 ** 20).toFixed(0)} MB with ${n.toLocaleString("en-US")} keys indexed`,
  );
  console.log(
    `RSS after writing the request file ${rssAfterWrite.toFixed(0)} MB; sampled peak during the run ${sampledPeak.toFixed(0)} MB`,
  );
  const met = report([
    ["peak RSS (whole process)", `${peak.toFixed(0)} MB`, "< 300 MB", peak < 300],
    ["every request answered", `${summary.ok.toLocaleString("en-US")}`, n.toLocaleString("en-US"), summary.ok === n],
  ]);
  process.exitCode = met ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
