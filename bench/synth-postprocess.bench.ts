/**
 * Benchmark: teacher responses through post-processing (step b) and preparation (step c) to parquet.
 *
 * A generator writes N question items (default 400,000; each a teacher-written question with answer,
 * source quote and explanation of realistic length) grouped into teacher responses of one note and
 * one question type (10/10/5/5 questions per note, the method's counts), with about 2% malformed
 * (truncated, prose without JSON, wrong types) and about 5% duplicate questions. The timed part runs
 * in a child process: postProcessFile -> prepareDataset (variant all, seeded balancing, split by note,
 * parquet + JSONL + card + manifest). Rows/s counts input question items.
 *
 * Targets (issue 4): >= 150,000 rows/s end to end; peak RSS < 1 GB; peak RSS not growing when the
 * input doubles (measured at N and 2N, allowed slack 15%). Beside them it prints a "format floor": the
 * time to write the prepared rows' parquet again from memory, the part no faster parsing can remove.
 *
 * Usage: npx tsx bench/synth-postprocess.bench.ts        (BENCH_QUICK=1 for 20,000 rows)
 *        env BENCH_NOTE_CHARS=N sets the note length (default 2,000 characters); BENCH_ROWS=N the size;
 *        BENCH_SINGLE=1 skips the doubled run. Rows/s is wall-clock; rows per CPU-second is shown beside it
 *        because on a shared machine the wall clock mostly measures other people's load.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pl from "nodejs-polars";
import { evalMessages } from "../lib/src/prompts/eval.js";
import { LLAMA31_SPECIAL } from "../lib/src/prompts/llama31.js";
import { JsonlWriter, readJsonlRows } from "../lib/src/synth/internal/jsonl.js";
import { rng } from "../lib/src/synth/internal/random.js";
import { DatasetShardWriter } from "../lib/src/synth/parquet-shards.js";
import { postProcessFile } from "../lib/src/synth/post-process-file.js";
import { PREPARED_COLUMNS, prepareDataset, promptTemplates } from "../lib/src/synth/prepare.js";
import { trainingTarget } from "../lib/src/synth/training-format.js";
import type { SynthRow } from "../lib/src/synth/types.js";

const TARGET_ROWS_PER_S = 150_000;
const TARGET_RSS_MB = 1024;
const RSS_GROWTH_SLACK = 0.15;
const quick = process.env.BENCH_QUICK === "1";
const rows = Number(process.env.BENCH_ROWS ?? (quick ? 20_000 : 400_000));
const noteChars = Number(process.env.BENCH_NOTE_CHARS ?? 2000);

const COUNTS = { boolean: 10, numeric: 10, na_numeric: 5, na_boolean: 5 } as const;
const WORDS =
  "patient admitted with chest pain troponin elevated creatinine baseline insulin glargine metoprolol heparin discharge stable follow up cardiology echocardiogram ejection fraction hypertension diabetes kidney".split(
    " ",
  );

/** Write notes and teacher responses totalling `total` question items. Deterministic. */
function generate(dir: string, total: number): { notes: string; responses: string } {
  const random = rng(20_241_124, "bench");
  const word = () => WORDS[random.int(WORDS.length)];
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
        const quote = lines[random.int(lines.length)];
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
          difficulty: 1 + random.int(10),
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
  seconds: number;
  /** CPU seconds of the process (user + system, all threads): less sensitive to a shared machine's load. */
  cpuSeconds: number;
  postSeconds: number;
  prepareSeconds: number;
  peakRssMb: number;
  accepted: number;
  rejected: number;
  trainRows: number;
  testRows: number;
  parquetMb: number;
  /** Seconds to write the same parquet shards again from rows already in memory (see formatFloor). */
  floorSeconds: number;
}

/**
 * The parquet part alone: the prepared rows, read back into memory (not timed), written again through
 * the same shard writer (polars joins the notes in, builds the prompt strings and chat lists, writes
 * zstd parquet), with no parsing, checks, balancing or JSONL. Step c as written spends at least this
 * long, so input rows / floorSeconds bounds its rate however fast the rest becomes.
 */
async function formatFloor(dir: string, files: string[]): Promise<number> {
  const notes = new Map<string, string>();
  for (const note of await readJsonlRows<{ note_id: string; text: string }>(join(dir, "notes.jsonl")))
    notes.set(note.note_id, note.text);
  const templates = promptTemplates(evalMessages, undefined);
  let seconds = 0;
  // One shard at a time, so the rows held in memory (and the garbage collector's work) stay one shard's worth.
  for (const [i, file] of files.entries()) {
    const rows = pl
      .readParquet(join(dir, "dataset", file))
      .select(...Object.keys(PREPARED_COLUMNS))
      .toRecords() as Record<string, unknown>[];
    // The same target and completion strings step c writes.
    const targets = rows.map((row) => trainingTarget(row as unknown as SynthRow, ["answer", "explanation"]));
    const start = performance.now();
    const writer = new DatasetShardWriter({
      dir: join(dir, "floor"),
      split: `shard${i}`,
      columns: PREPARED_COLUMNS,
      templates,
    });
    for (let r = 0; r < rows.length; r++) {
      const noteId = rows[r].note_id as string;
      writer.push(rows[r], noteId, notes.get(noteId) as string, targets[r], `${targets[r]}${LLAMA31_SPECIAL.eot}`);
    }
    writer.close();
    seconds += (performance.now() - start) / 1000;
  }
  return seconds;
}

async function child(dir: string, total: number): Promise<void> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const post = await postProcessFile({
    responsesFile: join(dir, "responses.jsonl"),
    notes: join(dir, "notes.jsonl"),
    outDir: join(dir, "post"),
  });
  const mid = performance.now();
  const prepared = await prepareDataset({
    acceptedFile: post.files.accepted,
    notes: join(dir, "notes.jsonl"),
    outDir: join(dir, "dataset"),
    variant: "all",
    seed: 42,
  });
  const end = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  const parquetBytes = [...prepared.stats.splits.train.files, ...prepared.stats.splits.test.files].reduce(
    (sum, file) => sum + statSync(join(dir, "dataset", file)).size,
    0,
  );
  const result: ChildResult = {
    rows: total,
    seconds: (end - start) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    postSeconds: (mid - start) / 1000,
    prepareSeconds: (end - mid) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    accepted: post.stats.accepted,
    rejected: post.stats.rejected + post.stats.responsesRejected,
    trainRows: prepared.stats.splits.train.rows,
    testRows: prepared.stats.splits.test.rows,
    parquetMb: parquetBytes / 1048576,
    floorSeconds: await formatFloor(dir, [...prepared.stats.splits.train.files, ...prepared.stats.splits.test.files]),
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

function measure(total: number): ChildResult {
  const dir = mkdtempSync(join(tmpdir(), "bench-synth-"));
  try {
    mkdirSync(dir, { recursive: true });
    const genStart = performance.now();
    generate(dir, total);
    console.log(
      `  generated ${total.toLocaleString()} items in ${((performance.now() - genStart) / 1000).toFixed(1)} s`,
    );
    const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1], "--child", dir, String(total)], {
      encoding: "utf8",
      maxBuffer: 1 << 24,
    });
    const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (run.status !== 0 || !line) throw new Error(`benchmark child failed (${run.status}):\n${run.stderr}`);
    return JSON.parse(line.slice(7)) as ChildResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "--child") return child(process.argv[3], Number(process.argv[4]));
  console.log(
    `synth post-process + prepare benchmark: ${rows.toLocaleString()} and ${(2 * rows).toLocaleString()} items, notes of ${noteChars} characters${quick ? " (quick mode)" : ""}`,
  );
  const single = measure(rows);
  // BENCH_SINGLE=1 skips the doubled run (no RSS-growth figure) on a busy machine.
  const double = process.env.BENCH_SINGLE === "1" ? single : measure(2 * rows);
  const rate = single.rows / single.seconds;
  const growth = double.peakRssMb / single.peakRssMb - 1;
  const fmt = (r: ChildResult) =>
    `  ${r.rows.toLocaleString().padStart(9)} items: ${r.seconds.toFixed(2)} s (post ${r.postSeconds.toFixed(2)} s, prepare ${r.prepareSeconds.toFixed(2)} s), ` +
    `${Math.round(r.rows / r.seconds).toLocaleString()} rows/s (${Math.round(r.rows / r.cpuSeconds).toLocaleString()} rows per CPU-second), peak RSS ${r.peakRssMb.toFixed(0)} MB; accepted ${r.accepted.toLocaleString()}, rejected ${r.rejected.toLocaleString()}, ` +
    `train ${r.trainRows.toLocaleString()} / test ${r.testRows.toLocaleString()}, parquet ${r.parquetMb.toFixed(1)} MB`;
  console.log(fmt(single));
  if (double !== single) console.log(fmt(double));
  console.log(
    `  format floor: writing the same ${(single.trainRows + single.testRows).toLocaleString()} prepared rows' parquet again from memory (no parsing, checks or JSONL) takes ` +
      `${single.floorSeconds.toFixed(2)} s = ${Math.round(single.rows / single.floorSeconds).toLocaleString()} input rows/s, the most step c as written can reach`,
  );
  const checks = [
    {
      name: "rows/s end to end",
      measured: Math.round(rate).toLocaleString(),
      target: `>= ${TARGET_ROWS_PER_S.toLocaleString()}`,
      ok: rate >= TARGET_ROWS_PER_S,
    },
    {
      name: "peak RSS (MB)",
      measured: Math.max(single.peakRssMb, double.peakRssMb).toFixed(0),
      target: `< ${TARGET_RSS_MB}`,
      ok: Math.max(single.peakRssMb, double.peakRssMb) < TARGET_RSS_MB,
    },
    {
      name: "RSS growth at 2x input",
      measured: `${(growth * 100).toFixed(1)}%`,
      target: `<= ${RSS_GROWTH_SLACK * 100}%`,
      ok: growth <= RSS_GROWTH_SLACK,
    },
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
