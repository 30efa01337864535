import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ToolkitError } from "../../core/errors.js";
import { requestKey } from "../../llm/request-key.js";
import type { ModelRequest } from "../../llm/types.js";
import type { EvalItem } from "./types.js";

/**
 * Sample recorded answers for the offline demo of the model path (requests -> LLM layer with the
 * replay backend -> predictions). They are NOT model output: each answer is made from the gold
 * label, every fifth one deliberately wrong, in the answer formats real models produce (JSON, code
 * fences, bare words, prose). Any metric computed from them is meaningless and must be labelled a
 * sample; the model name says so.
 */
export const SAMPLE_REPLAY_MODEL = "SAMPLE-replay-not-a-model";

function wrong(item: EvalItem): string {
  const gold = item.gold.trim();
  if (/^yes$/i.test(gold)) return "No";
  if (/^no$/i.test(gold)) return "Yes";
  const number = Number.parseFloat(gold.replace(/,/g, ""));
  if (Number.isFinite(number)) return String(Number((number * 1.2 + 1).toFixed(2)));
  return item.questionType === "na_boolean" || item.questionType === "boolean" ? "Yes" : "5";
}

/** The sample answer text for the i-th item (deterministic). */
export function sampleAnswerText(item: EvalItem, index: number): string {
  const answer = index % 5 === 4 ? wrong(item) : item.gold.trim();
  switch (index % 4) {
    case 0:
      return JSON.stringify({ answer, explanation: "sample answer, not model output" });
    case 1:
      return `\`\`\`json\n{"answer": "${answer}", "explanation": "sample answer",}\n\`\`\``;
    case 2:
      return `${answer}.`;
    default:
      return `Based on the note, the answer is ${answer}`;
  }
}

/**
 * Response-cache records (the replay backend's input) answering `requests`, whose ids are item ids.
 * n2c2 items have met / not met gold, which is not an answer to their questions: refused.
 */
export function sampleReplayRecords(items: readonly EvalItem[], requests: readonly ModelRequest[]) {
  const index = new Map(items.map((item, i) => [item.itemId, i]));
  return requests.map((request) => {
    const i = index.get(request.id);
    if (i === undefined) throw new ToolkitError(`request ${request.id} is not one of the items`, { stage: "eval" });
    if (items[i].task === "n2c2")
      throw new ToolkitError("sample replay answers are made for synthetic and apixaban items only", { stage: "eval" });
    return {
      key: requestKey(request),
      id: request.id,
      text: sampleAnswerText(items[i], i),
      finishReason: "stop",
      model: request.model,
      at: 0,
    };
  });
}

/** Write the records as JSONL (the response-cache format). Returns the number written. */
export function writeSampleReplay(file: string, records: ReturnType<typeof sampleReplayRecords>): number {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, records.map((record) => JSON.stringify(record)).join("\n") + "\n");
  return records.length;
}
