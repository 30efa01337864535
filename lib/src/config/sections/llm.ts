import { z } from "zod";

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name such as VLLM_API_KEY");
const ms = z.number().int().nonnegative();

/**
 * The `llm:` section of an experiment YAML. Owned by lib/llm; unknown keys are rejected. Paths are
 * relative to the project root. The API key is never written here: name an environment variable
 * (apiKeyEnv) or a key file (apiKeyFile).
 */
export const llmSection = z
  .object({
    /** openai: any OpenAI-compatible server (vLLM); local: a GGUF through node-llama-cpp; replay: recorded answers only. */
    backend: z.enum(["openai", "local", "replay"]).default("openai"),
    /** OpenAI-compatible root of the server, ending in /v1. */
    baseUrl: z
      .url({ protocol: /^https?$/, error: "an http(s) URL such as http://127.0.0.1:8000/v1" })
      .default("http://127.0.0.1:8000/v1"),
    apiKeyEnv: envName.default("VLLM_API_KEY"),
    /** A file holding the key (read at run time; takes precedence over apiKeyEnv). */
    apiKeyFile: z.string().min(1).optional(),
    apiKey: z
      .never({
        error:
          "never put an API key in a config file: set llm.apiKeyEnv (an environment variable name) or llm.apiKeyFile",
      })
      .optional(),
    /** Model name the server serves (vLLM --served-model-name), and the cache-key model for other backends. */
    model: z.string().min(1).default("meta-llama/Llama-3.1-70B-Instruct"),
    /** local backend: GGUF path or node-llama-cpp model URI. */
    modelPath: z.string().min(1).optional(),
    gpu: z.union([z.literal("auto"), z.literal(false)]).default("auto"),
    /** local backend: CPU threads (unset: node-llama-cpp decides; 1 is fastest on a busy shared CPU). */
    threads: z.number().int().positive().optional(),
    /** replay backend: cache files, results files or folders of .jsonl files. */
    replayFrom: z.array(z.string().min(1)).default([]),
    concurrency: z.number().int().min(1).max(4096).default(64),
    /** Requests per minute (unset: no limit). */
    rpm: z.number().positive().optional(),
    /** Tokens per minute (unset: no limit). */
    tpm: z.number().positive().optional(),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(100).default(5),
        baseDelayMs: ms.default(500),
        maxDelayMs: ms.default(30_000),
      })
      .strict()
      .prefault({}),
    /** Per-attempt timeout; 0 for none. */
    timeoutMs: ms.default(120_000),
    /** Response cache folder; answers go to <cacheDir>/responses.jsonl. */
    cacheDir: z.string().min(1).default("out/llm-cache"),
    fsync: z.enum(["always", "interval", "never"]).default("interval"),
    /** Price per million tokens, for the cost line of run summaries. */
    prices: z
      .object({ promptPer1M: z.number().nonnegative(), completionPer1M: z.number().nonnegative() })
      .strict()
      .optional(),
    health: z
      .object({
        /** Wait this long for a server still starting (vLLM loading weights); 0 fails fast. */
        startupWaitMs: ms.default(0),
        /** Probe /health this often during a run; 0 only after failed requests. */
        intervalMs: ms.default(15_000),
        probeEveryMs: z.number().int().min(10).default(2000),
        /** A server down longer than this stops the run with an error. */
        pauseMaxMs: ms.default(600_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((section, context) => {
    if (section.backend === "local" && !section.modelPath) {
      context.addIssue({
        code: "custom",
        path: ["modelPath"],
        message: "backend local needs modelPath (a GGUF file or model URI)",
      });
    }
    if (section.backend === "replay" && section.replayFrom.length === 0) {
      context.addIssue({
        code: "custom",
        path: ["replayFrom"],
        message: "backend replay needs replayFrom (cache or results files, or folders)",
      });
    }
    if (section.retry.maxDelayMs < section.retry.baseDelayMs) {
      context.addIssue({
        code: "custom",
        path: ["retry", "maxDelayMs"],
        message: "must be at least retry.baseDelayMs",
      });
    }
  });
export type LlmSection = z.output<typeof llmSection>;
