import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type Line, readLinesSync } from "../../core/lines.js";
import type { ModelResult } from "../../llm/types.js";
import { listIds, PredictionFileError } from "./errors.js";
import type { Prediction } from "./types.js";

/**
 * Predictions on disk: one JSON object per line, keyed by item id. The evaluate step reads them
 * from here (never from a model), so re-scoring after an annotation fix costs no model calls.
 */

/** A prediction row from an LLM-layer result; a failed request keeps its reason and is scored as wrong. */
export function predictionFromResult(result: ModelResult, model: string): Prediction {
  if (result.ok) {
    return {
      item_id: result.id,
      model,
      ok: true,
      text: result.text,
      finish_reason: result.finishReason,
      cached: result.cached,
    };
  }
  return {
    item_id: result.id,
    model,
    ok: false,
    text: result.text ?? "",
    reason: result.reason,
    finish_reason: result.finishReason,
    cached: result.cached,
  };
}

/** Write predictions as JSONL (creating the folder). Returns the number of rows written. */
export function writePredictions(file: string, predictions: Iterable<Prediction>): number {
  mkdirSync(dirname(file), { recursive: true });
  const lines: string[] = [];
  for (const prediction of predictions) lines.push(JSON.stringify(prediction));
  writeFileSync(file, lines.length > 0 ? `${lines.join("\n")}\n` : "");
  return lines.length;
}

export interface ReadPredictionsOptions {
  /** Tolerate rows for items not being evaluated (e.g. a file covering train and test). Default false. */
  allowExtra?: boolean;
}

function parseRow(file: string, line: string, lineNumber: number): Prediction {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new PredictionFileError(file, `line ${lineNumber}: not valid JSON`);
  }
  const row = value as Partial<Prediction> | null;
  if (typeof row !== "object" || row === null || Array.isArray(row))
    throw new PredictionFileError(file, `line ${lineNumber}: expected a JSON object`);
  if (typeof row.item_id !== "string" || row.item_id === "")
    throw new PredictionFileError(file, `line ${lineNumber}: field item_id must be a non-empty string`);
  if (typeof row.text !== "string")
    throw new PredictionFileError(file, `line ${lineNumber} (item ${row.item_id}): field text must be a string`);
  return {
    item_id: row.item_id,
    model: typeof row.model === "string" ? row.model : "",
    ok: row.ok !== false,
    text: row.text,
    ...(typeof row.reason === "string" ? { reason: row.reason } : {}),
    ...(typeof row.finish_reason === "string" ? { finish_reason: row.finish_reason } : {}),
    ...(typeof row.cached === "boolean" ? { cached: row.cached } : {}),
  };
}

/**
 * Read a predictions file and check it against the items being evaluated: every expected item
 * exactly once. Missing items, duplicate ids and (unless allowed) unknown ids are one clear error
 * naming the file and the ids, so a partial run is never scored as if it were complete.
 */
export function readPredictions(
  file: string,
  expectedItemIds: Iterable<string>,
  options: ReadPredictionsOptions = {},
): Map<string, Prediction> {
  let lines: Line[];
  try {
    lines = readLinesSync(file);
  } catch (error) {
    throw new PredictionFileError(file, `cannot read the file (${(error as Error).message})`);
  }
  const byId = new Map<string, Prediction>();
  const duplicates = new Set<string>();
  for (const line of lines) {
    const row = parseRow(file, line.text, line.lineNo);
    if (byId.has(row.item_id)) duplicates.add(row.item_id);
    else byId.set(row.item_id, row);
  }
  if (duplicates.size > 0) {
    const ids = [...duplicates];
    throw new PredictionFileError(file, `duplicate item ids (${ids.length}): ${listIds(ids)}`, ids);
  }
  const expected = new Set(expectedItemIds);
  const missing = [...expected].filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new PredictionFileError(
      file,
      `missing predictions for ${missing.length} of ${expected.size} items: ${listIds(missing)}`,
      missing,
    );
  }
  const unknown = [...byId.keys()].filter((id) => !expected.has(id));
  if (unknown.length > 0) {
    if (!options.allowExtra) {
      throw new PredictionFileError(
        file,
        `${unknown.length} predictions for items not being evaluated (wrong file or split?): ${listIds(unknown)}`,
        unknown,
      );
    }
    for (const id of unknown) byId.delete(id);
  }
  return byId;
}
