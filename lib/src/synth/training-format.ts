import type { ChatMessage } from "../llm/types.js";
import { evalMessages } from "../prompts/eval.js";
import { type Llama31Options, renderLlama31 } from "../prompts/llama31.js";
import type { SynthRow } from "./types.js";

/**
 * One training example: the student sees the evaluation prompt (lib/src/prompts/eval.ts, so train
 * and test prompts cannot drift apart) and learns to answer with a JSON object built by
 * JSON.stringify (the original built it by string formatting, unescaped).
 */

export type TargetField = "answer" | "explanation" | "source";

/** The JSON value of the answer: "Yes"/"No", a number, or "NA". */
export function targetAnswer(row: Pick<SynthRow, "answer" | "answer_number" | "answer_bool">): string | number {
  if (row.answer_number !== null) return row.answer_number;
  if (row.answer_bool !== null) return row.answer_bool ? "Yes" : "No";
  return row.answer;
}

export function trainingTarget(row: SynthRow, fields: readonly TargetField[]): string {
  const target: Record<string, unknown> = {};
  for (const field of fields) target[field] = field === "answer" ? targetAnswer(row) : row[field];
  return JSON.stringify(target);
}

export interface TrainingExample {
  /** System and user messages (trl prompt-completion "prompt"). */
  prompt: ChatMessage[];
  /** The assistant message (trl "completion"). */
  completion: ChatMessage[];
  /** The whole conversation. */
  messages: ChatMessage[];
  /** Llama-3.1 text up to and including the open assistant header. */
  prompt_text: string;
  /** The assistant's text and its end-of-turn token; prompt_text + completion_text is the full example. */
  completion_text: string;
}

export type PromptBuilder = (noteText: string, question: string) => ChatMessage[];

export function trainingExample(
  row: SynthRow,
  noteText: string,
  options: {
    targetFields: readonly TargetField[];
    promptBuilder?: PromptBuilder;
    chat?: Pick<Llama31Options, "dateHeader">;
  },
): TrainingExample {
  const prompt = (options.promptBuilder ?? evalMessages)(noteText, row.question);
  const completion: ChatMessage[] = [{ role: "assistant", content: trainingTarget(row, options.targetFields) }];
  const prompt_text = renderLlama31(prompt, { addGenerationPrompt: true, dateHeader: options.chat?.dateHeader });
  const completion_text = renderLlama31(completion, { bos: false }).slice(
    "<|start_header_id|>assistant<|end_header_id|>\n\n".length,
  );
  return { prompt, completion, messages: [...prompt, ...completion], prompt_text, completion_text };
}
