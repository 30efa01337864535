import { ToolkitError } from "../core/errors.js";
import type { ChatMessage } from "../llm/types.js";

/**
 * The Llama-3.1 chat format, written out rather than rendered from a Jinja template so that the
 * training data (step c) and the evaluation prompts produce byte-identical prompts from one function.
 *
 *   <|begin_of_text|>
 *   <|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>      (per message)
 *   <|start_header_id|>assistant<|end_header_id|>\n\n                      (generation prompt)
 *
 * Like Meta's Hugging Face template, message content is trimmed. Unlike it, no "Cutting Knowledge
 * Date" system block is added unless `dateHeader` asks for one (the HF template always adds it).
 * The string starts with BOS, so tokenise it with `add_special_tokens=False`.
 */

export const LLAMA31_SPECIAL = {
  bos: "<|begin_of_text|>",
  eos: "<|end_of_text|>",
  startHeader: "<|start_header_id|>",
  endHeader: "<|end_header_id|>",
  eom: "<|eom_id|>",
  eot: "<|eot_id|>",
} as const;

// Defined in config (the eval sampling default), which must not import prompts.
export { LLAMA31_STOP_TOKEN_IDS } from "../config/prompt-facts.js";

/** The date lines Meta's HF template puts at the top of the system block (its defaults). */
export const LLAMA31_HF_DATE_HEADER = { cuttingKnowledge: "December 2023", today: "26 Jul 2024" } as const;

export interface Llama31Options {
  /** End with an open assistant header for the model to continue (default false). */
  addGenerationPrompt?: boolean;
  /** Start with <|begin_of_text|> (default true). */
  bos?: boolean;
  /** Trim each message's content as Meta's template does (default true). */
  trim?: boolean;
  /**
   * Emulate the HF template's system block: "Cutting Knowledge Date: ..." and "Today Date: ..."
   * lines, then the system message (if any). `true` uses the template's defaults.
   */
  dateHeader?: boolean | { cuttingKnowledge?: string; today?: string };
}

const ROLES = new Set(["system", "user", "assistant"]);
const SPECIAL_TOKEN = /<\|(?:begin_of_text|end_of_text|start_header_id|end_header_id|eom_id|eot_id|python_tag)\|>/;

/** The first Llama-3 special token found in `text`, or undefined. Note text must never carry one. */
export function findSpecialToken(text: string): string | undefined {
  return SPECIAL_TOKEN.exec(text)?.[0];
}

/** Thrown for a message list that cannot be rendered; names the message index and field. */
export class ChatFormatError extends ToolkitError {
  /** `field`: the message path at fault, e.g. `messages[2].role`. */
  constructor(message: string, field?: string) {
    super(message, { stage: "prompts", field });
    this.name = "ChatFormatError";
  }
}

function header(role: string): string {
  return `${LLAMA31_SPECIAL.startHeader}${role}${LLAMA31_SPECIAL.endHeader}\n\n`;
}

/** Render chat messages in the Llama-3.1 format. Throws ChatFormatError on a bad role or special tokens in content. */
export function renderLlama31(messages: readonly ChatMessage[], opts: Llama31Options = {}): string {
  const trim = opts.trim ?? true;
  const parts: string[] = [];
  if (opts.bos ?? true) parts.push(LLAMA31_SPECIAL.bos);
  let rest = messages;
  if (opts.dateHeader) {
    const dates = opts.dateHeader === true ? {} : opts.dateHeader;
    const hasSystem = messages[0]?.role === "system";
    const system = hasSystem ? checked(messages[0], 0, trim) : "";
    parts.push(
      header("system"),
      `Cutting Knowledge Date: ${dates.cuttingKnowledge ?? LLAMA31_HF_DATE_HEADER.cuttingKnowledge}\n`,
      `Today Date: ${dates.today ?? LLAMA31_HF_DATE_HEADER.today}\n\n`,
      system,
      LLAMA31_SPECIAL.eot,
    );
    if (hasSystem) rest = messages.slice(1);
  }
  const offset = messages.length - rest.length;
  rest.forEach((message, i) => {
    parts.push(header(message.role), checked(message, i + offset, trim), LLAMA31_SPECIAL.eot);
  });
  if (opts.addGenerationPrompt) parts.push(header("assistant"));
  return parts.join("");
}

function checked(message: ChatMessage, index: number, trim: boolean): string {
  if (!message || typeof message !== "object")
    throw new ChatFormatError(`messages[${index}]: not a message object`, `messages[${index}]`);
  if (!ROLES.has(message.role))
    throw new ChatFormatError(
      `messages[${index}].role: expected system, user or assistant, got ${JSON.stringify(message.role)}`,
      `messages[${index}].role`,
    );
  if (typeof message.content !== "string")
    throw new ChatFormatError(
      `messages[${index}].content: expected a string, got ${typeof message.content}`,
      `messages[${index}].content`,
    );
  const token = findSpecialToken(message.content);
  if (token)
    throw new ChatFormatError(
      `messages[${index}].content: contains the special token ${token}`,
      `messages[${index}].content`,
    );
  return trim ? message.content.trim() : message.content;
}
