/**
 * Export guard at a realistic restricted-corpus size: a seeded generator writes synthetic clinical-looking
 * notes (project-written, no real data) as JSONL, the guard indexes every 8-word run of them, then scans
 * 15 executed notebooks (a few MB of outputs: tables, figures, streams, HTML, model answers) of which one
 * hides a copied excerpt (broken over two outputs, with look-alike letters) that must be found and the
 * rest must pass.
 * Targets (issue 15: "fast enough for every export"), on the shared 2-core machine, for 300 MB of notes:
 *   index build < 60 s; scan of the 15 notebooks < 5 s; memory held by the index < 1 GB.
 * The corpus size scales the build target (60 s per 300 MB).
 * Run: npx tsx bench/export-guard.bench.ts [--mb 300]   (GUARD_BENCH_MB=30 or BENCH_QUICK=1 for a small run)
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createRng } from "../lib/src/core/random.js";
import { readDatasetRegistry } from "../lib/src/report/dataset-registry.js";
import { buildRestrictedIndex, indexShingles, scanNotebook } from "../lib/src/report/export-guard.js";
import type { NotebookDocument, ScanStats } from "../lib/src/report/index.js";
import { toTablePayload } from "../lib/src/report/table-data.js";
import { PLOTLY_MIME, TABLE_MIME } from "../lib/src/report/types.js";

const { values } = parseArgs({ options: { mb: { type: "string" } } });
const megabytes = Number(values.mb ?? process.env.GUARD_BENCH_MB ?? (process.env.BENCH_QUICK === "1" ? "30" : "300"));
const BUILD_SECONDS = (60 * megabytes) / 300;
const SCAN_SECONDS = 5;
const INDEX_MB = (1024 * megabytes) / 300;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as (() => void) | undefined;
const memoryMb = () => {
  gc?.();
  const usage = process.memoryUsage();
  return { rss: usage.rss / 2 ** 20, held: (usage.heapUsed + usage.arrayBuffers) / 2 ** 20 };
};

/** A seeded uniform source in [0, 1), as the note builders take it. */
const random = (seed: number): (() => number) => {
  const rng = createRng(seed);
  return () => rng.next();
};

const words = (text: string) => text.split(" ");
const vocabulary = {
  symptom: words(
    "chest pain dyspnea orthopnea palpitations syncope fever chills cough hemoptysis nausea vomiting diarrhea melena hematochezia dysuria abdominal pain headache confusion weakness numbness edema rash fatigue",
  ),
  history: words(
    "hypertension diabetes mellitus hyperlipidemia coronary artery disease atrial fibrillation heart failure copd asthma chronic kidney disease cirrhosis hypothyroidism depression obstructive sleep apnea gout stroke",
  ),
  drug: words(
    "lisinopril metoprolol amlodipine atorvastatin metformin insulin glargine aspirin clopidogrel apixaban warfarin furosemide spironolactone levothyroxine omeprazole pantoprazole albuterol prednisone vancomycin ceftriaxone piperacillin",
  ),
  finding: words(
    "creatinine troponin lactate hemoglobin platelets sodium potassium bicarbonate glucose hba1c bnp inr albumin bilirubin lipase wbc",
  ),
  filler: words(
    "the patient was noted to have and with without on of in at for from after before during overnight today yesterday this morning evening denies reports endorses states family history social tobacco alcohol mild moderate severe stable improved worsening unchanged bilateral left right lower upper extremity exam plan continue start stop increase decrease monitor follow up outpatient clinic discharge admitted transferred floor icu service team discussed",
  ),
};
const units = ["mg", "mg/dL", "mmol/L", "%", "units", "mcg", "mEq/L"];

/** One synthetic note: templated sentences with random slots, as real notes are. */
function note(next: () => number): string {
  const pick = (list: string[]) => list[Math.floor(next() * list.length)];
  const number = () => (next() * 200).toFixed(next() < 0.5 ? 0 : 1);
  const sentences: string[] = [];
  const count = 20 + Math.floor(next() * 40);
  for (let i = 0; i < count; i++) {
    const kind = next();
    if (kind < 0.25)
      sentences.push(
        `${Math.floor(20 + next() * 70)} year old with ${pick(vocabulary.history)} and ${pick(vocabulary.history)} presented with ${pick(vocabulary.symptom)} for ${Math.floor(1 + next() * 14)} days.`,
      );
    else if (kind < 0.45)
      sentences.push(
        `${pick(vocabulary.finding)} ${number()} ${pick(units)}, ${pick(vocabulary.finding)} ${number()}, ${pick(vocabulary.finding)} ${number()} on ${Math.floor(1 + next() * 12)}/${Math.floor(1 + next() * 28)}.`,
      );
    else if (kind < 0.6)
      sentences.push(
        `${pick(["Continue", "Start", "Hold", "Increase", "Decrease"])} ${pick(vocabulary.drug)} ${number()} ${pick(units)} ${pick(["daily", "twice daily", "at night", "every 8 hours", "as needed"])}.`,
      );
    else {
      const length = 6 + Math.floor(next() * 14);
      const phrase: string[] = [];
      for (let w = 0; w < length; w++)
        phrase.push(
          next() < 0.7 ? pick(vocabulary.filler) : pick(next() < 0.5 ? vocabulary.symptom : vocabulary.history),
        );
      sentences.push(`${phrase.join(" ")}.`);
    }
  }
  return sentences.join(" ");
}

const work = mkdtempSync(join(tmpdir(), "bench-guard-"));
try {
  // 1. The restricted corpus.
  let start = performance.now();
  const corpus = join(work, "notes.jsonl");
  const handle = openSync(corpus, "w");
  const next = random(42);
  let bytes = 0;
  let notes = 0;
  let planted = "";
  const target = megabytes * 2 ** 20;
  while (bytes < target) {
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) {
      const text = note(next);
      if (notes === 1234) planted = text;
      lines.push(JSON.stringify({ note_id: `N${notes}`, patient_id: `P${notes >> 2}`, text }));
      notes++;
    }
    const chunk = `${lines.join("\n")}\n`;
    bytes += writeSync(handle, chunk);
  }
  closeSync(handle);
  const generateSeconds = (performance.now() - start) / 1000;
  const registry = join(work, "registry.yaml");
  writeFileSync(
    registry,
    `datasets:\n  - id: synthetic-restricted\n    description: bench corpus\n    kind: notes\n    path: ${corpus}\n    restricted: true\n    agreement: bench\n`,
  );

  // 2. The index.
  const before = memoryMb();
  start = performance.now();
  const index = await buildRestrictedIndex(readDatasetRegistry(registry));
  const buildSeconds = (performance.now() - start) / 1000;
  const after = memoryMb();
  const indexMb = index.datasets.reduce((sum, d) => sum + d.shingles.bytes, index.vocabulary.bytes) / 2 ** 20;

  // 3. Fifteen executed notebooks, ~4 MB of outputs; notebook 9 hides an excerpt of a restricted note.
  const other = random(7);
  const prose = () => {
    // Text the notebooks print themselves: metrics talk, not notes (different words and order).
    const sentence: string[] = [];
    for (let w = 0; w < 12; w++)
      sentence.push(
        [
          "micro",
          "f1",
          "precision",
          "recall",
          "criterion",
          "model",
          "student",
          "teacher",
          "epoch",
          "loss",
          "the",
          "of",
        ][Math.floor(other() * 12)],
      );
    return sentence.join(" ");
  };
  const notebooks: NotebookDocument[] = [];
  let outputBytes = 0;
  for (let n = 0; n < 15; n++) {
    const cells: NotebookDocument["cells"] = [
      { cell_type: "markdown", source: `# Notebook ${n}\n\n${prose()}. ${prose()}.` },
    ];
    for (let c = 0; c < 12; c++) {
      const rows = Array.from({ length: 50 }, (_, i) => ({
        id: `N${i}`,
        criterion: vocabulary.finding[i % vocabulary.finding.length],
        f1: other().toFixed(3),
        answer: JSON.stringify({ answer: other() < 0.5, value: (other() * 10).toFixed(1) }),
        explanation: prose(),
      }));
      const table = toTablePayload(rows);
      const x = Array.from({ length: 400 }, (_, i) => i);
      const figure = {
        data: [{ type: "scatter", x, y: x.map(() => other()), text: x.map((i) => `note N${i}`) }],
        layout: { title: { text: prose() } },
      };
      const html = `<table>${rows.map((row) => `<tr><td title="${row.id}">${row.criterion}</td><td>${row.explanation}</td></tr>`).join("")}</table>`;
      cells.push({
        cell_type: "code",
        source: `report.table(rows${c})\nreport.show(fig${c})`,
        execution_count: c + 1,
        outputs: [
          { output_type: "stream", name: "stdout", text: `${prose()}\n${x.join(" ")}\n` },
          { output_type: "display_data", data: { [TABLE_MIME]: table, "text/html": html, "text/plain": prose() } },
          { output_type: "display_data", data: { [PLOTLY_MIME]: figure, "text/plain": "[figure]" } },
        ],
      });
    }
    if (n === 9) {
      const leak = planted.split(" ").slice(40, 60);
      const homoglyphs = (text: string) => text.replace(/o/g, "о").replace(/a/g, "а");
      cells.push({
        cell_type: "code",
        source: "for (const line of lines) console.log(line)",
        execution_count: 99,
        outputs: [
          { output_type: "stream", name: "stdout", text: `${homoglyphs(leak.slice(0, 7).join(" "))}\n` },
          { output_type: "stream", name: "stdout", text: `${homoglyphs(leak.slice(7).join(" "))}\n` },
        ],
      });
    }
    outputBytes += JSON.stringify(cells).length;
    notebooks.push({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
  }
  start = performance.now();
  const stats: ScanStats = { windows: 0, ambiguous: 0 };
  const findings = notebooks.flatMap((nb, n) => scanNotebook(nb, `nb-${n}.ipynb`, index, stats));
  const scanSeconds = (performance.now() - start) / 1000;
  const leakFound = findings.some((finding) => finding.notebook === "nb-9.ipynb" && finding.cell === 14);
  const falseRefusals = findings.filter((finding) => finding.notebook !== "nb-9.ipynb").length;

  const rows: [string, string, string, boolean][] = [
    [
      `corpus: ${notes.toLocaleString("en")} notes, ${(bytes / 2 ** 20).toFixed(0)} MB (generated in ${generateSeconds.toFixed(1)} s)`,
      `${(index.scanned[0].words ?? 0).toLocaleString("en")} words`,
      "-",
      true,
    ],
    [
      `index build (${indexShingles(index).toLocaleString("en")} distinct 8-word runs)`,
      `${buildSeconds.toFixed(1)} s`,
      `< ${BUILD_SECONDS.toFixed(0)} s`,
      buildSeconds < BUILD_SECONDS,
    ],
    [
      "index memory (sorted runs + vocabulary)",
      `${indexMb.toFixed(0)} MB`,
      `< ${INDEX_MB.toFixed(0)} MB`,
      indexMb < INDEX_MB,
    ],
    [
      "process memory after build (heap + buffers; rss)",
      `${(after.held - before.held).toFixed(0)} MB; ${after.rss.toFixed(0)} MB`,
      "-",
      true,
    ],
    [
      `scan: 15 notebooks, ${(outputBytes / 2 ** 20).toFixed(1)} MB, ${stats.windows.toLocaleString("en")} windows`,
      `${scanSeconds.toFixed(2)} s`,
      `< ${SCAN_SECONDS} s`,
      scanSeconds < SCAN_SECONDS,
    ],
    ["planted excerpt found (two outputs, look-alikes)", String(leakFound), "true", leakFound],
    ["refusals of the 14 clean notebooks", String(falseRefusals), "0", falseRefusals === 0],
  ];
  console.log(
    `machine: ${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)}; gc ${gc ? "exposed" : "not exposed"}`,
  );
  for (const [name, measured, goal, ok] of rows)
    console.log(`${ok ? "ok  " : "MISS"} ${name.padEnd(66)} ${measured.padStart(20)}   target ${goal}`);
  process.exitCode = rows.every((row) => row[3]) ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
