import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A fresh folder in the temp folder, removed when the test process exits. uvu imports every suite
 * before it runs any test, and a suite cannot tell when it is done without being handed its own
 * `test`, so removal waits for the one moment nothing can still use the folder: exit. That covers a
 * failing test too, where cleanup at the end of its body would never run.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (created.length === 0) process.on("exit", removeAll);
  created.push(dir);
  return dir;
}

const created: string[] = [];

// A folder that will not go is reported, not thrown: a throw here would change the process's exit code.
function removeAll(): void {
  for (const dir of created) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      console.warn(`could not remove ${dir}: ${(error as Error).message}`);
    }
  }
}
