import type { LlmSection } from "../config/sections/llm.js";
import { resolveFromRoot } from "../paths.js";
import { readKeyFile } from "../secrets/key-file.js";
import { createLocalBackend } from "./backends/local-backend.js";
import { createOpenAIBackend } from "./backends/openai-backend.js";
import { createReplayBackend } from "./backends/replay-backend.js";
import { LlmError, registerSecret } from "./errors.js";
import { ResponseCache } from "./response-cache.js";
import { type Run, type RunOptions, runRequests, runToFile } from "./run-requests.js";
import type { RunSummary } from "./run-summary.js";
import type { Backend, ModelRequest } from "./types.js";

/**
 * The API key: from the key file when one is configured, else from the named environment variable,
 * else none (vLLM without --api-key accepts anything). The key is registered for redaction and never
 * stored anywhere by this layer.
 */
export function resolveApiKey(
  section: Pick<LlmSection, "apiKeyEnv" | "apiKeyFile">,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  let key: string | undefined;
  if (section.apiKeyFile) {
    // The same reader and policy as a serve job's key file: 0600 only, one line, not empty.
    try {
      key = readKeyFile(resolveFromRoot(section.apiKeyFile));
    } catch (error) {
      throw new LlmError("config", `llm.apiKeyFile: ${(error as Error).message}`, { field: "llm.apiKeyFile" });
    }
  } else key = env[section.apiKeyEnv] || undefined;
  if (key) registerSecret(key);
  return key;
}

/** Build the configured backend (replay loads its files, hence async). */
export async function createBackend(section: LlmSection): Promise<Backend> {
  switch (section.backend) {
    case "openai":
      return createOpenAIBackend({ baseUrl: section.baseUrl, apiKey: resolveApiKey(section) });
    case "local":
      return createLocalBackend({
        model: /^(hf:|https?:)/.test(section.modelPath!) ? section.modelPath! : resolveFromRoot(section.modelPath!),
        gpu: section.gpu,
        threads: section.threads,
      });
    case "replay":
      return createReplayBackend(section.replayFrom.map((p) => resolveFromRoot(p)));
  }
}

/** The configured response cache file: <cacheDir>/responses.jsonl under the project root. */
export function openCache(section: Pick<LlmSection, "cacheDir" | "fsync">): ResponseCache {
  return ResponseCache.open(resolveFromRoot(section.cacheDir, "responses.jsonl"), { fsync: section.fsync });
}

/** Run options from the config section (backend and cache supplied by the caller). */
export function runOptionsFromConfig(section: LlmSection, backend: Backend, cache?: ResponseCache): RunOptions {
  return {
    backend,
    cache,
    concurrency: section.concurrency,
    rpm: section.rpm,
    tpm: section.tpm,
    retry: section.retry,
    timeoutMs: section.timeoutMs,
    prices: section.prices,
    health: section.health,
  };
}

/** Backend + cache + options from one config section: what a notebook cell or the CLI needs. */
export interface LlmClient {
  readonly backend: Backend;
  readonly cache: ResponseCache;
  readonly options: RunOptions;
  run<T>(requests: Iterable<ModelRequest<T>> | AsyncIterable<ModelRequest<T>>, extra?: Partial<RunOptions>): Run<T>;
  runToFile<T>(
    requests: Iterable<ModelRequest<T>> | AsyncIterable<ModelRequest<T>>,
    path: string,
    extra?: Partial<RunOptions>,
  ): Promise<RunSummary>;
  close(): Promise<void>;
}

export async function llmFromConfig(section: LlmSection): Promise<LlmClient> {
  const backend = await createBackend(section);
  const cache = openCache(section);
  const options = runOptionsFromConfig(section, backend, cache);
  return {
    backend,
    cache,
    options,
    run: (requests, extra) => runRequests(requests, { ...options, ...extra }),
    runToFile: (requests, path, extra) => runToFile(requests, path, { ...options, ...extra }),
    async close() {
      cache.close();
      await backend.close?.();
    },
  };
}
