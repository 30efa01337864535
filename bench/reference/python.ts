import { spawnSync } from "node:child_process";

/**
 * A python3 that imports numpy and scikit-learn, or undefined. Debian's interpreter first (python3-numpy and
 * python3-sklearn install there), then whatever python3 is on PATH (pyenv and the like).
 */
export function referencePython(): string | undefined {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    const probe = spawnSync(candidate, ["-c", "import numpy, sklearn"], { stdio: "ignore" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}
