import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ToolkitError } from "./core/errors.js";

/**
 * The repository root: the nearest folder above this module holding the workspace package.json.
 * Notebooks run with their own folder as cwd, so paths in configs are resolved from here, not cwd.
 */
export function projectRoot(): string {
  const override = process.env.CLINICAL_DISTILL_ROOT;
  if (override) return resolve(override);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "lib", "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new ToolkitError(
        "clinical-distill: cannot find the project root (a folder with package.json and lib/package.json) above " +
          fileURLToPath(import.meta.url),
        { stage: "config" },
      );
    dir = parent;
  }
}

/** Resolve a path from a config against the project root (absolute paths pass through). */
export function resolveFromRoot(...parts: string[]): string {
  return resolve(projectRoot(), ...parts);
}
