import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from "node:fs";
import { basename, join } from "node:path";
import { ToolkitError } from "../core/errors.js";
import { numberedLines } from "../core/lines.js";

async function writeLine(out: WriteStream, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await once(out, "drain");
}

async function close(out: WriteStream): Promise<void> {
  out.end();
  await once(out, "finish");
}

/**
 * Split a batch request file (OpenAI Batch JSONL, as llm.writeBatchFile writes it) into chunk files of at most
 * `chunkSize` lines, `<outDir>/<stem>-chunk-00000.jsonl` ..., streaming. Blank lines and a byte order mark are
 * skipped; the method's chunk size is 10,000 prompts (`slurm.inference.chunkSize`). Returns the chunk paths in order.
 */
export async function splitBatchFile(input: string, options: { chunkSize: number; outDir: string }): Promise<string[]> {
  if (!Number.isInteger(options.chunkSize) || options.chunkSize < 1) {
    throw new ToolkitError(`splitBatchFile: chunkSize must be a positive integer (got ${options.chunkSize})`, {
      stage: "slurm",
      field: "chunkSize",
    });
  }
  if (!existsSync(input))
    throw new ToolkitError(`splitBatchFile: no batch file at ${input}`, { stage: "slurm", file: input });
  mkdirSync(options.outDir, { recursive: true });
  const stem = basename(input).replace(/\.jsonl$/, "");
  const chunks: string[] = [];
  let out: WriteStream | null = null;
  let inChunk = 0;
  try {
    for await (const [, line] of numberedLines(input)) {
      if (!out || inChunk === options.chunkSize) {
        if (out) await close(out);
        const path = join(options.outDir, `${stem}-chunk-${String(chunks.length).padStart(5, "0")}.jsonl`);
        chunks.push(path);
        out = createWriteStream(path);
        inChunk = 0;
      }
      await writeLine(out, line);
      inChunk++;
    }
  } finally {
    if (out) await close(out);
  }
  return chunks;
}

/**
 * Concatenate chunk outputs of a run-batch array into one file for llm.readBatchOutput (blank lines and byte
 * order marks dropped, so none lands mid-file). A missing chunk output is listed, not an error: its requests are
 * what llm.missingFromBatch will find to re-submit.
 */
export async function joinBatchOutputs(
  outputs: readonly string[],
  into: string,
): Promise<{ lines: number; missing: string[] }> {
  const out = createWriteStream(into);
  const missing: string[] = [];
  let count = 0;
  try {
    for (const file of outputs) {
      if (!existsSync(file)) {
        missing.push(file);
        continue;
      }
      for await (const [, line] of numberedLines(file)) {
        await writeLine(out, line);
        count++;
      }
    }
  } finally {
    await close(out);
  }
  return { lines: count, missing };
}
