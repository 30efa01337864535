/**
 * Notes longer than the teacher's context. They are split into parts at paragraph or line breaks
 * (each part asked separately, questions keep the note id) or skipped; either way they are counted,
 * never cut off silently.
 */

import { ToolkitError } from "../core/errors.js";

export interface ContextBudget {
  /** The served model's context length in tokens (vLLM --max-model-len). */
  contextTokens: number;
  /** Tokens reserved for the answer (the request's max_tokens). */
  maxOutputTokens: number;
  /** Tokens of the prompt around the note (system message, instructions). */
  promptOverheadTokens: number;
  /** Characters per token used to estimate note length; low means cautious. */
  charsPerToken: number;
}

/** How many characters of note fit in one request. */
export function noteCharBudget(budget: ContextBudget): number {
  const tokens = budget.contextTokens - budget.maxOutputTokens - budget.promptOverheadTokens;
  return Math.max(0, Math.floor(tokens * budget.charsPerToken));
}

export type NotePlan =
  | { kind: "whole" }
  | { kind: "split"; ranges: [number, number][] }
  | { kind: "skip"; reason: "empty_note" | "note_over_context"; detail: string };

/**
 * Cut `text` into consecutive ranges of at most `maxChars`, preferring a blank line, then a line
 * break, then a space in the last quarter of each window; a hard cut only when there is none.
 */
export function splitRanges(text: string, maxChars: number): [number, number][] {
  if (maxChars <= 0)
    throw new ToolkitError("splitRanges: maxChars must be positive", { stage: "synth", field: "maxChars" });
  const ranges: [number, number][] = [];
  let start = 0;
  while (text.length - start > maxChars) {
    const hardEnd = start + maxChars;
    const floor = start + Math.floor(maxChars * 0.75);
    let end = -1;
    for (const separator of ["\n\n", "\n", " "]) {
      const at = text.lastIndexOf(separator, hardEnd - separator.length);
      if (at >= floor) {
        end = at + separator.length;
        break;
      }
    }
    if (end < 0) end = hardEnd;
    ranges.push([start, end]);
    start = end;
  }
  if (start < text.length) ranges.push([start, text.length]);
  return ranges;
}

export function planNote(text: string, budget: ContextBudget, overflow: "split" | "skip"): NotePlan {
  if (text.trim() === "") return { kind: "skip", reason: "empty_note", detail: "note text is empty" };
  const maxChars = noteCharBudget(budget);
  if (text.length <= maxChars) return { kind: "whole" };
  const detail = `note has ${text.length} characters, about ${Math.ceil(text.length / budget.charsPerToken)} tokens; ${maxChars} characters fit`;
  if (overflow === "skip" || maxChars === 0) return { kind: "skip", reason: "note_over_context", detail };
  return { kind: "split", ranges: splitRanges(text, maxChars) };
}
