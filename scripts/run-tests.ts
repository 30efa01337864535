/**
 * Runs the uvu suites under tests/ (through tsx) in two phases, unit then integration, each in one
 * process, and ends with one plain summary line, "N passed, N failed, N skipped", that people and CI
 * both read; a line per phase above it gives the same counts. Which phase a suite belongs to is decided
 * in scripts/internal/test-phases.ts.
 * Usage: npm test [-- pattern]                 both phases
 *        npm run test:unit [-- pattern]        unit suites only (fast, no processes started)
 *        npm run test:integration [-- pattern] integration suites only
 * (pattern: a regular expression over test file paths under tests/)
 *
 * A test that skips loudly (tests/helpers/skip.ts `missing()`) returns early, so uvu counts it as
 * passed: each such skip is recorded in a log and moved from "passed" to "skipped" here, with its
 * reason listed. Suites get a private temp folder (TMPDIR), removed afterwards, so a run leaves the
 * machine's temp folder as it found it; what tests left behind is counted.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { findSuites, type TestPhase, testPhase } from "./internal/test-phases.js";

const root = resolve(import.meta.dirname, "..");
const testsDir = resolve(root, "tests");
const uvuBin = resolve(root, "node_modules/uvu/bin.js");
const tsxCli = resolve(root, "node_modules/tsx/dist/cli.mjs");

const args = process.argv.slice(2);
const phases: TestPhase[] = args.includes("--unit")
  ? ["unit"]
  : args.includes("--integration")
    ? ["integration"]
    : ["unit", "integration"];
const pattern = args.find((arg) => !arg.startsWith("--")) ?? "";
const matches = new RegExp(pattern, "i");

const work = mkdtempSync(join(tmpdir(), "clinical-distill-tests-"));
const testTmp = join(work, "tmp");
mkdirSync(testTmp);

type Counts = { passed: number; failed: number; skipped: number };
type PhaseResult = Counts & { phase: TestPhase; suites: number; total: number; code: number | null; seconds: number };
type LoudSkip = { what: string; howToGet: string };

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Runs one phase's suites in one uvu process, echoing its output, and reads its counts back. */
function runPhase(phase: TestPhase, suites: string[], skips: LoudSkip[]): Promise<PhaseResult> {
  const skipLog = join(work, `skips-${phase}.jsonl`);
  // uvu matches this against paths under tests/: exactly the phase's suites.
  const only = `^(?:${suites.map(escapeRegExp).join("|")})$`;
  const env = { ...process.env, TMPDIR: testTmp, CLINICAL_DISTILL_SKIP_LOG: skipLog };
  const started = performance.now();
  const child = spawn(process.execPath, [tsxCli, uvuBin, "tests", only], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString();
  });
  return new Promise((done) =>
    child.on("close", (code) => {
      const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
      const num = (label: string) => Number(plain.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
      const total = num("Total");
      const loud = existsSync(skipLog)
        ? readFileSync(skipLog, "utf8")
            .split("\n")
            .filter((line) => line.trim() !== "")
            .map((line) => JSON.parse(line) as LoudSkip)
        : [];
      skips.push(...loud);
      done({
        phase,
        suites: suites.length,
        total,
        code,
        seconds: (performance.now() - started) / 1000,
        passed: Math.max(0, num("Passed") - loud.length),
        skipped: num("Skipped") + loud.length,
        failed: Math.max(0, total - num("Passed") - num("Skipped")),
      });
    }),
  );
}

const line = ({ passed, failed, skipped }: Counts) => `${passed} passed, ${failed} failed, ${skipped} skipped`;

const suites = findSuites(testsDir).filter((suite) => matches.test(suite));
const skips: LoudSkip[] = [];
const results: PhaseResult[] = [];
for (const phase of phases) {
  const phaseSuites = suites.filter((suite) => testPhase(suite) === phase);
  if (phaseSuites.length > 0) results.push(await runPhase(phase, phaseSuites, skips));
}

// tsx keeps its transform cache in the temp folder (tsx-<uid>): the tool's, not a test's.
const leftovers = readdirSync(testTmp).filter((name) => !/^tsx-\d+$/.test(name));
try {
  rmSync(work, { recursive: true, force: true, maxRetries: 3 });
} catch (error) {
  console.log(`could not remove the run's temp folder ${work}: ${(error as Error).message}`);
}

console.log(`\nTests in ${relative(process.cwd(), testsDir) || "tests"}:`);
if (skips.length > 0) {
  console.log("Skipped (something they need is missing):");
  for (const skip of skips) console.log(`  - ${skip.what} (${skip.howToGet})`);
}
if (leftovers.length > 0)
  console.log(
    `Temp entries tests left behind (removed with the run's temp folder): ${leftovers.length}` +
      ` (${leftovers.slice(0, 5).join(", ")}${leftovers.length > 5 ? ", ..." : ""})`,
  );
for (const phase of phases) {
  const result = results.find((each) => each.phase === phase);
  console.log(
    result
      ? `${phase}: ${line(result)} (${result.suites} suites, ${result.seconds.toFixed(0)} s)`
      : `${phase}: no suites${pattern ? ` match ${pattern}` : ""}`,
  );
}
const sum = (key: keyof Counts) => results.reduce((total, result) => total + result[key], 0);
console.log(line({ passed: sum("passed"), failed: sum("failed"), skipped: sum("skipped") }));
const total = results.reduce((count, result) => count + result.total, 0);
process.exit(results.every((result) => result.code === 0) && sum("failed") === 0 && total > 0 ? 0 : 1);
