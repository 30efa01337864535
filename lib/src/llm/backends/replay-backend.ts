import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { numberedLines } from "../../core/lines.js";
import { LlmError } from "../errors.js";
import type { Backend, CallContext, ModelRequest, RawAnswer } from "../types.js";

export interface ReplayLoadReport {
  files: string[];
  answers: number;
  /** Lines that held no usable answer (failures without text, other JSON), counted per file. */
  skipped: number;
  /** Lines that are not JSON, with file and line (at most 20 listed). */
  badLines: { file: string; line: number }[];
}

function listSources(sources: string[]): string[] {
  const files: string[] = [];
  for (const source of sources) {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(source);
    } catch {
      throw new LlmError("config", `replay source ${source} does not exist`, { file: source });
    }
    if (stats.isDirectory()) {
      for (const name of readdirSync(source).sort()) if (name.endsWith(".jsonl")) files.push(join(source, name));
    } else files.push(source);
  }
  return files;
}

/**
 * Answers only from recorded answers: response-cache files, results files written by runToFile, or a
 * folder of such .jsonl files. Nothing is ever sent anywhere; a request with no recorded answer fails
 * with reason replay_miss, naming its id and key.
 */
export async function createReplayBackend(sources: string[]): Promise<Backend & { report: ReplayLoadReport }> {
  const files = listSources(sources);
  const answers = new Map<string, RawAnswer>();
  const report: ReplayLoadReport = { files, answers: 0, skipped: 0, badLines: [] };
  for (const file of files) {
    for await (const [lineNumber, line] of numberedLines(file)) {
      let record: { key?: unknown; text?: unknown; finishReason?: unknown; usage?: RawAnswer["usage"] };
      try {
        record = JSON.parse(line);
      } catch {
        if (report.badLines.length < 20) report.badLines.push({ file, line: lineNumber });
        continue;
      }
      if (typeof record.key !== "string" || typeof record.finishReason !== "string") {
        report.skipped++;
        continue;
      }
      if (answers.has(record.key)) continue;
      answers.set(record.key, {
        text: typeof record.text === "string" ? record.text : null,
        finishReason: record.finishReason,
        usage: record.usage,
      });
    }
  }
  report.answers = answers.size;
  return {
    kind: "replay",
    target: files.length === 1 ? files[0] : `${files.length} recorded-answer files`,
    report,
    async complete(request: ModelRequest, context: CallContext): Promise<RawAnswer> {
      const answer = answers.get(context.key);
      if (!answer) {
        throw new LlmError(
          "replay_miss",
          `no recorded answer for request ${request.id} (key ${context.key}) in ${files.join(", ")}`,
        );
      }
      return answer;
    },
  };
}
