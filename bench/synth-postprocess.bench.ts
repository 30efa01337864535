/**
 * Benchmark: teacher responses through post-processing (step b) and preparation (step c), beside a
 * pandas reference of the same steps, in one run.
 *
 * A generator writes N question items (default 400,000; each a teacher-written question with answer,
 * source quote and explanation of realistic length) grouped into teacher responses of one note and
 * one question type (10/10/5/5 questions per note, the method's counts), with about 2% malformed
 * (truncated, prose without JSON, wrong types) and about 5% duplicate questions. The project's part runs
 * in a child process, from the built library (lib/dist, as notebooks import it; `npm run build` first):
 * postProcessFile (default options: worker threads where the file is big enough) -> prepareDataset
 * (variant all, default options: trl's prompt-completion record in zstd parquet, card, manifest). The reference (bench/reference/synth_bc.py,
 * pandas) runs on the same files: parse, validate, dedupe, balance, split by note, Llama-3.1 format,
 * gzip CSV. Both times are measured inside the process (interpreter start and imports excluded).
 *
 * Targets (issue 17): project >= 10x the pandas reference; project within 2x of the I/O floor (the time
 * to compress and write the same parquet bytes from data already in memory); peak RSS < 1 GB at 2N
 * items and growing <= 15% from N to 2N.
 *
 * Usage: npx tsx bench/synth-postprocess.bench.ts        (BENCH_QUICK=1 for 20,000 rows)
 *        env BENCH_NOTE_CHARS=N sets the note length (default 2,000 characters); BENCH_ROWS=N the size;
 *        BENCH_SINGLE=1 skips the doubled run; BENCH_WORKERS=N sets prepare's worker threads (default 0;
 *        BENCH_WORKERS=0,1 runs the project once per value, interleaved, to compare; BENCH_VARIANTS=1 also times
 *        step c for the three variants as three folders against one prepareVariants folder). Rows/s is wall-clock;
 *        rows per CPU-second is shown beside it because on a shared machine the wall clock mostly measures
 *        other people's load. Without Debian's python3-pandas the reference is skipped, loudly.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pl from "nodejs-polars";
import { JsonlWriter } from "../lib/src/core/jsonl.js";
import { createRng, deriveSeed } from "../lib/src/core/random.js";
import { evalMessages } from "../lib/src/prompts/eval.js";
import { plainParquetTypes } from "../lib/src/synth/parquet-shards.js";
import type * as PostProcessFile from "../lib/src/synth/post-process-file.js";
import type * as Prepare from "../lib/src/synth/prepare.js";
import { promptTemplates } from "../lib/src/synth/prepare.js";
import { VARIANTS } from "../lib/src/synth/types.js";

const TARGET_RATIO = 10;
const TARGET_FLOOR_RATIO = 2;
const TARGET_RSS_MB = 1024;
const RSS_GROWTH_SLACK = 0.15;
const quick = process.env.BENCH_QUICK === "1";
const rows = Number(process.env.BENCH_ROWS ?? (quick ? 20_000 : 400_000));
const noteChars = Number(process.env.BENCH_NOTE_CHARS ?? 2000);
const workerCounts = (process.env.BENCH_WORKERS ?? "0").split(",").map(Number);
const root = join(import.meta.dirname, "..");

/** Steps b and c as users run them: from the built library (lib/dist), worker threads included. */
async function builtSteps(): Promise<typeof PostProcessFile & typeof Prepare> {
  const built = (file: string) => import(pathToFileURL(join(root, "lib", "dist", "synth", file)).href);
  return { ...(await built("post-process-file.js")), ...(await built("prepare.js")) };
}

const COUNTS = { boolean: 10, numeric: 10, na_numeric: 5, na_boolean: 5 } as const;
const WORDS =
  "patient admitted with chest pain troponin elevated creatinine baseline insulin glargine metoprolol heparin discharge stable follow up cardiology echocardiogram ejection fraction hypertension diabetes kidney".split(
    " ",
  );

/** Write notes and teacher responses totalling `total` question items. Deterministic. */
function generate(dir: string, total: number): { notes: string; responses: string } {
  const random = createRng(deriveSeed(20_241_124, "bench"));
  const word = () => WORDS[random.nextInt(WORDS.length)];
  const phrase = (n: number) => Array.from({ length: n }, word).join(" ");
  const notesFile = join(dir, "notes.jsonl");
  const responsesFile = join(dir, "responses.jsonl");
  const notes = new JsonlWriter(notesFile);
  const responses = new JsonlWriter(responsesFile);
  let written = 0;
  for (let n = 0; written < total; n++) {
    const noteId = `B${String(n).padStart(7, "0")}`;
    const lines: string[] = [];
    let length = 0;
    while (length < noteChars) {
      const line = `${phrase(8)} value ${(random.next() * 200).toFixed(1)} mg/dL.`;
      lines.push(line);
      length += line.length + 1;
    }
    const text = lines.join("\n");
    notes.write({ note_id: noteId, patient_id: `P${n}`, note_type: "discharge_summary", date: "2131-01-01", text });
    for (const [type, count] of Object.entries(COUNTS)) {
      const items: unknown[] = [];
      for (let i = 0; i < count && written < total; i++, written++) {
        const duplicate = i > 0 && random.next() < 0.05;
        const quote = lines[random.nextInt(lines.length)];
        const answer =
          type === "boolean"
            ? i % 2
              ? "Yes"
              : "No"
            : type === "numeric"
              ? `${(random.next() * 200).toFixed(1)} mg/dL`
              : "NA";
        const item: Record<string, unknown> = {
          question: duplicate ? (items[0] as { question: string }).question : `Q${i} ${phrase(10)}?`,
          type,
          answer,
          section: "Pertinent Results",
          source: type.startsWith("na_") ? "" : quote,
          difficulty: 1 + random.nextInt(10),
          explanation: `The note says "${quote.slice(0, 40)}" ${phrase(12)}.`,
        };
        if (random.next() < 0.01) item.difficulty = "hard"; // wrong type
        items.push(item);
      }
      if (items.length === 0) continue;
      let body = JSON.stringify({ questions: items });
      const fault = random.next();
      if (fault < 0.005)
        body = body.slice(0, Math.floor(body.length / 2)); // truncated
      else if (fault < 0.01)
        body = "I am unable to answer in JSON."; // prose only
      else if (fault < 0.02) body = `Here you go:\n\`\`\`json\n${body}\n\`\`\``; // fenced (recovered)
      responses.write({
        request_id: `${noteId}:${type}`,
        note_id: noteId,
        chunk: 0,
        question_type: type,
        model: "bench-teacher",
        prompt_version: "bench",
        key: "0".repeat(64),
        ok: true,
        text: body,
        finish_reason: "stop",
      });
    }
  }
  notes.close();
  responses.close();
  return { notes: notesFile, responses: responsesFile };
}

interface ChildResult {
  rows: number;
  /** Step c's parquet shard workers (BENCH_WORKERS). */
  workers: number;
  /** Step b's worker threads (synth.postProcess.workers "auto"). */
  postWorkers: number;
  seconds: number;
  /** CPU seconds of the process (user + system, all threads): less sensitive to a shared machine's load. */
  cpuSeconds: number;
  postSeconds: number;
  prepareSeconds: number;
  /** CPU seconds of each step (user + system, all threads). */
  postCpuSeconds: number;
  prepareCpuSeconds: number;
  peakRssMb: number;
  accepted: number;
  rejected: number;
  trainRows: number;
  testRows: number;
  /** Every file step c wrote (parquet, card, stats, rejects, manifest). */
  writtenMb: number;
  parquetMb: number;
  /** Seconds to compress and write the same parquet again from frames already in memory (see ioFloor). */
  floorSeconds: number;
  floorSameBytes: boolean;
  /** BENCH_VARIANTS=1: the three variants as three folders (prepareDataset each) against one (prepareVariants). */
  variants?: { folders: { cpuSeconds: number; rows: number }; once: { cpuSeconds: number; rows: number } };
}

/** Step c for variants boolean, numeric and all: three prepareDataset folders, then one prepareVariants folder. */
async function variantsComparison(dir: string, acceptedFile: string): Promise<ChildResult["variants"]> {
  const { prepareDataset, prepareVariants } = await builtSteps();
  const base = { acceptedFile, notes: join(dir, "notes.jsonl"), seed: 42 };
  const cpuSince = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
  };
  const written = (stats: { splits: Record<"train" | "test", { rows: number }> }) =>
    stats.splits.train.rows + stats.splits.test.rows;
  let start = process.cpuUsage();
  let rows = 0;
  for (const variant of VARIANTS) {
    const outDir = join(dir, `variant-${variant}`);
    rows += written((await prepareDataset({ ...base, outDir, variant })).stats);
    rmSync(outDir, { recursive: true, force: true });
  }
  const folders = { cpuSeconds: cpuSince(start), rows };
  start = process.cpuUsage();
  const once = await prepareVariants({ ...base, outDir: join(dir, "variants"), variants: VARIANTS });
  rmSync(join(dir, "variants"), { recursive: true, force: true });
  return { folders, once: { cpuSeconds: cpuSince(start), rows: written(once.stats) } };
}

/**
 * The I/O floor: each parquet shard step c wrote, read back into memory (not timed), then compressed and
 * written again (zstd, the same plain-type footer), which gives the same bytes. No parsing, checking,
 * joining or templating: what writing this output costs at the least with this writer.
 */
function ioFloor(dir: string, files: string[]): { seconds: number; sameBytes: boolean } {
  let seconds = 0;
  let sameBytes = true;
  mkdirSync(join(dir, "floor"), { recursive: true });
  for (const [i, file] of files.entries()) {
    const frame = pl.readParquet(join(dir, "dataset", file));
    const out = join(dir, "floor", `shard${i}.parquet`);
    const start = performance.now();
    frame.writeParquet(out, { compression: "zstd" });
    plainParquetTypes(out);
    seconds += (performance.now() - start) / 1000;
    sameBytes &&= statSync(out).size === statSync(join(dir, "dataset", file)).size;
    // The frame's memory is native: V8 does not see it, so collect each one before the next.
    (globalThis as { gc?: () => void }).gc?.();
  }
  return { seconds, sameBytes };
}

async function child(dir: string, total: number, workers: number): Promise<void> {
  const { postProcessFile, prepareDataset } = await builtSteps();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const post = await postProcessFile({
    responsesFile: join(dir, "responses.jsonl"),
    notes: join(dir, "notes.jsonl"),
    outDir: join(dir, "post"),
  });
  const mid = performance.now();
  const cpuMid = process.cpuUsage(cpuStart);
  const prepared = await prepareDataset({
    acceptedFile: post.files.accepted,
    notes: join(dir, "notes.jsonl"),
    outDir: join(dir, "dataset"),
    variant: "all",
    seed: 42,
    workers,
  });
  const end = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  // Before the floor, which holds frames of its own.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const size = (files: string[]) => files.reduce((sum, file) => sum + statSync(join(dir, "dataset", file)).size, 0);
  const parquet = [...prepared.stats.splits.train.files, ...prepared.stats.splits.test.files];
  const floor = ioFloor(dir, parquet);
  const result: ChildResult = {
    rows: total,
    workers,
    postWorkers: post.workers,
    seconds: (end - start) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    postSeconds: (mid - start) / 1000,
    prepareSeconds: (end - mid) / 1000,
    postCpuSeconds: (cpuMid.user + cpuMid.system) / 1e6,
    prepareCpuSeconds: (cpu.user + cpu.system - cpuMid.user - cpuMid.system) / 1e6,
    peakRssMb,
    accepted: post.stats.accepted,
    rejected: post.stats.rejected + post.stats.responsesRejected,
    trainRows: prepared.stats.splits.train.rows,
    testRows: prepared.stats.splits.test.rows,
    writtenMb: size(prepared.files) / 1048576,
    parquetMb: size(parquet) / 1048576,
    floorSeconds: floor.seconds,
    floorSameBytes: floor.sameBytes,
    variants: process.env.BENCH_VARIANTS === "1" ? await variantsComparison(dir, post.files.accepted) : undefined,
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

function runProject(dir: string, total: number, workers: number): ChildResult {
  rmSync(join(dir, "post"), { recursive: true, force: true });
  rmSync(join(dir, "dataset"), { recursive: true, force: true });
  rmSync(join(dir, "floor"), { recursive: true, force: true });
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, "--expose-gc", process.argv[1], "--child", dir, String(total), String(workers)],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (run.status !== 0 || !line) throw new Error(`benchmark child failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(line.slice(7)) as ChildResult;
}

interface ReferenceResult {
  seconds: number;
  cpu_seconds: number;
  train: number;
  test: number;
  bytes: number;
}

/** Debian's python3 with pandas (pyenv's python3 may lack it), or undefined. */
function pandasPython(): string | undefined {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    const probe = spawnSync(candidate, ["-c", "import pandas, numpy"], { encoding: "utf8" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

function runReference(python: string, dir: string): ReferenceResult {
  const templates = join(dir, "templates.json");
  writeFileSync(templates, JSON.stringify({ prompt: promptTemplates(evalMessages, undefined).promptText }));
  const run = spawnSync(
    python,
    [
      join(root, "bench", "reference", "synth_bc.py"),
      join(dir, "responses.jsonl"),
      join(dir, "notes.jsonl"),
      templates,
      join(dir, "reference"),
    ],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (run.status !== 0 || !line) throw new Error(`pandas reference failed (${run.status}):\n${run.stderr}`);
  rmSync(join(dir, "reference"), { recursive: true, force: true });
  return JSON.parse(line.slice(7)) as ReferenceResult;
}

function withInputs<T>(total: number, body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "bench-synth-"));
  try {
    const genStart = performance.now();
    generate(dir, total);
    console.log(
      `  generated ${total.toLocaleString()} items in ${((performance.now() - genStart) / 1000).toFixed(1)} s`,
    );
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (r: ChildResult) =>
  `  project (lib/dist; step b in ${r.postWorkers} worker threads, step c with ${r.workers} shard workers), ${r.rows.toLocaleString()} items: ${r.seconds.toFixed(2)} s (post ${r.postSeconds.toFixed(2)} s, prepare ${r.prepareSeconds.toFixed(2)} s; CPU ${r.cpuSeconds.toFixed(2)} s: post ${r.postCpuSeconds.toFixed(2)}, prepare ${r.prepareCpuSeconds.toFixed(2)}), ` +
  `${Math.round(r.rows / r.seconds).toLocaleString()} rows/s (${Math.round(r.rows / r.cpuSeconds).toLocaleString()} rows per CPU-second), peak RSS ${r.peakRssMb.toFixed(0)} MB; accepted ${r.accepted.toLocaleString()}, rejected ${r.rejected.toLocaleString()}, ` +
  `train ${r.trainRows.toLocaleString()} / test ${r.testRows.toLocaleString()}, written ${r.writtenMb.toFixed(1)} MB (parquet ${r.parquetMb.toFixed(1)} MB)`;

async function main(): Promise<void> {
  if (process.argv[2] === "--child") return child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
  if (!existsSync(join(root, "lib", "dist", "synth", "prepare.js"))) {
    console.error("lib/dist is missing: run `npm run build` first (steps b and c are timed as users run them)");
    process.exitCode = 2;
    return;
  }
  console.log(
    `synth steps b + c benchmark: ${rows.toLocaleString()} items (and ${(2 * rows).toLocaleString()} for memory), notes of ${noteChars} characters${quick ? " (quick mode)" : ""}`,
  );
  const python = pandasPython();
  const { single, byWorkers, reference } = withInputs(rows, (dir) => {
    // Interleaved: project (each worker count), then the reference, on the same files.
    const byWorkers = workerCounts.map((workers) => runProject(dir, rows, workers));
    const reference = python ? runReference(python, dir) : undefined;
    return { single: byWorkers[0], byWorkers, reference };
  });
  for (const r of byWorkers) console.log(fmt(r));
  const { variants } = single;
  if (variants)
    console.log(
      `  variants boolean, numeric, all: three folders ${variants.folders.cpuSeconds.toFixed(2)} CPU-s, ${variants.folders.rows.toLocaleString()} rows written; ` +
        `one folder (prepareVariants) ${variants.once.cpuSeconds.toFixed(2)} CPU-s, ${variants.once.rows.toLocaleString()} rows written`,
    );
  const double =
    process.env.BENCH_SINGLE === "1"
      ? single
      : withInputs(2 * rows, (dir) => runProject(dir, 2 * rows, single.workers));
  if (double !== single) console.log(fmt(double));
  if (reference)
    console.log(
      `  reference (pandas, bench/reference/synth_bc.py, gzip CSV): ${reference.seconds.toFixed(2)} s (${reference.cpu_seconds.toFixed(2)} CPU-seconds; project ${single.cpuSeconds.toFixed(2)}, ratio ${(reference.cpu_seconds / single.cpuSeconds).toFixed(1)}x), train ${reference.train.toLocaleString()} / test ${reference.test.toLocaleString()}, written ${(reference.bytes / 1048576).toFixed(1)} MB`,
    );
  else console.log("  SKIP  reference: pandas is not installed (apt-get install python3-pandas); no ratio measured");
  console.log(
    `  I/O floor: compressing and writing the same ${single.parquetMb.toFixed(1)} MB of parquet from memory takes ${single.floorSeconds.toFixed(2)} s` +
      `${single.floorSameBytes ? " (same sizes as step c's files)" : " (SIZES DIFFER from step c's files)"}`,
  );
  const ratio = reference ? reference.seconds / single.seconds : undefined;
  const floorRatio = single.seconds / single.floorSeconds;
  const peak = Math.max(single.peakRssMb, double.peakRssMb);
  const growth = double.peakRssMb / single.peakRssMb - 1;
  const checks = [
    ...(ratio === undefined
      ? []
      : [
          {
            name: "speed-up over pandas",
            measured: `${ratio.toFixed(1)}x`,
            target: `>= ${TARGET_RATIO}x`,
            ok: ratio >= TARGET_RATIO,
          },
        ]),
    {
      name: "time / I/O floor",
      measured: `${floorRatio.toFixed(2)}x`,
      target: `<= ${TARGET_FLOOR_RATIO}x`,
      ok: floorRatio <= TARGET_FLOOR_RATIO,
    },
    { name: "peak RSS (MB)", measured: peak.toFixed(0), target: `< ${TARGET_RSS_MB}`, ok: peak < TARGET_RSS_MB },
    // BENCH_SINGLE=1 measures no growth.
    ...(double === single
      ? []
      : [
          {
            name: "RSS growth at 2x input",
            measured: `${(growth * 100).toFixed(1)}%`,
            target: `<= ${RSS_GROWTH_SLACK * 100}%`,
            ok: growth <= RSS_GROWTH_SLACK,
          },
        ]),
  ];
  for (const check of checks)
    console.log(
      `  ${check.ok ? "PASS" : "MISS"}  ${check.name.padEnd(24)} ${check.measured.padStart(10)}  (target ${check.target})`,
    );
  if (quick) console.log("  (quick mode: figures are not the issue's sizes)");
  process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
