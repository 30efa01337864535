// The LLM layer: every model call of the project goes through here. See docs/llm.md.

// Backends
export { createLocalBackend, type LocalBackendOptions } from "./backends/local-backend.js";
export { createOpenAIBackend, type OpenAIBackendOptions } from "./backends/openai-backend.js";
export { createReplayBackend, type ReplayLoadReport } from "./backends/replay-backend.js";
export { type BatchReadReport, missingFromBatch, readBatchOutput, writeBatchFile } from "./batch-files.js";
export { LlmError, type LlmErrorKind, redactSecrets } from "./errors.js";
// From the experiment config
export { createBackend, type LlmClient, llmFromConfig, openCache, runOptionsFromConfig } from "./from-config.js";
export { type ReadyOptions, waitUntilReady } from "./health.js";
export {
  type KeptReport,
  RunInterrupted,
  type RunRegistration,
  type StopCause,
  stopRunsOnSignals,
} from "./interrupt.js";
export { createProgress, type ProgressMode, type ProgressOptions, type ProgressReporter } from "./progress.js";
export { layoutForPrefixCache, type PrefixLayout, type SharedPrefixStats, sharedPrefixStats } from "./prompt-layout.js";
export { readRequestsJsonl, writeRequestsJsonl } from "./request-files.js";
export { requestKey } from "./request-key.js";
// Cache, keys, files
export { type CacheLoadReport, type CacheRecord, type FsyncPolicy, ResponseCache } from "./response-cache.js";
export type { RetryPolicy } from "./retry-policy.js";
// Runs
export { type HealthOptions, type Run, type RunOptions, runRequests, runToFile } from "./run-requests.js";
export { formatSummary, type Prices, type RunSummary } from "./run-summary.js";
export type {
  Backend,
  CallContext,
  ChatMessage,
  FailureReason,
  HealthStatus,
  ModelRequest,
  ModelResult,
  RawAnswer,
  Role,
  Sampling,
  Usage,
} from "./types.js";
