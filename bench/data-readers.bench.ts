/**
 * Reader throughput and memory: write 100,000 notes with writeJsonl, stream them back with readNotes,
 * and parse 288 n2c2-format files (the size of the real Track 1 corpus) with readN2c2Dir. The notes
 * are the sample notes repeated under new ids (synthetic, project-written).
 * Targets: the issue sets none for the readers; these are the project's own floors, so that a
 * regression to whole-file reading or a slow parser shows up:
 *   readNotes >= 10,000 notes/s; heap growth while streaming < 64 MB (bounded memory);
 *   288 n2c2 files parsed in < 3 s. (Set low enough to hold on the shared, loaded 2-core machine.)
 * BENCH_QUICK=1 uses 10,000 notes. Run: npx tsx bench/data-readers.bench.ts
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { readN2c2Dir, readNotes, writeJsonl } from "../lib/src/data/index.js";
import { readAllNotes } from "../lib/src/data/notes.js";
import { resolveFromRoot } from "../lib/src/paths.js";

const NOTES_PER_SECOND = 10_000;
const HEAP_GROWTH_MB = 64;
const N2C2_SECONDS = 3;
const noteCount = process.env.BENCH_QUICK === "1" ? 10_000 : 100_000;

// tsx runs this in a child process, so --expose-gc on the command line may not reach it: enable it here.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as (() => void) | undefined;
const heapMb = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const work = await mkdtemp(join(tmpdir(), "bench-data-"));
try {
  const sample = await readAllNotes(resolveFromRoot("data/sample/notes.jsonl"));
  const notesFile = join(work, "notes.jsonl");
  function* manyNotes() {
    for (let index = 0; index < noteCount; index += 1) {
      const base = sample[index % sample.length];
      yield { ...base, note_id: `B${index}`, patient_id: `BP${Math.floor(index / 3)}` };
    }
  }
  let start = performance.now();
  await writeJsonl(notesFile, manyNotes());
  const writeSeconds = (performance.now() - start) / 1000;

  const baseline = heapMb();
  let peak = baseline;
  let count = 0;
  let bytes = 0;
  start = performance.now();
  for await (const note of readNotes(notesFile)) {
    count += 1;
    bytes += note.text.length;
    if (count % 5_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed / 2 ** 20);
  }
  const readSeconds = (performance.now() - start) / 1000;
  const notesPerSecond = count / readSeconds;
  const growth = peak - baseline;

  // 288 patients: the 11 sample files repeated under new names.
  const n2c2Dir = join(work, "n2c2");
  const sources: string[] = [];
  for (const split of ["train", "test"]) {
    const dir = resolveFromRoot("data/sample/n2c2", split);
    for (const name of await readdir(dir)) sources.push(await readFile(join(dir, name), "utf8"));
  }
  await mkdir(n2c2Dir);
  for (let index = 0; index < 288; index += 1)
    await writeFile(join(n2c2Dir, `${index}.xml`), sources[index % sources.length]);
  start = performance.now();
  const patients = await readN2c2Dir(n2c2Dir);
  const n2c2Seconds = (performance.now() - start) / 1000;

  const rows: [string, string, string, boolean][] = [
    [
      `readNotes (${count.toLocaleString("en")} notes, ${(bytes / 2 ** 20).toFixed(0)} MB text)`,
      `${Math.round(notesPerSecond).toLocaleString("en")} notes/s`,
      `>= ${NOTES_PER_SECOND.toLocaleString("en")}/s`,
      notesPerSecond >= NOTES_PER_SECOND,
    ],
    ["heap growth while streaming", `${growth.toFixed(1)} MB`, `< ${HEAP_GROWTH_MB} MB`, growth < HEAP_GROWTH_MB],
    [
      `readN2c2Dir (${patients.length} files)`,
      `${n2c2Seconds.toFixed(2)} s`,
      `< ${N2C2_SECONDS} s`,
      n2c2Seconds < N2C2_SECONDS,
    ],
    ["writeJsonl (for information)", `${Math.round(count / writeSeconds).toLocaleString("en")} notes/s`, "-", true],
  ];
  console.log(
    `machine: ${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)}; gc ${gc ? "exposed" : "not exposed"}`,
  );
  for (const [name, measured, target, ok] of rows)
    console.log(`${ok ? "ok  " : "MISS"} ${name.padEnd(44)} ${measured.padStart(18)}   target ${target}`);
  process.exitCode = rows.every((row) => row[3]) ? 0 : 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
