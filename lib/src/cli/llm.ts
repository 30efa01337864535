import { createWriteStream } from "node:fs";
import { parseArgs } from "node:util";
import { loadExperiment } from "../config/experiment.js";
import { llmSection } from "../config/sections/llm.js";
import {
  type BatchReadReport,
  createBackend,
  FakeOpenAIServer,
  llmFromConfig,
  missingFromBatch,
  openCache,
  readBatchOutput,
  readRequestsJsonl,
  waitUntilReady,
  writeBatchFile,
  writeRequestsJsonl,
} from "../llm/index.js";
import { formatFailureReasons, type RunSummary } from "../llm/run-summary.js";
import { resolveFromRoot } from "../paths.js";
import type { CommandTable } from "./command.js";

type Spec = Record<string, { type: "string" | "boolean" }>;

function options(args: string[], spec: Spec) {
  return parseArgs({ args, options: { ...spec, help: { type: "boolean" } }, allowPositionals: false, strict: true })
    .values as Record<string, string | boolean | undefined>;
}

/** The llm section of --config (an experiment YAML), or defaults when none is given. */
function section(config: string | boolean | undefined) {
  return typeof config === "string" ? loadExperiment(config).llm : llmSection.parse({});
}

function need(values: Record<string, unknown>, names: string[], usage: string): boolean {
  const absent = names.filter((name) => typeof values[name] !== "string");
  if (absent.length === 0) return true;
  console.error(`missing ${absent.map((n) => `--${n}`).join(", ")}\nusage: ${usage}`);
  return false;
}

const usage = {
  health: "clinical-distill llm health --config configs/experiments/X.yaml [--wait-ms N]",
  run: "clinical-distill llm run --config X.yaml --requests requests.jsonl --out results.jsonl [--concurrency N]",
  batchWrite: "clinical-distill llm batch-write --requests requests.jsonl --out batch-input.jsonl",
  batchRead:
    "clinical-distill llm batch-read --config X.yaml --requests requests.jsonl --batch-output out.jsonl --out results.jsonl [--missing resubmit.jsonl]",
  cacheInfo: "clinical-distill llm cache-info --config X.yaml",
  fakeServer: "clinical-distill llm fake-server [--port N] [--latency-ms N] [--no-record]",
};

export const commands: CommandTable = {
  health: {
    summary: "check the configured LLM server (/health, /v1/models) and exit",
    usage: usage.health,
    async run(args) {
      const values = options(args, { config: { type: "string" }, "wait-ms": { type: "string" } });
      const llm = section(values.config);
      const backend = await createBackend(llm);
      const status = await waitUntilReady(backend, { waitMs: Number(values["wait-ms"] ?? 0), model: llm.model });
      console.log(status ? status.detail : `${backend.kind} backend (${backend.target}): no health check needed`);
      return 0;
    },
  },
  run: {
    summary: "answer a requests JSONL file into a results JSONL file (cached, resumable)",
    usage: usage.run,
    async run(args) {
      const values = options(args, {
        config: { type: "string" },
        requests: { type: "string" },
        out: { type: "string" },
        concurrency: { type: "string" },
      });
      if (!need(values, ["requests", "out"], usage.run)) return 2;
      const out = resolveFromRoot(values.out as string);
      const partial = `${out}.partial`;
      const client = await llmFromConfig(section(values.config));
      // First SIGINT/SIGTERM: stop cleanly (in-flight requests aborted, results and cache flushed). The
      // handlers are `once`: a second signal ends the process at once (answers stored so far are kept).
      const controller = new AbortController();
      let stoppedBy: "SIGINT" | "SIGTERM" | undefined;
      const stopOn = (signal: "SIGINT" | "SIGTERM") => () => {
        stoppedBy ??= signal;
        console.error(`llm run: ${signal} received, stopping (send it again to quit at once)`);
        controller.abort();
      };
      const onInt = stopOn("SIGINT");
      const onTerm = stopOn("SIGTERM");
      process.once("SIGINT", onInt);
      process.once("SIGTERM", onTerm);
      let summary: RunSummary;
      try {
        summary = await client.runToFile(readRequestsJsonl(resolveFromRoot(values.requests as string)), out, {
          progress: true,
          signal: controller.signal,
          ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
        });
      } catch (error) {
        console.error(`llm run: results received so far are in ${partial}; ${out} was not written`);
        throw error;
      } finally {
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
        await client.close();
      }
      const reasons = formatFailureReasons(summary);
      if (summary.stopped !== "completed") {
        console.error(
          `llm run stopped by ${stoppedBy ?? "a cancel"}: ${summary.done} results (ok ${summary.ok}, failed ` +
            `${summary.failed}${reasons ? `: ${reasons}` : ""}) written to ${partial}; ${out} was not written`,
        );
        console.error(
          `${client.cache.count} answers are kept in the cache ${client.cache.file}; run the same command again to resume ` +
            "(stored answers are not asked again)",
        );
        return stoppedBy === "SIGINT" ? 130 : 143;
      }
      if (summary.failed > 0) {
        console.error(
          `llm run: ${summary.failed} of ${summary.done} requests failed (${reasons}); every result, failures ` +
            `with their reason and detail, is in ${out}. A rerun asks failed requests again, except answers ` +
            "that failed validation (truncated, no_content, unparseable, schema_mismatch), which are cached",
        );
        return 1;
      }
      return 0;
    },
  },
  "batch-write": {
    summary: "write requests as an OpenAI Batch / vllm run-batch input file",
    usage: usage.batchWrite,
    async run(args) {
      const values = options(args, { requests: { type: "string" }, out: { type: "string" } });
      if (!need(values, ["requests", "out"], usage.batchWrite)) return 2;
      const { written } = await writeBatchFile(
        readRequestsJsonl(resolveFromRoot(values.requests as string)),
        resolveFromRoot(values.out as string),
      );
      console.log(`wrote ${written} batch lines to ${values.out}`);
      return 0;
    },
  },
  "batch-read": {
    summary: "read a batch output file into results and the cache; list what to resubmit",
    usage: usage.batchRead,
    async run(args) {
      const values = options(args, {
        config: { type: "string" },
        requests: { type: "string" },
        "batch-output": { type: "string" },
        out: { type: "string" },
        missing: { type: "string" },
      });
      if (!need(values, ["requests", "batch-output", "out"], usage.batchRead)) return 2;
      const cache = openCache(section(values.config));
      const requestsFile = resolveFromRoot(values.requests as string);
      const outputFile = resolveFromRoot(values["batch-output"] as string);
      const report: BatchReadReport = { badLines: [], missing: 0 };
      const out = createWriteStream(resolveFromRoot(values.out as string));
      let ok = 0;
      let failed = 0;
      for await (const result of readBatchOutput(outputFile, readRequestsJsonl(requestsFile), { cache, report })) {
        out.write(`${JSON.stringify(result)}\n`);
        if (result.ok) ok++;
        else failed++;
      }
      out.end();
      cache.close();
      console.log(
        `results: ${ok} ok, ${failed} failed, ${report.missing} without an output line, ${report.badLines.length} unreadable output lines`,
      );
      if (typeof values.missing === "string") {
        const count = await writeRequestsJsonl(
          missingFromBatch(outputFile, readRequestsJsonl(requestsFile)),
          resolveFromRoot(values.missing),
        );
        console.log(`wrote ${count} requests to resubmit to ${values.missing}`);
      }
      return 0;
    },
  },
  "cache-info": {
    summary: "count the answers in the configured response cache; report (and quarantine) torn lines",
    usage: usage.cacheInfo,
    async run(args) {
      const values = options(args, { config: { type: "string" } });
      const cache = openCache(section(values.config));
      const r = cache.loadReport;
      const lines = r.badLines.map((bad) => `line ${bad.line}: ${bad.reason}`);
      if (r.badLineCount > r.badLines.length) lines.push(`... ${r.badLineCount - r.badLines.length} more`);
      console.log(
        `${r.file}: ${r.records} answers, ${r.duplicates} duplicates, ${r.badLineCount} torn or unreadable lines` +
          (r.badLineCount ? ` (not counted; quarantined to ${r.quarantineFile}, their keys are asked again)` : ""),
      );
      for (const line of lines) console.log(`  ${line}`);
      const earlier = r.quarantined - (r.quarantineError ? 0 : r.badLineCount);
      if (earlier > 0) console.log(`  ${earlier} lines quarantined earlier, in ${r.quarantineFile}`);
      if (r.quarantineError) console.log(`  quarantine failed, bad lines left in place: ${r.quarantineError}`);
      cache.close();
      return 0;
    },
  },
  "fake-server": {
    summary: "start the loopback OpenAI-compatible test server (for demos and benchmarks)",
    usage: usage.fakeServer,
    async run(args) {
      const values = options(args, {
        port: { type: "string" },
        "latency-ms": { type: "string" },
        "no-record": { type: "boolean" },
      });
      const server = await FakeOpenAIServer.start({
        port: Number(values.port ?? 0),
        latencyMs: Number(values["latency-ms"] ?? 0),
        record: !values["no-record"],
      });
      console.log(`listening ${server.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        process.stdin.once("end", stop);
        process.stdin.resume();
      });
      await server.close();
      return 0;
    },
  },
};
