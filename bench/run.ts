/**
 * Runs every benchmark (bench/*.bench.ts, or those matching the argument) in its own process, one
 * after another, so one benchmark's memory never counts against the next. Each prints its figures
 * beside its targets. Benchmarks are measurements, not tests: a missed target is reported, and the
 * exit code says whether all targets were met.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const dir = resolve(import.meta.dirname);
const filter = process.argv[2] ?? "";
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".bench.ts") && name.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`bench: no benchmark matches "${filter}" in ${dir}`);
  process.exit(2);
}
const tsxCli = resolve(dir, "../node_modules/tsx/dist/cli.mjs");
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const run = spawnSync(process.execPath, ["--expose-gc", tsxCli, join(dir, file)], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
console.log(`\n${files.length - failed} of ${files.length} benchmarks met their targets`);
process.exit(failed === 0 ? 0 : 1);
