import type { z } from "zod";

/**
 * The contract between the LLM layer and its users (synth, eval, ner). Other parts of the library
 * build `ModelRequest`s and consume `ModelResult`s; how they are answered (server, local GGUF,
 * replay, batch file) is the layer's business.
 */

export type Role = "system" | "user" | "assistant";
export interface ChatMessage {
  role: Role;
  content: string;
}

export interface Sampling {
  temperature: number;
  top_p: number;
  max_tokens: number;
  stop?: string[];
  /** Stop token ids (vLLM extension), e.g. the Llama-3.1 ones for evaluation. */
  stop_token_ids?: number[];
  seed?: number;
}

export interface ModelRequest<T = unknown> {
  /** Caller's stable id for the item (note id + question index, ...). Not part of the cache key. */
  id: string;
  model: string;
  messages: ChatMessage[];
  sampling: Sampling;
  /** Structured output: sent as response_format json_schema and validated client-side. */
  schema?: z.ZodType<T>;
  /** Name of the schema in response_format (defaults to "answer"). */
  schemaName?: string;
  /**
   * Structured output given as a plain JSON schema (requests read from JSONL files cannot carry a zod
   * schema). Used when `schema` is absent; validated client-side through zod's JSON-schema import.
   */
  jsonSchema?: Record<string, unknown>;
  /**
   * A raw prompt for the completions endpoint (/v1/completions), e.g. text already rendered with the
   * Llama-3.1 chat template. When set, `messages` is ignored (use []).
   */
  prompt?: string;
}

/** Why a request produced no valid value. The same codes fill rejects files. */
export type FailureReason =
  | "truncated" // finish_reason "length": the answer was cut off
  | "no_content" // empty choices or empty message
  | "unparseable" // structured output that is not JSON
  | "schema_mismatch" // JSON that does not satisfy the schema
  | "http_error" // non-retryable status, or retries exhausted
  | "timeout"
  | "cancelled"
  | "replay_miss"; // replay backend has no answer for this request

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export type ModelResult<T = unknown> =
  | {
      ok: true;
      id: string;
      /** Content hash of what determines the answer (model, messages, sampling, schema). */
      key: string;
      text: string;
      value: T;
      finishReason: string;
      usage?: Usage;
      cached: boolean;
    }
  | {
      ok: false;
      id: string;
      key: string;
      reason: FailureReason;
      /** Human-readable detail; never contains the prompt, the note or a key. */
      detail: string;
      /** Raw model text when there was one. */
      text?: string;
      finishReason?: string;
      usage?: Usage;
      cached: boolean;
    };

/** What a backend returns for one request before validation: the model's text and how it stopped. */
export interface RawAnswer {
  /** The message content; null when the server sent no choice or a non-string content. */
  text: string | null;
  /** finish_reason as the server sent it ("stop", "length", ...); "none" when there was no choice. */
  finishReason: string;
  usage?: Usage;
  /** Why `text` is null, for the failure detail (e.g. "empty choices", "content has type number"). */
  problem?: string;
}

/** Per-call context the runner hands a backend. */
export interface CallContext {
  /** The request's content hash (the cache key). */
  key: string;
  signal: AbortSignal;
}

export interface HealthStatus {
  ok: boolean;
  /** What was probed and what came back, e.g. "GET http://127.0.0.1:8000/health: 503". */
  detail: string;
  /** Model ids the server lists, when it could be asked. */
  models?: string[];
}

/** One way of answering requests: an OpenAI-compatible server, a local GGUF model, or recorded answers. */
export interface Backend {
  readonly kind: "openai" | "local" | "replay" | "custom";
  /** Where requests go, for messages (a URL, a file path); never contains a key. */
  readonly target: string;
  /** Answer one request. Throws an LlmError (or any error) on transport problems. */
  complete(request: ModelRequest, context: CallContext): Promise<RawAnswer>;
  /** Probe readiness (servers only). */
  health?(signal?: AbortSignal): Promise<HealthStatus>;
  /** Release resources (models, sockets). */
  close?(): Promise<void>;
}
