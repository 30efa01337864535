/**
 * Runs every uvu suite under tests/ in one process (through tsx) and ends with one plain
 * summary line, "N passed, N failed, N skipped", that people and CI both read.
 * Usage: npm test [-- pattern]   (pattern: a regular expression over test file paths)
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

const root = resolve(import.meta.dirname, "..");
const pattern = process.argv[2] ?? "";
const uvuBin = resolve(root, "node_modules/uvu/bin.js");
const tsxCli = resolve(root, "node_modules/tsx/dist/cli.mjs");

const work = mkdtempSync(join(tmpdir(), "clinical-distill-tests-"));
const testTmp = join(work, "tmp");
mkdirSync(testTmp);
const skipLog = join(work, "skips.jsonl");

// Only *.test.ts files are suites; a pattern narrows them further (it never admits other files).
const suites = pattern ? `^(?=.*(?:${pattern})).*\\.test\\.ts$` : "\\.test\\.ts$";
const args = [tsxCli, uvuBin, "tests", suites, "-i", "helpers|fixtures"];
const env = { ...process.env, TMPDIR: testTmp, CLINICAL_DISTILL_SKIP_LOG: skipLog };
const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
let output = "";
child.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  output += chunk.toString();
});
child.on("close", (code) => {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const num = (label: string) => Number(plain.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
  const total = num("Total");
  const loudSkips = existsSync(skipLog)
    ? readFileSync(skipLog, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as { what: string; howToGet: string })
    : [];
  const passed = Math.max(0, num("Passed") - loudSkips.length);
  const skipped = num("Skipped") + loudSkips.length;
  const failed = Math.max(0, total - num("Passed") - num("Skipped"));
  // tsx keeps its transform cache in the temp folder (tsx-<uid>): the tool's, not a test's.
  const leftovers = readdirSync(testTmp).filter((name) => !/^tsx-\d+$/.test(name));
  try {
    rmSync(work, { recursive: true, force: true, maxRetries: 3 });
  } catch (error) {
    console.log(`could not remove the run's temp folder ${work}: ${(error as Error).message}`);
  }

  console.log(`\nTests in ${relative(process.cwd(), resolve(root, "tests")) || "tests"}:`);
  if (loudSkips.length > 0) {
    console.log("Skipped (something they need is missing):");
    for (const skip of loudSkips) console.log(`  - ${skip.what} (${skip.howToGet})`);
  }
  if (leftovers.length > 0)
    console.log(
      `Temp entries tests left behind (removed with the run's temp folder): ${leftovers.length}` +
        ` (${leftovers.slice(0, 5).join(", ")}${leftovers.length > 5 ? ", ..." : ""})`,
    );
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 && total > 0 ? 0 : 1);
});
