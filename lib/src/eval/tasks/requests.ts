import type { Experiment } from "../../config/experiment.js";
import { ToolkitError } from "../../core/errors.js";
import type { ModelRequest, Sampling } from "../../llm/types.js";
import { evalMessages, evalSampling } from "../../prompts/eval.js";
import type { LoadedTask } from "./task.js";
import type { EvalItem } from "./types.js";

/**
 * Model requests for evaluation items: one per item, id = item id, in the Llama-3.1 chat layout of
 * lib/prompts/eval (system, note, then question). Items are sorted by note so that a server's
 * prefix cache sees each note's questions back to back.
 */
export function evalRequests(
  items: readonly EvalItem[],
  noteText: (noteId: string) => string | undefined,
  model: string,
  sampling: Sampling = evalSampling(),
): ModelRequest[] {
  const missing = [...new Set(items.filter((item) => noteText(item.noteId) === undefined).map((item) => item.noteId))];
  if (missing.length > 0) {
    throw new ToolkitError(
      `no note text for ${missing.length} note(s) used by evaluation items: ${missing.slice(0, 10).join(", ")}`,
      { stage: "eval" },
    );
  }
  const ordered = [...items].sort((a, b) => (a.noteId < b.noteId ? -1 : a.noteId > b.noteId ? 1 : 0));
  return ordered.map((item) => ({
    id: item.itemId,
    model,
    messages: evalMessages(noteText(item.noteId)!, item.question),
    sampling,
  }));
}

/** The task's requests for one model, with the experiment's evaluation sampling (eval.sampling). */
export function taskRequests(loaded: LoadedTask, experiment: Experiment, modelId: string): ModelRequest[] {
  const sampling = { ...evalSampling(), ...experiment.eval.sampling };
  return evalRequests(loaded.items, loaded.noteText, modelId, sampling);
}
