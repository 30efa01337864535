import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { z } from "zod";
import { ToolkitError } from "../core/errors.js";
import { numberedLines } from "../core/lines.js";
import { requestJsonSchema } from "./request-key.js";
import type { ModelRequest } from "./types.js";

const requestLine = z
  .object({
    id: z.string().min(1),
    model: z.string().min(1),
    messages: z
      .array(z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() }).strict())
      .default([]),
    prompt: z.string().optional(),
    sampling: z
      .object({
        temperature: z.number().min(0),
        top_p: z.number().gt(0).max(1),
        max_tokens: z.number().int().positive(),
        stop: z.array(z.string()).optional(),
        stop_token_ids: z.array(z.number().int()).optional(),
        seed: z.number().int().optional(),
      })
      .strict(),
    jsonSchema: z.record(z.string(), z.unknown()).optional(),
    schemaName: z.string().optional(),
  })
  .strict()
  .refine((r) => r.prompt !== undefined || r.messages.length > 0, {
    message: "needs messages or a prompt",
    path: ["messages"],
  });

/** Validate one request object; errors name the source, the field and the expectation. */
export function parseRequest(value: unknown, where: string): ModelRequest {
  const parsed = requestLine.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ToolkitError(`${where}: field ${issue.path.join(".") || "(line)"}: ${issue.message}`, {
      stage: "llm",
      field: issue.path.join(".") || undefined,
    });
  }
  return parsed.data;
}

/**
 * Requests from a JSONL file, one per line, streamed (a million lines use constant memory). Structured
 * output is given as `jsonSchema`. A bad line stops the stream with an error naming file, line and field.
 * Blank lines and a byte order mark are skipped.
 */
export async function* readRequestsJsonl(path: string): AsyncGenerator<ModelRequest> {
  // Requests of one file usually share a schema: reuse one object so validators and keys are built once.
  const schemas = new Map<string, Record<string, unknown>>();
  for await (const [lineNumber, line] of numberedLines(path)) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new ToolkitError(
        `${path}:${lineNumber}: not JSON (${(error as Error).message})`,
        { stage: "llm", file: path, line: lineNumber },
        { cause: error },
      );
    }
    const request = parseRequest(value, `${path}:${lineNumber}`);
    if (request.jsonSchema) {
      const text = JSON.stringify(request.jsonSchema);
      const shared = schemas.get(text);
      if (shared) request.jsonSchema = shared;
      else if (schemas.size < 100) schemas.set(text, request.jsonSchema);
    }
    yield request;
  }
}

/** The JSON form of a request (a zod schema becomes `jsonSchema`; the cache key stays the same). */
export function requestToJson(request: ModelRequest): Record<string, unknown> {
  const { schema: _schema, ...rest } = request;
  const jsonSchema = requestJsonSchema(request);
  return { ...rest, ...(jsonSchema ? { jsonSchema } : {}) };
}

/** Write requests as JSONL (streamed); returns how many were written. */
export async function writeRequestsJsonl(
  requests: Iterable<ModelRequest> | AsyncIterable<ModelRequest>,
  path: string,
): Promise<number> {
  const out = createWriteStream(path);
  let count = 0;
  for await (const request of requests) {
    if (!out.write(`${JSON.stringify(requestToJson(request))}\n`)) await once(out, "drain");
    count++;
  }
  out.end();
  await once(out, "finish");
  return count;
}
