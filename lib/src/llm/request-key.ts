import { createHash } from "node:crypto";
import { z } from "zod";
import type { ModelRequest } from "./types.js";

/** JSON with object keys sorted and undefined dropped, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

// z.toJSONSchema is costly; a run reuses one schema object for thousands of requests.
const jsonSchemaCache = new WeakMap<object, Record<string, unknown>>();

/** The JSON schema sent to the server for a request's structured output, or undefined. */
export function requestJsonSchema(request: ModelRequest): Record<string, unknown> | undefined {
  if (request.schema) {
    let json = jsonSchemaCache.get(request.schema);
    if (!json) {
      json = z.toJSONSchema(request.schema, { target: "draft-2020-12", unrepresentable: "any" }) as Record<
        string,
        unknown
      >;
      delete json.$schema;
      jsonSchemaCache.set(request.schema, json);
    }
    return json;
  }
  return request.jsonSchema;
}

/** What the key hashes: the canonical JSON of the parts that determine the answer. */
export function keyMaterial(request: ModelRequest): string {
  const schema = requestJsonSchema(request);
  return canonicalJson({
    model: request.model,
    messages: request.prompt === undefined ? request.messages : undefined,
    prompt: request.prompt,
    sampling: request.sampling,
    schema,
    schemaName: schema ? (request.schemaName ?? "answer") : undefined,
  });
}

// The canonical text of a schema is the same for every request sharing the schema object.
const canonicalSchemaCache = new WeakMap<object, string>();

function canonicalMessage(message: { role: string; content: string }): string {
  const keys = Object.keys(message);
  if (keys.length === 2 && typeof message.content === "string" && typeof message.role === "string") {
    return `{"content":${JSON.stringify(message.content)},"role":${JSON.stringify(message.role)}}`;
  }
  return canonicalJson(message);
}

/**
 * The cache key: sha256 over what determines the answer (model, messages or prompt, sampling, schema and
 * its name). The caller's id, the URL and the API key are deliberately not part of it. Builds exactly
 * `keyMaterial(request)` (keys in sorted order), with the schema's canonical text cached per schema
 * object, since this runs once per request.
 */
export function requestKey(request: ModelRequest): string {
  const schema = requestJsonSchema(request);
  const hash = createHash("sha256");
  hash.update("{");
  if (request.prompt === undefined) {
    hash.update(`"messages":[${request.messages.map(canonicalMessage).join(",")}],`);
  }
  hash.update(`"model":${JSON.stringify(request.model)}`);
  if (request.prompt !== undefined) hash.update(`,"prompt":${JSON.stringify(request.prompt)}`);
  if (request.sampling !== undefined) hash.update(`,"sampling":${canonicalJson(request.sampling)}`);
  if (schema) {
    let text = canonicalSchemaCache.get(schema);
    if (text === undefined) {
      text = canonicalJson(schema);
      canonicalSchemaCache.set(schema, text);
    }
    hash.update(`,"schema":${text},"schemaName":${JSON.stringify(request.schemaName ?? "answer")}`);
  }
  hash.update("}");
  return hash.digest("hex");
}
