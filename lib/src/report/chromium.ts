import { execFile } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { ToolkitError } from "../core/errors.js";

/** Flags for a headless Chromium that renders local files and reaches nothing outside (see docs/export.md). */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--hide-scrollbars",
  "--mute-audio",
];

/** The Chromium binary: $CHROMIUM_PATH, else chromium / chromium-browser / google-chrome on PATH; undefined if none. */
export function findChromium(): string | undefined {
  const names = [process.env.CHROMIUM_PATH, "chromium", "chromium-browser", "google-chrome"].filter(
    Boolean,
  ) as string[];
  for (const name of names) {
    const candidates = name.includes("/")
      ? [name]
      : (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, name));
    for (const candidate of candidates) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {}
    }
  }
  return undefined;
}

export interface ChromiumRun {
  stdout: string;
  stderr: string;
}

/**
 * Run headless Chromium once with a throwaway profile. `args` are the task's own flags and the URL.
 * Throws with Chromium's last stderr lines when it fails or exceeds `timeoutMs`.
 */
export async function runChromium(args: string[], timeoutMs = 120_000): Promise<ChromiumRun> {
  const binary = findChromium();
  if (!binary)
    throw new ToolkitError("Chromium not found: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH", {
      stage: "report",
      field: "CHROMIUM_PATH",
    });
  const profile = mkdtempSync(join(tmpdir(), "cd-chromium-"));
  try {
    return await new Promise<ChromiumRun>((resolvePromise, reject) => {
      execFile(
        binary,
        [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, ...args],
        { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: "utf8", killSignal: "SIGKILL" },
        (error, stdout, stderr) => {
          if (error) {
            const tail = String(stderr).trim().split("\n").slice(-5).join("\n");
            const why = error.killed ? `timed out after ${timeoutMs} ms` : error.message.split("\n")[0];
            reject(new Error(`chromium ${args.filter((a) => a.startsWith("--")).join(" ")} failed: ${why}\n${tail}`));
          } else resolvePromise({ stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
