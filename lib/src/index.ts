// The library every notebook, the CLI and the tests use. One namespace per capability,
// so notebooks read `synth.postProcess(...)`, `evaluation.score(...)`.
// Test and demo helpers (the loopback OpenAI server, the crash harness) are in "clinical-distill/testing".
export * as config from "./config/index.js";
export * as data from "./data/index.js";
export * as evaluation from "./eval/index.js";
export * as llm from "./llm/index.js";
export * as ner from "./ner/index.js";
export { projectRoot, resolveFromRoot } from "./paths.js";
export * as prompts from "./prompts/index.js";
export * as report from "./report/index.js";
export * as slurm from "./slurm/index.js";
export * as synth from "./synth/index.js";
