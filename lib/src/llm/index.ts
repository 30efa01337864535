// The LLM layer: every model call of the project goes through here. See docs/llm.md.

// Backends
export { createLocalBackend, type LocalBackendOptions } from "./backends/local-backend.js";
export { createOpenAIBackend, normaliseBaseUrl, type OpenAIBackendOptions } from "./backends/openai-backend.js";
export { createReplayBackend, type ReplayLoadReport } from "./backends/replay-backend.js";
export { type BatchReadReport, missingFromBatch, readBatchOutput, writeBatchFile } from "./batch-files.js";
export { LlmError, type LlmErrorKind, redactSecrets, registerSecret } from "./errors.js";
// From the experiment config
export {
  createBackend,
  type LlmClient,
  llmFromConfig,
  openCache,
  resolveApiKey,
  runOptionsFromConfig,
} from "./from-config.js";
export { GenerateObjectError, generateObject, type ObjectResult } from "./generate-object.js";
export { HealthMonitor, type ReadyOptions, waitUntilReady } from "./health.js";
export {
  activeRuns,
  describeKept,
  type KeptReport,
  RunInterrupted,
  type RunRegistration,
  registerRun,
  type StopCause,
  stopActiveRuns,
  stopRunsOnSignals,
  whenRunsSettled,
} from "./interrupt.js";
export { createProgress, type ProgressMode, type ProgressOptions, type ProgressReporter } from "./progress.js";
export { layoutForPrefixCache, type PrefixLayout, type SharedPrefixStats, sharedPrefixStats } from "./prompt-layout.js";
export { RateLimiter } from "./rate-limiter.js";
export { parseRequest, readRequestsJsonl, requestToJson, writeRequestsJsonl } from "./request-files.js";
export { canonicalJson, keyMaterial, requestJsonSchema, requestKey } from "./request-key.js";
// Cache, keys, files
export { type CacheLoadReport, type CacheRecord, type FsyncPolicy, ResponseCache } from "./response-cache.js";
export { defaultRetryPolicy, isRetryable, parseRetryAfter, type RetryPolicy, retryDelayMs } from "./retry-policy.js";
// Runs
export { type HealthOptions, type Run, type RunOptions, runRequests, runToFile } from "./run-requests.js";
export { formatProgressLine, formatSummary, type Prices, type RunSummary } from "./run-summary.js";
// Test server (loopback, fault injection): exported for other parts' tests and demos
export {
  type CompletionBody,
  FakeOpenAIServer,
  type FakeServerOptions,
  type Fault,
  sampleFromSchema,
} from "./testing/fake-openai-server.js";
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
export { toResult } from "./validate-answer.js";
export { readReply, requestBody } from "./wire-format.js";
