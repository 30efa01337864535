/**
 * A minimal Chrome DevTools Protocol client for the browser tests, over `--remote-debugging-pipe`
 * (Chromium reads commands on fd 3 and answers on fd 4, each message ending in a NUL byte): no
 * WebSocket, no extra npm package, no port to find.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { CHROMIUM_FLAGS, findChromium } from "../../lib/src/report/chromium.js";

type Pending = { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void; method: string };

export interface Page {
  /** Send a CDP command to this page's session. */
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Evaluate an expression in the page (promises awaited) and return its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Poll `expression` until it is truthy; throws naming `what` after `timeoutMs`. */
  waitFor(expression: string, what: string, timeoutMs?: number): Promise<void>;
  /** Navigate and wait until the document has loaded. */
  goto(url: string, timeoutMs?: number): Promise<void>;
}

export interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(extraFlags: string[] = []): Promise<Browser> {
  const binary = findChromium();
  if (!binary) throw new Error("Chromium not found: apt-get install chromium, or set CHROMIUM_PATH");
  const profile = mkdtempSync(join(tmpdir(), "cd-cdp-"));
  const child: ChildProcess = spawn(
    binary,
    [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "--remote-debugging-pipe", ...extraFlags, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
  );
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let buffered = "";
  fromBrowser.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    let end = buffered.indexOf("\0");
    while (end >= 0) {
      const message = JSON.parse(buffered.slice(0, end)) as {
        id?: number;
        result?: object;
        error?: { message: string };
      };
      buffered = buffered.slice(end + 1);
      end = buffered.indexOf("\0");
      const waiting = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiting) continue; // an event: these tests poll instead of listening
      pending.delete(message.id as number);
      if (message.error) waiting.reject(new Error(`CDP ${waiting.method}: ${message.error.message}`));
      else waiting.resolve((message.result ?? {}) as Record<string, unknown>);
    }
  });
  child.on("exit", (code) => {
    for (const waiting of pending.values())
      waiting.reject(new Error(`Chromium exited (${code}) during ${waiting.method}\n${stderr.trim().slice(-800)}`));
    pending.clear();
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject, method });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });

  return {
    async newPage() {
      const { targetId } = await send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = (await send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
      const page: Page = {
        send: (method, params) => send(method, params, sessionId),
        async evaluate<T>(expression: string) {
          const reply = (await page.send("Runtime.evaluate", {
            expression,
            awaitPromise: true,
            returnByValue: true,
          })) as {
            result: { value?: unknown };
            exceptionDetails?: { exception?: { description?: string }; text?: string };
          };
          if (reply.exceptionDetails)
            throw new Error(
              `in the page: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`,
            );
          return reply.result.value as T;
        },
        async waitFor(expression, what, timeoutMs = 30_000) {
          const deadline = Date.now() + timeoutMs;
          while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
            if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        },
        async goto(url, timeoutMs = 30_000) {
          await page.send("Page.navigate", { url });
          await page.waitFor(
            `location.href !== "about:blank" && document.readyState === "complete"`,
            `${url} to load`,
            timeoutMs,
          );
        },
      };
      return page;
    },
    async close() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      if (child.exitCode === null) {
        send("Browser.close").catch(() => {});
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
