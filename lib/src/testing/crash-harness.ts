import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { ToolkitError } from "../core/errors.js";
import { readJsonl } from "../core/jsonl.js";
import { FakeOpenAIServer } from "./fake-openai-server.js";

export interface CrashRunOptions {
  /** Script that runs the requests. */
  childScript: string;
  /**
   * Node flags for the child, e.g. ["--import", "<root>/node_modules/tsx/dist/loader.mjs"] for a .ts script.
   * (Not the tsx CLI: it runs the script in a grandchild that a SIGKILL of the child would leave running.)
   */
  nodeArgs: string[];
  requests: number;
  kills: number;
  cacheFile: string;
  resultsFile: string;
  /** Server latency per request (spreads the run over time so kills land mid-run). */
  latencyMs: number;
  concurrency: number;
  /**
   * Kill moments: when the server's request count reaches one of `kills` uniformly drawn points in
   * 1..requests (at least one request into the round, so the kill lands mid-run whatever the start-up
   * time), plus a random 0..jitterMs.
   */
  jitterMs: number;
  /** Seeded random for reproducible kill moments. */
  random: () => number;
}

export interface CrashRunReport {
  kills: number;
  /** Kills that landed before the child finished on its own. */
  killedMidRun: number;
  /** Answers stored when each kill landed (a kill mid-run shows a count between 0 and the total). */
  storedAtKill: number[];
  /** Results lines in the final results file, and distinct ids among them. */
  resultLines: number;
  distinctIds: number;
  storedKeys: number;
  /** Complete lines in the cache file (equal to storedKeys when no answer was stored twice). */
  storedLines: number;
  /** Requests the server received for questions already answered and stored before that run started. */
  reaskedStored: number;
  serverRequests: number;
  finalExit: number | null;
}

async function storedQuestions(cacheFile: string, lines = { count: 0 }): Promise<Set<string>> {
  // The cache stores the request id; the child's question text ends with the id.
  const stored = new Set<string>();
  if (!existsSync(cacheFile)) return stored;
  // A torn last line (the child was killed mid-write) is skipped: the next open cuts it off.
  const skip = () => undefined;
  for await (const record of readJsonl(cacheFile, undefined, { onReject: skip, onWarning: skip })) {
    const id = (record as { id?: string } | null)?.id;
    if (id) {
      stored.add(id);
      lines.count++;
    }
  }
  return stored;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/**
 * The crash experiment shared by the test and the benchmark: run a child against the fake server,
 * SIGKILL it at random moments, restart it, and finally let it finish. Checks that every request ends
 * with exactly one answer and that nothing stored before a run was asked again in it.
 */
export async function crashExperiment(options: CrashRunOptions): Promise<CrashRunReport> {
  const server = await FakeOpenAIServer.start({ latencyMs: options.latencyMs });
  const env = {
    ...process.env,
    URL: server.url,
    CACHE: options.cacheFile,
    OUT: options.resultsFile,
    N: String(options.requests),
    CONCURRENCY: String(options.concurrency),
  };
  const start = () =>
    spawn(process.execPath, [...options.nodeArgs, options.childScript], { env, stdio: ["ignore", "pipe", "pipe"] });
  let reaskedStored = 0;
  let killedMidRun = 0;
  const storedAtKill: number[] = [];
  // Kill moments spread uniformly over the run: sorted random points in the server's request count.
  const killPoints = Array.from(
    { length: options.kills },
    () => 1 + Math.floor(options.random() * (options.requests - 1)),
  ).sort((a, b) => a - b);
  let stderr = "";
  try {
    for (let round = 0; round <= options.kills; round++) {
      const storedBefore = await storedQuestions(options.cacheFile);
      const askedBefore = server.requests.length;
      const completionsBefore = server.completions;
      const child = start();
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = exitOf(child);
      let code: number | null;
      if (round < options.kills) {
        // Kill once the server has seen this round's share of requests (at least one), then a little jitter.
        const target = Math.max(completionsBefore + 1, killPoints[round]);
        const jitter = options.random() * options.jitterMs;
        const timer = (async () => {
          while (server.completions < target && child.exitCode === null) {
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          await new Promise((resolve) => setTimeout(resolve, jitter));
          return "timer" as const;
        })();
        const first = await Promise.race([exited.then(() => "exit" as const), timer]);
        if (first === "timer") {
          child.kill("SIGKILL");
          killedMidRun++;
        }
        code = await exited;
        if (first === "timer") storedAtKill.push((await storedQuestions(options.cacheFile)).size);
      } else {
        code = await exited;
        if (code !== 0)
          throw new ToolkitError(`final run exited with ${code}: ${stderr.slice(-2000)}`, { stage: "llm" });
      }
      for (const request of server.requests.slice(askedBefore)) {
        const text = request.body?.messages?.[0]?.content ?? "";
        const id = text.slice(text.lastIndexOf(" ") + 1);
        if (storedBefore.has(id)) reaskedStored++;
      }
      if (round === options.kills) {
        let resultLines = 0;
        const ids = new Set<string>();
        for await (const result of readJsonl(options.resultsFile)) {
          resultLines++;
          ids.add((result as { id: string }).id);
        }
        const cacheLines = { count: 0 };
        const storedKeys = (await storedQuestions(options.cacheFile, cacheLines)).size;
        return {
          kills: options.kills,
          killedMidRun,
          storedAtKill,
          resultLines,
          distinctIds: ids.size,
          storedKeys,
          storedLines: cacheLines.count,
          reaskedStored,
          serverRequests: server.completions,
          finalExit: code,
        };
      }
    }
    throw new ToolkitError("unreachable", { stage: "llm" });
  } finally {
    await server.close();
  }
}
