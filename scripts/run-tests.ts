/**
 * Runs every uvu suite under tests/ in one process (through tsx) and ends with one plain
 * summary line, "N passed, N failed, N skipped", that people and CI both read.
 * Usage: npm test [-- pattern]   (pattern: a regular expression over test file paths)
 */
import { spawn } from "node:child_process";
import { relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const pattern = process.argv[2] ?? "";
const uvuBin = resolve(root, "node_modules/uvu/bin.js");
const tsxCli = resolve(root, "node_modules/tsx/dist/cli.mjs");

// Only *.test.ts files are suites; a pattern narrows them further (it never admits other files).
const suites = pattern ? `^(?=.*(?:${pattern})).*\\.test\\.ts$` : "\\.test\\.ts$";
const args = [tsxCli, uvuBin, "tests", suites, "-i", "helpers|fixtures"];
const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
let output = "";
child.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  output += chunk.toString();
});
child.on("close", (code) => {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const num = (label: string) => Number(plain.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
  const total = num("Total");
  const passed = num("Passed");
  const skipped = num("Skipped");
  const failed = Math.max(0, total - passed - skipped);
  console.log(`\nTests in ${relative(process.cwd(), resolve(root, "tests")) || "tests"}:`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 && total > 0 ? 0 : 1);
});
