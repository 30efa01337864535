/**
 * Cold start (issue 17): how long a fresh process takes to import the library (a notebook's first cell) and to
 * answer `--help`, and what it loads. Whole processes, interleaved, medians of several runs:
 *   - node -e 0                                   the floor: Node itself
 *   - import lib/dist/index.js                    the built library, as notebooks (tslab) and users import it
 *   - node lib/dist/cli/main.js --help            the built CLI
 *   - npm run cli -- --help                       the CLI from source through npm and tsx (compiles on start)
 *   - python3 -c "import numpy, sklearn.metrics"  the reference a researcher would otherwise start
 * Beside them: modules resolved by the library import, and whether any heavy package (the OpenAI SDK, execa,
 * polars, plotly, node-llama-cpp, apache-arrow) is among them. Target: none is; the times are reported.
 * Run: npx tsx bench/cold-start.bench.ts   (BENCH_QUICK=1: 3 runs each; needs npm run build first)
 */
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { loadedPackages } from "../tests/helpers/loaded-packages.js";
import { referencePython } from "./reference/python.js";
import { median, type TimedRun, timedRun } from "./timed-process.js";

const root = resolve(import.meta.dirname, "..");
const runs = process.env.BENCH_QUICK === "1" ? 3 : 7;
const HEAVY = ["openai", "execa", "nodejs-polars", "plotly.js-dist-min", "node-llama-cpp", "apache-arrow"];
if (!existsSync(join(root, "lib/dist/index.js"))) {
  console.error("lib/dist is missing: run `npm run build` first");
  process.exit(1);
}

const python = referencePython();
const commands: { label: string; command: string; args: string[] }[] = [
  { label: "node -e 0 (floor)", command: process.execPath, args: ["-e", "0"] },
  {
    label: "import the library (lib/dist)",
    command: process.execPath,
    args: ["--input-type=module", "-e", 'await import("./lib/dist/index.js")'],
  },
  { label: "node lib/dist/cli/main.js --help", command: process.execPath, args: ["lib/dist/cli/main.js", "--help"] },
  { label: "npm run cli -- --help (tsx)", command: "npm", args: ["run", "--silent", "cli", "--", "--help"] },
];
if (python) {
  commands.push({
    label: "python3: import numpy, sklearn.metrics",
    command: python,
    args: ["-c", "import numpy, sklearn.metrics"],
  });
} else {
  console.error("NOTE: no python3 with numpy and scikit-learn: the reference row is left out");
}

const runsOf = commands.map(() => [] as TimedRun[]);
for (let run = 0; run < runs; run++) {
  commands.forEach(({ command, args }, i) => {
    runsOf[i].push(timedRun(command, args, root));
  });
}
console.log(`cold start, whole process, median of ${runs} interleaved runs: wall seconds (CPU seconds, user + system)`);
const width = Math.max(...commands.map((c) => c.label.length));
commands.forEach(({ label }, i) => {
  const wall = median(runsOf[i].map((r) => r.seconds)).toFixed(3);
  const cpu = median(runsOf[i].map((r) => r.cpu)).toFixed(3);
  console.log(`  ${label.padEnd(width)}  ${wall} (${cpu})`);
});

const { packages, modules } = loadedPackages('await import("./lib/dist/index.js");');
const heavy = HEAVY.filter((name) => packages.has(name));
console.log(`library import resolves ${modules} modules; npm packages: ${[...packages].sort().join(", ")}`);
const met = heavy.length === 0;
console.log(
  `target: no heavy package (${HEAVY.join(", ")}) loaded by the import: ${met ? "MET" : `MISSED (${heavy.join(", ")})`}`,
);
console.log(`machine load average (1 min): ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
process.exit(met ? 0 : 1);
