import { createWriteStream } from "node:fs";
import { loadExperiment } from "../config/experiment.js";
import {
  type BatchReadReport,
  createBackend,
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
import { FakeOpenAIServer } from "../testing/fake-openai-server.js";
import { type CommandTable, defineCommand, EXIT } from "./command.js";

/** Same stop contract as `llm run`: the first signal asks to stop, the exit code names it. */
const RUN_NOTES = [
  "On Ctrl-C (SIGINT) or SIGTERM the run stops cleanly: finished results go to OUT.partial and the cache;",
  "the same command resumes. Exit 1 when some requests failed (each failure is in OUT with its reason).",
];

export const commands: CommandTable = {
  health: defineCommand("llm health", {
    summary: "check the configured LLM server (/health, /v1/models) and exit",
    experiment: true,
    options: {
      "wait-ms": {
        type: "integer",
        value: "MS",
        default: 0,
        description: "keep retrying this long while the server starts",
      },
    },
    async run({ values, config }) {
      const llm = loadExperiment(config).llm;
      const backend = await createBackend(llm);
      const status = await waitUntilReady(backend, { waitMs: values["wait-ms"], model: llm.model });
      console.log(status ? status.detail : `${backend.kind} backend (${backend.target}): no health check needed`);
      return EXIT.ok;
    },
  }),
  run: defineCommand("llm run", {
    summary: "answer a requests JSONL file into a results JSONL file (cached, resumable)",
    experiment: true,
    options: {
      requests: { type: "string", value: "FILE", required: true, path: true, description: "requests JSONL" },
      out: { type: "string", value: "FILE", required: true, path: true, description: "results JSONL to write" },
      concurrency: { type: "integer", description: "requests in flight (default: the config's llm.concurrency)" },
    },
    notes: RUN_NOTES,
    async run({ values, config }) {
      const out = values.out;
      const partial = `${out}.partial`;
      const client = await llmFromConfig(loadExperiment(config).llm);
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
        summary = await client.runToFile(readRequestsJsonl(values.requests), out, {
          progress: true,
          signal: controller.signal,
          ...(values.concurrency !== undefined ? { concurrency: values.concurrency } : {}),
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
        return stoppedBy === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
      }
      if (summary.failed > 0) {
        console.error(
          `llm run: ${summary.failed} of ${summary.done} requests failed (${reasons}); every result, failures ` +
            `with their reason and detail, is in ${out}. A rerun asks failed requests again, except answers ` +
            "that failed validation (truncated, no_content, unparseable, schema_mismatch), which are cached",
        );
        return EXIT.failed;
      }
      return EXIT.ok;
    },
  }),
  "batch-write": defineCommand("llm batch-write", {
    summary: "write requests as an OpenAI Batch / vllm run-batch input file",
    options: {
      requests: { type: "string", value: "FILE", required: true, path: true, description: "requests JSONL" },
      out: { type: "string", value: "FILE", required: true, path: true, description: "batch input JSONL to write" },
    },
    async run({ values }) {
      const { written } = await writeBatchFile(readRequestsJsonl(values.requests), values.out);
      console.log(`wrote ${written} batch lines to ${values.out}`);
      return EXIT.ok;
    },
  }),
  "batch-read": defineCommand("llm batch-read", {
    summary: "read a batch output file into results and the cache; list what to resubmit",
    experiment: true,
    options: {
      requests: {
        type: "string",
        value: "FILE",
        required: true,
        path: true,
        description: "the requests JSONL that was submitted",
      },
      "batch-output": {
        type: "string",
        value: "FILE",
        required: true,
        path: true,
        description: "the batch output JSONL",
      },
      out: { type: "string", value: "FILE", required: true, path: true, description: "results JSONL to write" },
      missing: {
        type: "string",
        value: "FILE",
        path: true,
        description: "write the requests without an answer here, to resubmit",
      },
    },
    async run({ values, config }) {
      const cache = openCache(loadExperiment(config).llm);
      const requestsFile = values.requests;
      const outputFile = values["batch-output"];
      const report: BatchReadReport = { badLines: [], missing: 0 };
      const out = createWriteStream(values.out);
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
          values.missing,
        );
        console.log(`wrote ${count} requests to resubmit to ${values.missing}`);
      }
      return EXIT.ok;
    },
  }),
  "cache-info": defineCommand("llm cache-info", {
    summary: "count the answers in the configured response cache; report (and quarantine) torn lines",
    experiment: true,
    async run({ config }) {
      const cache = openCache(loadExperiment(config).llm);
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
      return EXIT.ok;
    },
  }),
  "fake-server": defineCommand("llm fake-server", {
    summary: "start the loopback OpenAI-compatible test server (for demos and benchmarks)",
    options: {
      port: { type: "integer", default: 0, description: "port on 127.0.0.1 (0: any free port)" },
      "latency-ms": { type: "integer", value: "MS", default: 0, description: "delay before each answer" },
      "no-record": { type: "boolean", description: "do not keep the requests it was asked" },
    },
    notes: ["Runs until Ctrl-C, SIGTERM or the end of stdin, then exits 0."],
    async run({ values }) {
      const server = await FakeOpenAIServer.start({
        port: values.port,
        latencyMs: values["latency-ms"],
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
      return EXIT.ok;
    },
  }),
};
