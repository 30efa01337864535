// Test and demo helpers, kept out of the main entry: `import { FakeOpenAIServer } from "clinical-distill/testing"`.
// The loopback server stands in for vLLM in offline notebook demos and benchmarks; its answers are samples.
export { type CrashRunOptions, type CrashRunReport, crashExperiment } from "./crash-harness.js";
export {
  type CompletionBody,
  type FakeAnswer,
  FakeOpenAIServer,
  type FakeServerOptions,
  type Fault,
  type RecordedRequest,
  sampleFromSchema,
} from "./fake-openai-server.js";
