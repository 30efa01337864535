import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const recorder = resolve(import.meta.dirname, "record-modules.mjs");

/**
 * npm packages (by name) and module count resolved by `node [nodeArgs] -e script` in a fresh process, e.g. what
 * importing the library loads. Throws with the child's stderr when it fails.
 */
export function loadedPackages(script: string, nodeArgs: string[] = []): { packages: Set<string>; modules: number } {
  const dir = mkdtempSync(join(tmpdir(), "loaded-packages-"));
  try {
    const file = join(dir, "modules.txt");
    const run = spawnSync(process.execPath, [...nodeArgs, "--import", recorder, "--input-type=module", "-e", script], {
      cwd: resolve(import.meta.dirname, "../.."),
      env: { ...process.env, RECORD_MODULES_TO: file },
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(`node -e ${JSON.stringify(script)} failed:\n${run.stderr}`);
    const urls = new Set(readFileSync(file, "utf8").split("\n").filter(Boolean));
    const packages = new Set<string>();
    for (const url of urls) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
      if (match) packages.add(match[1]);
    }
    return { packages, modules: urls.size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
