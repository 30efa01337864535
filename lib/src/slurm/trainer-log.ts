import { readFileSync } from "node:fs";
import { ToolkitError } from "../core/errors.js";

/** One logged training point. */
export interface LossPoint {
  step: number;
  loss: number;
  epoch?: number;
  learningRate?: number;
  gradNorm?: number;
  evalLoss?: number;
}

const MARK = "TRAIN_LOG ";

function toPoint(value: Record<string, unknown>, fallbackStep: number): LossPoint | null {
  const num = (key: string) =>
    typeof value[key] === "number" && Number.isFinite(value[key]) ? (value[key] as number) : undefined;
  const loss = num("loss");
  const evalLoss = num("eval_loss");
  if (loss === undefined && evalLoss === undefined) return null;
  return {
    step: num("step") ?? fallbackStep,
    loss: loss ?? Number.NaN,
    epoch: num("epoch"),
    learningRate: num("learning_rate"),
    gradNorm: num("grad_norm"),
    evalLoss,
  };
}

// transformers prints logs as Python dict reprs: {'loss': 1.23, 'grad_norm': 0.4, 'learning_rate': 0.0002, 'epoch': 0.1}
function pythonDictToJson(text: string): string {
  return text
    .replace(/'/g, '"')
    .replace(/\bnan\b/gi, "null")
    .replace(/\b-?inf\b/gi, "null")
    .replace(/\bTrue\b/g, "true")
    .replace(/\bFalse\b/g, "false")
    .replace(/\bNone\b/g, "null");
}

/**
 * Loss points from a training log. Understands three forms: `TRAIN_LOG {json}` lines that slurm/finetune.py
 * writes (with the step), transformers' printed dicts `{'loss': ...}` (steps numbered by order), and a
 * trainer_state.json (its `log_history`). Lines that are neither are ignored; training-loss points only have
 * `loss`, evaluation points only `evalLoss`.
 */
export function parseTrainerLog(file: string): LossPoint[] {
  const text = readFileSync(file, "utf8");
  if (file.endsWith(".json")) {
    const state = JSON.parse(text) as { log_history?: Record<string, unknown>[] };
    if (!Array.isArray(state.log_history))
      throw new ToolkitError(`${file}: no log_history array (not a trainer_state.json)`, {
        stage: "slurm",
        file,
        field: "log_history",
      });
    return state.log_history.map((entry, index) => toPoint(entry, index + 1)).filter((p): p is LossPoint => p !== null);
  }
  const points: LossPoint[] = [];
  for (const line of text.split("\n")) {
    let value: unknown;
    const marked = line.indexOf(MARK);
    try {
      if (marked >= 0) value = JSON.parse(line.slice(marked + MARK.length));
      else {
        const dict = /\{'(?:loss|eval_loss)':[^{}]*\}/.exec(line);
        if (!dict) continue;
        value = JSON.parse(pythonDictToJson(dict[0]));
      }
    } catch {
      continue; // a progress bar or a cut line: not a log record
    }
    if (value && typeof value === "object") {
      const point = toPoint(value as Record<string, unknown>, points.length + 1);
      if (point) points.push(point);
    }
  }
  return points;
}
