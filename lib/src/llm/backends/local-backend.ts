import { existsSync } from "node:fs";
import { defaults } from "../../config/defaults.js";
import { LlmError } from "../errors.js";
import { requestJsonSchema } from "../request-key.js";
import type { Backend, CallContext, ModelRequest, RawAnswer } from "../types.js";

export interface LocalBackendOptions {
  /** A GGUF file path, or a model URI node-llama-cpp resolves (hf:user/repo/file.gguf). */
  model: string;
  /** Where URIs are downloaded to. */
  modelsDir?: string;
  /** "auto" uses a GPU when node-llama-cpp finds one; false forces CPU. */
  gpu?: "auto" | false;
  contextSize?: number;
  /** CPU threads for generation (default: node-llama-cpp's choice). On a busy shared machine 1 is far faster. */
  threads?: number;
}

type LlamaModule = typeof import("node-llama-cpp");

/**
 * A GGUF model in this process through node-llama-cpp, loaded lazily on the first request (the package
 * is an optional ~700 MB dependency that server users never need). Structured output uses a JSON-schema
 * grammar. Requests are answered one at a time; a raw `prompt` is sent as a single user message.
 */
export function createLocalBackend(options: LocalBackendOptions): Backend {
  const isUri = /^(hf:|https?:)/.test(options.model);
  if (!isUri && !existsSync(options.model)) {
    throw new LlmError("config", `llm.modelPath: GGUF file ${options.model} does not exist`, {
      file: options.model,
      field: "llm.modelPath",
    });
  }
  type Loaded = {
    module: LlamaModule;
    llama: Awaited<ReturnType<LlamaModule["getLlama"]>>;
    model: Awaited<ReturnType<Awaited<ReturnType<LlamaModule["getLlama"]>>["loadModel"]>>;
    session: InstanceType<LlamaModule["LlamaChatSession"]>;
  };
  let loading: Promise<Loaded> | undefined;
  const grammars = new Map<string, Promise<unknown>>();
  let queue: Promise<unknown> = Promise.resolve();

  async function load(): Promise<Loaded> {
    let module: LlamaModule;
    try {
      module = await import("node-llama-cpp");
    } catch (error) {
      throw new LlmError(
        "config",
        `the local backend needs the optional package node-llama-cpp (npm install node-llama-cpp): ${(error as Error).message}`,
      );
    }
    try {
      const llama = await module.getLlama({
        gpu: options.gpu ?? defaults.llm.gpu,
        logLevel: module.LlamaLogLevel.error,
      });
      const modelPath = isUri ? await module.resolveModelFile(options.model, options.modelsDir) : options.model;
      const model = await llama.loadModel({ modelPath });
      const context = await model.createContext({ contextSize: options.contextSize ?? 2048, threads: options.threads });
      const session = new module.LlamaChatSession({ contextSequence: context.getSequence() });
      return { module, llama, model, session };
    } catch (error) {
      // Nothing can be answered without the model: stop the run with the reason.
      throw new LlmError("config", `cannot load the local model ${options.model}: ${(error as Error).message}`, {
        file: options.model,
      });
    }
  }

  async function answer(request: ModelRequest, context: CallContext): Promise<RawAnswer> {
    loading ??= load();
    const { llama, model, session } = await loading;
    const messages =
      request.prompt !== undefined ? [{ role: "user" as const, content: request.prompt }] : request.messages;
    const last = messages[messages.length - 1];
    if (last?.role !== "user")
      throw new LlmError("http", `request ${request.id}: the last message must be a user message`);
    session.setChatHistory(
      messages
        .slice(0, -1)
        .map((m) =>
          m.role === "system"
            ? { type: "system" as const, text: m.content }
            : m.role === "user"
              ? { type: "user" as const, text: m.content }
              : { type: "model" as const, response: [m.content] },
        ),
    );
    const schema = requestJsonSchema(request);
    let grammar: unknown;
    if (schema) {
      const text = JSON.stringify(schema);
      if (!grammars.has(text)) grammars.set(text, llama.createGrammarForJsonSchema(schema as never));
      grammar = await grammars.get(text);
    }
    const s = request.sampling;
    const reply = await session.promptWithMeta(last.content, {
      maxTokens: s.max_tokens,
      temperature: s.temperature,
      topP: s.top_p,
      seed: s.seed,
      customStopTriggers: s.stop,
      grammar: grammar as never,
      signal: context.signal,
      stopOnAbortSignal: false,
    });
    const promptText = messages.map((m) => m.content).join("\n");
    return {
      text: reply.responseText,
      finishReason: reply.stopReason === "maxTokens" ? "length" : "stop",
      usage: {
        promptTokens: model.tokenize(promptText).length,
        completionTokens: model.tokenize(reply.responseText).length,
      },
    };
  }

  return {
    kind: "local",
    target: options.model,
    complete(request: ModelRequest, context: CallContext): Promise<RawAnswer> {
      // One sequence, one request at a time: chain them.
      const turn = queue.then(() => answer(request, context));
      queue = turn.catch(() => undefined);
      return turn.catch((error) => {
        if (LlmError.isInstance(error)) throw error;
        if (context.signal.aborted) throw new LlmError("cancelled", `local model ${options.model}: aborted`);
        // A per-request failure (prompt too long for the context, ...): recorded for this request, run goes on.
        throw new LlmError("http", `local model ${options.model}: ${(error as Error).message}`);
      });
    },
    async close(): Promise<void> {
      if (!loading) return;
      const loaded = await loading.catch(() => undefined);
      await loaded?.model.dispose();
      await loaded?.llama.dispose();
    },
  };
}
