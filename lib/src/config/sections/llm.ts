import { z } from "zod";

/** The `llm:` section of an experiment YAML. Owned by lib/llm; unknown keys are rejected. */
export const llmSection = z.object({}).strict();
export type LlmSection = z.output<typeof llmSection>;
