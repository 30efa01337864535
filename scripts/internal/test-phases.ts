/**
 * Which test suites are unit tests and which are integration tests: the one place that decides.
 * Integration suites start real processes (Jupyter/tslab kernels, SLURM jobs, Chromium, Python, the CLI,
 * the llama.cpp model) or take more than about 2 s of CPU on their own; every other suite is a unit
 * suite, so a new test file is a unit test until it is listed here. Used by scripts/run-tests.ts.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

export type TestPhase = "unit" | "integration";

/** Paths relative to tests/: a folder (ending in "/") covers every suite below it. */
export const integrationSuites = [
  "browser/", // Chromium driving the classic Notebook UI
  "notebooks/", // notebooks executed through Jupyter and tslab
  "python/", // the Python side of the SLURM jobs
  "cli/cli.test.ts", // the command line as child processes
  "config/seeds.test.ts", // over 2 s
  "eval-tasks/baseline-aci-bench.test.ts", // over 2 s
  "eval/n2c2-system.test.ts", // the command line as a child process
  "foundation/notebook-format.test.ts", // Biome as a child process
  "foundation/runner.test.ts", // Jupyter
  "foundation/test-runner.test.ts", // the test runner itself, as a child process
  "llm/cache-integrity.test.ts", // child processes
  "llm/crash-resume.test.ts", // a child process killed mid-run
  "llm/https.test.ts", // openssl
  "llm/interrupt.test.ts", // child processes interrupted
  "llm/local-backend.test.ts", // the llama.cpp model
  "llm/stop-and-progress.test.ts", // child processes
  "ner/python.test.ts", // Python
  "performance/lazy-imports.test.ts", // child processes
  "performance/score-reference.test.ts", // Python (numpy, scikit-learn)
  "performance/scoring-internals.test.ts", // a child process
  "report/export.test.ts", // the export script as a child process
  "report/figure-bundle.test.ts", // Chromium
  "report/pdf-fit.test.ts", // Chromium
  "report/render.test.ts", // Chromium
  "slurm/chain.test.ts", // SLURM
  "slurm/cluster-render.test.ts", // Python
  "slurm/inference.test.ts", // SLURM
  "slurm/jobs.test.ts", // SLURM
  "slurm/no-key-in-jobs.test.ts", // SLURM
  "slurm/render.test.ts", // over 2 s (many bash runs)
  "synth/post-process-workers.test.ts", // over 2 s (worker threads)
  "synth/prepare.test.ts", // over 2 s (worker threads, parquet)
  "synth/split.test.ts", // over 2 s
] as const;

export function testPhase(suite: string): TestPhase {
  const listed = integrationSuites.some((entry) => (entry.endsWith("/") ? suite.startsWith(entry) : suite === entry));
  return listed ? "integration" : "unit";
}

/** Every *.test.ts under `dir` (relative to it, "/"-separated, sorted), skipping helpers and fixtures folders. */
export function findSuites(dir: string, prefix = ""): string[] {
  const suites: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== "helpers" && entry.name !== "fixtures") suites.push(...findSuites(dir, `${path}/`));
    } else if (entry.name.endsWith(".test.ts")) suites.push(path);
  }
  return suites.sort();
}
