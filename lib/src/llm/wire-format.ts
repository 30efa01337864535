import { requestJsonSchema } from "./request-key.js";
import type { ModelRequest, RawAnswer } from "./types.js";

/**
 * The request body as sent to /v1/chat/completions (or /v1/completions when `prompt` is set), also used
 * in batch files. Sampling is always explicit (vLLM otherwise applies the model's generation_config).
 */
export function requestBody(request: ModelRequest): Record<string, unknown> {
  const s = request.sampling;
  const schema = requestJsonSchema(request);
  return {
    model: request.model,
    ...(request.prompt !== undefined ? { prompt: request.prompt } : { messages: request.messages }),
    temperature: s.temperature,
    top_p: s.top_p,
    max_tokens: s.max_tokens,
    ...(s.stop ? { stop: s.stop } : {}),
    ...(s.stop_token_ids ? { stop_token_ids: s.stop_token_ids } : {}),
    ...(s.seed !== undefined ? { seed: s.seed } : {}),
    // vLLM honours response_format; the old guided_* fields are silently ignored there, so never sent.
    ...(schema
      ? {
          response_format: {
            type: "json_schema",
            json_schema: { name: request.schemaName ?? "answer", schema, strict: true },
          },
        }
      : {}),
  };
}

/** Read a reply leniently: only the fields used are required; anything odd becomes a null text with why. */
export function readReply(reply: unknown, completions: boolean): RawAnswer {
  const r = (reply ?? {}) as {
    choices?: { finish_reason?: unknown; text?: unknown; message?: { content?: unknown } }[];
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  };
  const usage =
    r.usage && typeof r.usage.prompt_tokens === "number"
      ? { promptTokens: r.usage.prompt_tokens, completionTokens: Number(r.usage.completion_tokens ?? 0) }
      : undefined;
  const choice = Array.isArray(r.choices) ? r.choices[0] : undefined;
  if (!choice) return { text: null, finishReason: "none", usage, problem: "the reply has no choices" };
  const finishReason = typeof choice.finish_reason === "string" ? choice.finish_reason : "other";
  const content = completions && "text" in choice ? choice.text : choice.message?.content;
  if (typeof content !== "string") {
    const type = content === null ? "null" : Array.isArray(content) ? "array" : typeof content;
    return { text: null, finishReason, usage, problem: `message content has type ${type}, expected a string` };
  }
  return { text: content, finishReason, usage };
}
