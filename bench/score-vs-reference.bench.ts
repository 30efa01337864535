/**
 * Scoring against what users would otherwise run (issue 17): the project beside numpy/scikit-learn on the same
 * files, in one run, as whole processes (cold start included: a researcher re-runs this cell constantly).
 *
 * Input, generated here once per run (seeded; timings only, not results): 42,498 held-out synthetic questions
 * over 4,250 notes (CSV) and a predictions JSONL with 85% agreement (some NA, some unreadable replies).
 * Scored, 1,000 percentile-bootstrap resamples, for both units: single items, and whole notes (the project's
 * default, lib/src/core/bootstrap.ts).
 *   - reference: python3 bench/reference/score_reference.py: csv + json reading, sklearn point estimates,
 *     numpy bootstrap (accuracy, balanced accuracy, micro/macro-F1 overall and per type, numeric exact match);
 *   - library:   node bench/score-library.mjs: import the built library (lib/dist), readSyntheticItems,
 *     evaluateFile: the notebook cell. It computes more than the reference (weighted F1, per class, per
 *     question, within-tolerance rate), so the comparison is conservative;
 *   - CLI:       node lib/dist/cli/main.js eval score --task synthetic ... (the installed CLI), which also
 *     loads the experiment config, the notes and runs the leakage check; reported beside, no target;
 *   - npm run cli -- eval score ... (tsx compiles TypeScript on every start): once, for information.
 * Pairs are interleaved (reference, library, CLI, ...) so machine load hits all alike; medians are printed.
 * Target: library median <= reference median for both units.
 * Run: npx tsx bench/score-vs-reference.bench.ts   (BENCH_QUICK=1: 3 pairs; needs npm run build first)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { referencePython } from "./reference/python.js";
import { writeScoringInput } from "./reference/scoring-input.js";
import { median, type TimedRun, timedRun } from "./timed-process.js";

const root = resolve(import.meta.dirname, "..");
const pairs = process.env.BENCH_QUICK === "1" ? 3 : 5;
const COUNT = 42_498;
const PER_NOTE = 10;
const RESAMPLES = 1000;

const python = referencePython();
if (!python) {
  console.error(
    "SKIPPED: no python3 with numpy and scikit-learn (apt-get install python3-numpy python3-sklearn); no reference to compare with",
  );
  process.exit(1);
}
if (!existsSync(join(root, "lib/dist/index.js"))) {
  console.error("lib/dist is missing: run `npm run build` first (the library and CLI are timed as users run them)");
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "score-vs-reference-"));
if (!process.env.BENCH_KEEP) process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const heldOut = join(dir, "held-out.csv");
const predictions = join(dir, "predictions.jsonl");
const notesFile = join(dir, "notes.jsonl");

// --- input ---------------------------------------------------------------------------------------------
writeScoringInput({ heldOut, predictions, notes: notesFile }, COUNT, PER_NOTE);
writeFileSync(
  join(dir, "datasets.yaml"),
  [
    "datasets:",
    `  - { id: bench-eval, description: benchmark questions, kind: synthetic-eval, format: csv, path: ${dir}, restricted: false }`,
    `  - { id: bench-notes, description: benchmark notes, kind: notes, format: jsonl, path: ${notesFile}, restricted: false }`,
    "",
  ].join("\n"),
);
const configFor = (unit: string) => {
  const file = join(dir, `experiment-${unit}.yaml`);
  writeFileSync(
    file,
    [
      "name: bench",
      "seed: 1",
      `outputDir: ${join(dir, "out")}`,
      `datasets: ${join(dir, "datasets.yaml")}`,
      `synth: { notes: ${notesFile}, outDir: ${join(dir, "synth")} }`,
      `eval: { outDir: ${join(dir, "eval")}, synthetic: { dataset: bench-eval, notes: bench-notes }, bootstrap: { unit: ${unit}, resamples: ${RESAMPLES}, seed: 1 } }`,
      "",
    ].join("\n"),
  );
  return file;
};

// --- runs ----------------------------------------------------------------------------------------------
type Run = TimedRun;
const time = (command: string, args: string[]) => timedRun(command, args, root);

const units = [
  { project: "item", reference: "item", label: "items" },
  { project: "cluster", reference: "note", label: "notes" },
] as const;
console.log(
  `${COUNT.toLocaleString("en-US")} predictions over ${Math.ceil(COUNT / PER_NOTE).toLocaleString("en-US")} notes, ${RESAMPLES} resamples, ${pairs} interleaved pairs per unit; whole process, cold start included`,
);
console.log(`reference: ${python} bench/reference/score_reference.py (numpy + scikit-learn)`);
let met = true;
const rows: string[][] = [];
for (const unit of units) {
  const config = configFor(unit.project);
  const runs = { reference: [] as Run[], library: [] as Run[], cli: [] as Run[] };
  let check = "";
  for (let pair = 0; pair < pairs; pair++) {
    const ref = time(python, ["bench/reference/score_reference.py", heldOut, predictions, "--unit", unit.reference]);
    const lib = time(process.execPath, ["bench/score-library.mjs", heldOut, predictions, `${RESAMPLES}`, unit.project]);
    const cliArgs = ["eval", "score", "--task", "synthetic", "--config", config, "--predictions", predictions];
    runs.cli.push(time(process.execPath, ["lib/dist/cli/main.js", ...cliArgs]));
    runs.reference.push(ref);
    runs.library.push(lib);
    if (pair === 0) {
      // Same input, same answer: the point estimates must agree before the times mean anything.
      const ours = JSON.parse(lib.stdout);
      const theirs = JSON.parse(ref.stdout).overall;
      const pairsToCheck = [
        [ours.accuracy.value, theirs.accuracy.value],
        [ours.balancedAccuracy.value, theirs.balanced_accuracy.value],
        [ours.microF1.value, theirs.micro_f1.value],
      ];
      if (pairsToCheck.some(([a, b]) => Math.abs(a - b) > 1e-9)) {
        throw new Error(`project and reference disagree on the point estimates: ${JSON.stringify(pairsToCheck)}`);
      }
      check = `accuracy ${ours.accuracy.value.toFixed(4)} [${ours.accuracy.low.toFixed(4)}, ${ours.accuracy.high.toFixed(4)}] vs reference [${theirs.accuracy.low.toFixed(4)}, ${theirs.accuracy.high.toFixed(4)}]`;
    }
  }
  const wall = (list: Run[]) => median(list.map((run) => run.seconds));
  const cpu = (list: Run[]) => median(list.map((run) => run.cpu));
  const [ref, lib, cli] = [wall(runs.reference), wall(runs.library), wall(runs.cli)];
  met &&= lib <= ref;
  const cell = (list: Run[]) => `${wall(list).toFixed(2)} (${cpu(list).toFixed(2)})`;
  rows.push([
    `resampling ${unit.label}`,
    cell(runs.reference),
    cell(runs.library),
    ratio(lib, ref),
    cell(runs.cli),
    ratio(cli, ref),
  ]);
  console.log(`  ${unit.label}: (sample data, not a result) ${check}`);
}
const tsxCli = time("npm", [
  "run",
  "--silent",
  "cli",
  "--",
  "eval",
  "score",
  "--task",
  "synthetic",
  "--config",
  configFor("cluster"),
  "--predictions",
  predictions,
]).seconds;

function ratio(project: number, reference: number): string {
  return project <= reference
    ? `${(reference / project).toFixed(2)}x faster`
    : `${(project / reference).toFixed(2)}x slower`;
}
const header = ["bootstrap", "numpy/sklearn", "library", "library vs ref", "CLI (lib/dist)", "CLI vs ref"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
console.log("median wall seconds (median CPU seconds, user + system); ratios of wall medians");
for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padStart(widths[i])).join("  "));
console.log(`npm run cli -- eval score ... (tsx, notes resampled, one run): ${tsxCli.toFixed(2)} s`);
console.log(`target: library median <= numpy/sklearn median for both units: ${met ? "MET" : "MISSED"}`);
console.log(`machine load average (1 min): ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
process.exit(met ? 0 : 1);
