import { once } from "node:events";
import { closeSync, createWriteStream, openSync, readSync } from "node:fs";
import { ToolkitError } from "../core/errors.js";
import { hasUtf8Bom } from "../core/text-bytes.js";
import { replyProblem } from "./backends/openai-backend.js";
import { requestKey } from "./request-key.js";
import { type ResponseCache, storeReply } from "./response-cache.js";
import type { ModelRequest, ModelResult } from "./types.js";
import { toResult } from "./validate-answer.js";
import { readReply, requestBody } from "./wire-format.js";

type Requests<T> = Iterable<ModelRequest<T>> | AsyncIterable<ModelRequest<T>>;

/**
 * Write requests as an OpenAI Batch API input file (also read by `vllm run-batch`): one line per request
 * with custom_id (the request id), method POST, url, and the same body the server client sends.
 * Request ids must be unique: they are how answers find their way back.
 */
export async function writeBatchFile<T>(requests: Requests<T>, path: string): Promise<{ written: number }> {
  const out = createWriteStream(path);
  const ids = new Set<string>();
  let written = 0;
  try {
    for await (const request of requests) {
      if (ids.has(request.id))
        throw new ToolkitError(
          `${path}: request id "${request.id}" appears twice; batch custom_id values must be unique`,
          { stage: "llm", file: path, field: "custom_id" },
        );
      ids.add(request.id);
      const url = request.prompt !== undefined ? "/v1/completions" : "/v1/chat/completions";
      const line = JSON.stringify({ custom_id: request.id, method: "POST", url, body: requestBody(request) });
      if (!out.write(`${line}\n`)) await once(out, "drain");
      written++;
    }
  } finally {
    out.end();
    await once(out, "finish");
  }
  return { written };
}

/** custom_id -> byte offset of its line in a batch output file (the file itself stays on disk). */
function indexBatchOutput(path: string): { index: Map<string, number>; badLines: number[] } {
  const fd = openSync(path, "r");
  const index = new Map<string, number>();
  const badLines: number[] = [];
  try {
    let position = 0;
    let carry = Buffer.alloc(0);
    let carryOffset = 0;
    let lineNumber = 0;
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      const data =
        read > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : Buffer.concat([carry, Buffer.from("\n")]);
      // A UTF-8 byte order mark (an editor's) is not part of the first line.
      let start = position === 0 && hasUtf8Bom(data) ? 3 : 0;
      position += read;
      for (;;) {
        const end = data.indexOf(10, start);
        if (end < 0) break;
        const line = data.toString("utf8", start, end);
        const offset = carryOffset + start;
        start = end + 1;
        // Numbered as lines of the file, blank ones included, so a reported number is the editor's.
        lineNumber++;
        if (!line.trim()) continue;
        try {
          const id = (JSON.parse(line) as { custom_id?: unknown }).custom_id;
          if (typeof id === "string") index.set(id, offset);
          else badLines.push(lineNumber);
        } catch {
          badLines.push(lineNumber);
        }
      }
      carry = Buffer.from(data.subarray(start));
      carryOffset += start;
      if (read <= 0) break;
    }
  } finally {
    closeSync(fd);
  }
  return { index, badLines };
}

function readLineAt(fd: number, offset: number): string {
  let length = 8192;
  for (;;) {
    const buffer = Buffer.allocUnsafe(length);
    const read = readSync(fd, buffer, 0, length, offset);
    const end = buffer.subarray(0, read).indexOf(10);
    if (end >= 0 || read < length) return buffer.toString("utf8", 0, end >= 0 ? end : read);
    length *= 4;
  }
}

interface BatchLine {
  custom_id: string;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string; message?: string } | null;
}

export interface BatchReadReport {
  /** Output lines that are not JSON or have no custom_id (1-based line numbers). */
  badLines: number[];
  /** Requests with no line in the output (see missingFromBatch). */
  missing: number;
}

/**
 * Read a batch output file back as results, in request order, through the same validation as live
 * answers; successful answers are stored in the cache so later runs never ask again. Requests without
 * an output line are skipped and counted in `report.missing`.
 */
export async function* readBatchOutput<T>(
  path: string,
  requests: Requests<T>,
  options: { cache?: ResponseCache; report?: BatchReadReport } = {},
): AsyncGenerator<ModelResult<T>> {
  const { index, badLines } = indexBatchOutput(path);
  if (options.report) options.report.badLines = badLines;
  const fd = openSync(path, "r");
  try {
    for await (const request of requests) {
      const key = requestKey(request);
      const offset = index.get(request.id);
      if (offset === undefined) {
        if (options.report) options.report.missing++;
        continue;
      }
      const line = JSON.parse(readLineAt(fd, offset)) as BatchLine;
      const status = line.response?.status_code;
      // A 200 whose body is an error object or has no choices is a server error too (message kept).
      const problem = !line.error && status === 200 ? replyProblem(line.response?.body) : undefined;
      if (line.error || status !== 200 || problem) {
        const why = line.error
          ? `${line.error.code ?? "error"}: ${line.error.message ?? ""}`
          : problem
            ? `HTTP 200 but ${problem}`
            : `HTTP ${status ?? "(no response)"}`;
        yield {
          ok: false,
          id: request.id,
          key,
          reason: "http_error",
          detail: `batch output ${path}: ${why}`,
          cached: false,
        };
        continue;
      }
      const raw = readReply(line.response?.body, request.prompt !== undefined);
      storeReply(options.cache, request, key, raw);
      yield toResult(request, key, raw, false);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Requests with no successful answer in a batch output (no line, an error, a non-200, a 200 whose body is
 * an error or has no choices): resubmit these.
 */
export async function* missingFromBatch<T>(path: string, requests: Requests<T>): AsyncGenerator<ModelRequest<T>> {
  const { index } = indexBatchOutput(path);
  const fd = openSync(path, "r");
  try {
    for await (const request of requests) {
      const offset = index.get(request.id);
      if (offset === undefined) {
        yield request;
        continue;
      }
      const line = JSON.parse(readLineAt(fd, offset)) as BatchLine;
      if (line.error || line.response?.status_code !== 200 || replyProblem(line.response?.body)) yield request;
    }
  } finally {
    closeSync(fd);
  }
}
