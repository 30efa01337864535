import { z } from "zod";
import type { ModelRequest } from "../../lib/src/llm/index.js";
import { tempDir as sharedTempDir } from "../helpers/temp-dir.js";

export const answerSchema = z.object({ answer: z.boolean(), evidence: z.string().max(40) });

export function tempDir(prefix = "llm-test-"): string {
  return sharedTempDir(prefix);
}

/** n requests with distinct questions; `prefix` keeps suites apart. */
export function makeRequests(n: number, prefix = "q", withSchema = true): ModelRequest<z.infer<typeof answerSchema>>[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    model: "test-model",
    messages: [
      { role: "system" as const, content: "Answer from the note." },
      { role: "user" as const, content: `Note N${Math.floor(i / 3)}.\n\nQuestion ${prefix}${i}?` },
    ],
    sampling: { temperature: 0, top_p: 1, max_tokens: 64, seed: 1 },
    ...(withSchema ? { schema: answerSchema } : {}),
  }));
}

export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** Run `fn` with console and stdout captured: what it printed, for assertions, and nothing on the test's output. */
export async function quietly<T>(fn: () => Promise<T>): Promise<{ value: T; out: string }> {
  const saved = { log: console.log, error: console.error, warn: console.warn, write: process.stdout.write };
  let out = "";
  const capture = (...args: unknown[]) => {
    out += `${args.join(" ")}\n`;
  };
  console.log = capture;
  console.error = capture;
  console.warn = capture;
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await fn(), out };
  } finally {
    Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn });
    process.stdout.write = saved.write;
  }
}
