import { existsSync, readFileSync } from "node:fs";
import { ToolkitError } from "../core/errors.js";
import { readKeyFile } from "../secrets/key-file.js";
import { isTerminal, SlurmJobError } from "./errors.js";
import { jobRecords } from "./job-status.js";
import { tailFile } from "./log-tail.js";
import type { SubmittedJob } from "./submit.js";

/** What a ready vLLM serve job offers the LLM layer. The key stays in its file; read it when connecting. */
export interface ServerHandle {
  /** OpenAI-compatible base URL, e.g. http://node042:41234/v1 */
  baseUrl: string;
  /** The job's 0600 API key file (readApiKey reads it). */
  apiKeyFile: string;
  /** The model id the server answers to. */
  model: string;
  jobId: string;
}

interface ServerFile {
  host: string;
  port: number;
  apiKeyFile: string;
  model: string;
}

export interface WaitForServerOptions {
  /** Overall limit; 70B models from network storage can take a long time. Default 1 hour. */
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Called once with a short line when the server file appears and when /health answers. */
  onProgress?: (message: string) => void;
}

/** The server.json a serve job writes: <serveDir>/<jobId>/server.json. */
export function serverFileOf(job: Pick<SubmittedJob, "jobId" | "outputs">): string {
  const serveDir = job.outputs.serveDir;
  if (!serveDir)
    throw new ToolkitError(`job ${job.jobId} is not a serve job (no serveDir output)`, {
      stage: "slurm",
      field: "outputs.serveDir",
    });
  return `${serveDir}/${job.jobId}/server.json`;
}

function readServerFile(file: string): ServerFile | null {
  if (!existsSync(file)) return null;
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as Partial<ServerFile>;
    if (typeof value.host === "string" && Number.isInteger(value.port) && typeof value.apiKeyFile === "string") {
      return { host: value.host, port: value.port as number, apiKeyFile: value.apiKeyFile, model: value.model ?? "" };
    }
  } catch {
    // Written with a rename, so a parse error means someone else's file: fall through and keep waiting.
  }
  return null;
}

/**
 * Wait until a serve job's vLLM answers 200 on /health (not protected by the API key), then return where it
 * is. Throws SlurmJobError (state, exit code, log tail) if the job ends first, and an Error on timeout.
 */
export async function waitForServer(job: SubmittedJob, options: WaitForServerOptions = {}): Promise<ServerHandle> {
  const file = serverFileOf(job);
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  const pollMs = options.pollMs ?? 2000;
  let announced = false;
  for (;;) {
    if (options.signal?.aborted)
      throw new ToolkitError(`stopped waiting for server job ${job.jobId}: aborted`, { stage: "slurm" });
    const records = await jobRecords(job.jobId, job.profile);
    const record = records[0];
    if (record && isTerminal(record.state)) {
      throw new SlurmJobError(
        {
          jobId: job.jobId,
          name: job.name,
          state: record.state,
          exitCode: record.exitCode,
          signal: record.signal,
          reason: record.reason,
          logFile: record.logFile,
          logTail: tailFile(record.logFile),
        },
        " before its server was ready",
      );
    }
    const server = readServerFile(file);
    if (server) {
      if (!announced) {
        options.onProgress?.(`job ${job.jobId}: server starting on ${server.host}:${server.port}`);
        announced = true;
      }
      const healthy = await fetch(`http://${server.host}:${server.port}/health`, {
        signal: AbortSignal.timeout(5000),
      }).then(
        (response) => response.status === 200,
        () => false,
      );
      if (healthy) {
        options.onProgress?.(`job ${job.jobId}: server ready`);
        return {
          baseUrl: `http://${server.host}:${server.port}/v1`,
          apiKeyFile: server.apiKeyFile,
          model: server.model,
          jobId: job.jobId,
        };
      }
    }
    if (Date.now() > deadline) {
      throw new ToolkitError(
        `server job ${job.jobId} not ready after ${Math.round((options.timeoutMs ?? 3_600_000) / 1000)} s ` +
          `(state ${record?.state ?? "unknown"}; server file ${server ? "written" : "not yet written"}: ${file})`,
        { stage: "slurm", file },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Read a serve job's API key from its 0600 file, with the one key-file policy (secrets/key-file.ts): a file
 * group or others may read or write, an empty file or more than one line is refused with the file named.
 */
export function readApiKey(apiKeyFile: string): string {
  return readKeyFile(apiKeyFile);
}
