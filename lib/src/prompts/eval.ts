import { defaults } from "../config/defaults.js";
import { defaultSeed } from "../config/seeds.js";
import type { ChatMessage, Sampling } from "../llm/types.js";
import { renderLlama31 } from "./llama31.js";

/**
 * Evaluation prompts. The layout serves vLLM's prefix cache: the system message and the note come
 * first and are identical for every question about that note; the question comes last. The answer
 * format matches what students are trained to produce (answer + explanation) and, unlike the
 * original evaluation code, asks for no `difficulty` field that training never taught.
 */
export const EVAL_SYSTEM_PROMPT =
  "You are a clinical information extraction assistant. You read a patient's clinical note and answer " +
  "one question about it using only the information in the note. Answer yes/no questions with yes or no, " +
  "numeric questions with a single number without units, and answer NA when the note does not contain " +
  'the information. Reply with a JSON object: {"answer": ..., "explanation": "..."}.';

// The fields EVAL_SYSTEM_PROMPT asks for; defined in config, whose load-time check needs them.
export { EVAL_ANSWER_FIELDS } from "../config/prompt-facts.js";

/** Chat messages for one question about one note: system, then a user turn with note first, question last. */
export function evalMessages(noteText: string, question: string): ChatMessage[] {
  return [
    { role: "system", content: EVAL_SYSTEM_PROMPT },
    { role: "user", content: `Clinical note:\n${noteText}\n\nQuestion: ${question}` },
  ];
}

/**
 * The same prompt as one Llama-3.1 string, ending with the assistant header: for the completions
 * endpoint, batch files and token counting. The chat endpoint takes evalMessages instead.
 */
export function evalPrompt(noteText: string, question: string): string {
  return renderLlama31(evalMessages(noteText, question), { addGenerationPrompt: true });
}

/**
 * The paper's evaluation sampling (the eval.sampling defaults: greedy, 256 tokens, Llama-3.1 stop ids) with
 * an explicit seed (default: the default experiment's "eval.sampling" sub-seed; a loaded experiment's
 * eval.sampling.seed replaces it).
 */
export function evalSampling(seed = defaultSeed("eval.sampling")): Sampling {
  const sampling = defaults.eval.sampling;
  return { ...sampling, stop_token_ids: [...sampling.stop_token_ids], seed };
}
