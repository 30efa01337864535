/**
 * The facts about the prompts that the config's defaults and checks need. They live here, below the
 * prompts folder, so config depends on nothing above it; lib/src/prompts re-exports them where they are used.
 */

/** Token ids that end generation for evaluation and inference (BOS, EOS, header start, eom, eot). */
export const LLAMA31_STOP_TOKEN_IDS: readonly number[] = Object.freeze([128000, 128001, 128007, 128008, 128009]);

/**
 * The fields the evaluation prompt (lib/src/prompts/eval.ts, EVAL_SYSTEM_PROMPT) asks the model to answer
 * with, in its order. Students must be trained on exactly these (synth.prepare.targetFields; checked when an
 * experiment config loads).
 */
export const EVAL_ANSWER_FIELDS = ["answer", "explanation"] as const;
