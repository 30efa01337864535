import { hasMarker, ToolkitError } from "../core/errors.js";
import type { FailureReason } from "./types.js";

const marker = Symbol.for("clinical-distill.LlmError");

/** What went wrong on the way to an answer; decides whether a retry can help. */
export type LlmErrorKind =
  | "http" // the server answered with a non-2xx status
  | "network" // connection refused/reset, truncated body, unreadable reply
  | "timeout" // no complete reply within timeoutMs
  | "cancelled" // the caller's AbortSignal fired
  | "replay_miss" // replay backend has no recorded answer
  | "unavailable" // the server is down or unhealthy (health checks)
  | "config"; // the backend cannot be built as configured

/**
 * The one error type of the LLM layer. Recognised by a Symbol marker rather than `instanceof`, because a
 * notebook can load two copies of the library (built package and source). Messages name the URL and the
 * request id/key, never prompt text and never a key (see `redactSecrets`).
 */
export class LlmError extends ToolkitError {
  readonly [marker] = true;
  readonly kind: LlmErrorKind;
  readonly status?: number;
  /** Server-requested wait (Retry-After / retry-after-ms), in milliseconds. */
  readonly retryAfterMs?: number;
  /** `extra.file`/`extra.field`: the file or config field at fault, where there is one (kind "config"). */
  constructor(
    kind: LlmErrorKind,
    message: string,
    extra: { status?: number; retryAfterMs?: number; file?: string; field?: string } = {},
  ) {
    super(redactSecrets(message), { stage: "llm", file: extra.file, field: extra.field });
    this.name = "LlmError";
    this.kind = kind;
    this.status = extra.status;
    this.retryAfterMs = extra.retryAfterMs;
  }
  static isInstance(value: unknown): value is LlmError {
    return hasMarker(value, marker);
  }
}

/** The failure reason a transport error ends as, once retries are spent. */
export function failureReasonOf(error: LlmError): FailureReason {
  switch (error.kind) {
    case "timeout":
      return "timeout";
    case "cancelled":
      return "cancelled";
    case "replay_miss":
      return "replay_miss";
    default:
      return "http_error";
  }
}

// Secrets registered by the backends that hold them; every error message and failure detail passes here.
const secrets = new Set<string>();

/** Register a secret (an API key) so that it is masked wherever the layer writes text. */
export function registerSecret(secret: string): void {
  if (secret.length >= 4) secrets.add(secret);
}

/** Mask registered secrets and anything shaped like a bearer token. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join("***");
  return out.replace(/(Bearer\s+)[^\s"',;]+/gi, "$1***");
}
