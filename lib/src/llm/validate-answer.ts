import { z } from "zod";
import type { ModelRequest, ModelResult, RawAnswer } from "./types.js";

// Requests read from files carry a plain JSON schema; build its zod validator once per schema object.
const importedSchemas = new WeakMap<object, z.ZodType>();

function validatorOf(request: ModelRequest): z.ZodType | undefined {
  if (request.schema) return request.schema;
  if (!request.jsonSchema) return undefined;
  let schema = importedSchemas.get(request.jsonSchema);
  if (!schema) {
    schema = z.fromJSONSchema(request.jsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
    importedSchemas.set(request.jsonSchema, schema);
  }
  return schema;
}

/** Issue paths and messages only: values could quote the note. */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : "";
  return shown.join("; ") + more;
}

/**
 * Turn a backend's raw answer into a result. The order matters: a cut-off answer (finish_reason
 * "length") is reported as truncated before anyone tries to parse it.
 */
export function toResult<T>(request: ModelRequest<T>, key: string, raw: RawAnswer, cached: boolean): ModelResult<T> {
  const base = { id: request.id, key, cached, usage: raw.usage };
  const text = raw.text ?? undefined;
  if (raw.finishReason === "length") {
    return {
      ...base,
      ok: false,
      reason: "truncated",
      detail: "finish_reason length: answer cut off at max_tokens",
      text,
      finishReason: raw.finishReason,
    };
  }
  if (raw.text === null || raw.text.trim() === "") {
    return {
      ...base,
      ok: false,
      reason: "no_content",
      detail: raw.problem ?? "empty message content",
      text,
      finishReason: raw.finishReason,
    };
  }
  const validator = validatorOf(request);
  if (!validator) {
    return { ...base, ok: true, text: raw.text, value: raw.text as T, finishReason: raw.finishReason };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.text);
  } catch (error) {
    return {
      ...base,
      ok: false,
      reason: "unparseable",
      detail: `not JSON: ${(error as Error).message}`,
      text: raw.text,
      finishReason: raw.finishReason,
    };
  }
  const checked = validator.safeParse(parsed);
  if (!checked.success) {
    return {
      ...base,
      ok: false,
      reason: "schema_mismatch",
      detail: describeIssues(checked.error),
      text: raw.text,
      finishReason: raw.finishReason,
    };
  }
  return { ...base, ok: true, text: raw.text, value: checked.data as T, finishReason: raw.finishReason };
}
