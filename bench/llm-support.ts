// Shared by the llm benchmarks: the loopback server in its own process, a bare fetch loop, requests.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import type { ModelRequest } from "../lib/src/llm/index.js";
import { requestBody } from "../lib/src/llm/wire-format.js";

export const root = resolve(import.meta.dirname, "..");
export const tsxLoader = pathToFileURL(resolve(root, "node_modules/tsx/dist/loader.mjs")).href;
export const quick = process.env.BENCH_QUICK === "1";

/** Start the fake server in a child process (so its work is not counted against the client's). */
export async function spawnServer(latencyMs: number): Promise<{ url: string; child: ChildProcess; close(): void }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      tsxLoader,
      resolve(root, "lib/src/cli/main.ts"),
      "llm",
      "fake-server",
      "--latency-ms",
      String(latencyMs),
      "--no-record",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(/listening (\S+)/);
      if (match) resolveUrl(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`fake server exited with ${code}`)));
  });
  return { url, child, close: () => child.stdin!.end() };
}

const schema = z.object({ answer: z.boolean(), evidence: z.string().max(80) });

export function* benchRequests(n: number, prefix: string): Generator<ModelRequest> {
  for (let i = 0; i < n; i++) {
    yield {
      id: `${prefix}${i}`,
      model: "test-model",
      messages: [
        { role: "system", content: "You answer questions about a clinical note. Reply in JSON." },
        {
          role: "user",
          content: `Note ${Math.floor(i / 10)}: patient seen for follow-up.\n\nQuestion ${prefix}${i}: is the patient on apixaban?`,
        },
      ],
      sampling: { temperature: 0, top_p: 1, max_tokens: 64, seed: 0 },
      schema,
    };
  }
}

/** The baseline: the same bodies POSTed with fetch by `concurrency` workers, reply JSON parsed. */
export async function bareLoop(url: string, requests: Iterable<ModelRequest>, concurrency: number): Promise<number> {
  const iterator = requests[Symbol.iterator]();
  let answered = 0;
  const worker = async () => {
    for (;;) {
      const next = iterator.next();
      if (next.done) return;
      const response = await fetch(`${url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer EMPTY" },
        body: JSON.stringify(requestBody(next.value)),
      });
      const reply = (await response.json()) as { choices: { message: { content: string } }[] };
      if (typeof reply.choices[0].message.content === "string") answered++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answered;
}

export function report(rows: [string, string, string, boolean][]): boolean {
  for (const [name, measured, target, met] of rows) {
    console.log(`${met ? "MET   " : "MISSED"} ${name.padEnd(34)} ${measured.padEnd(28)} target ${target}`);
  }
  return rows.every((row) => row[3]);
}
