import { defaultSeed } from "../config/seeds.js";
import type { ChatMessage, Sampling } from "../llm/types.js";
import { LLAMA31_STOP_TOKEN_IDS, renderLlama31 } from "./llama31.js";

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

/**
 * The fields the system prompt asks the model to answer with, in its order. Students must be trained
 * on exactly these (synth.prepare.targetFields; checked when an experiment config loads).
 */
export const EVAL_ANSWER_FIELDS = ["answer", "explanation"] as const;

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
 * The paper's evaluation sampling: greedy, 256 tokens, Llama-3.1 stop ids, explicit seed (default: the
 * default experiment's "eval.sampling" sub-seed; a loaded experiment's eval.sampling.seed replaces it).
 */
export function evalSampling(seed = defaultSeed("eval.sampling")): Sampling {
  return { temperature: 0, top_p: 1, max_tokens: 256, stop_token_ids: [...LLAMA31_STOP_TOKEN_IDS], seed };
}
