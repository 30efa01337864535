/**
 * The evaluate step end to end at the paper's size: read and check a predictions file of 42,498 rows,
 * parse every answer, grade it against gold (exact and within tolerance), and score all metrics overall,
 * per question type and per question with 1,000 bootstrap resamples, plus the numeric exact/tolerance CIs.
 * Target: scoring (all metrics, per type and per question, 1,000 resamples) under 3 s on this machine (issue 6);
 * reading the file and parsing/grading are timed and reported beside it.
 * The items and answers are generated (seeded, about 85% correct): timings only, not results.
 * Run: npx tsx bench/eval-tasks-evaluate.bench.ts   (BENCH_QUICK=1: 5,000 items, 200 resamples)
 */
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createRng } from "../lib/src/eval/index.js";
import { gradeItems } from "../lib/src/eval/tasks/grade.js";
import { readPredictions, scoreGraded, writePredictions } from "../lib/src/eval/tasks/index.js";
import type { EvalItem, Prediction } from "../lib/src/eval/tasks/types.js";

const TARGET_SECONDS = 3;
const quick = process.env.BENCH_QUICK === "1";
const count = quick ? 5_000 : 42_498;
const resamples = quick ? 200 : 1_000;
const rng = createRng(7);
const types = ["boolean", "numeric", "na_boolean", "na_numeric"] as const;
const formats = [
  (answer: string) => JSON.stringify({ answer, explanation: "generated" }),
  (answer: string) => `\`\`\`json\n{"answer": "${answer}",}\n\`\`\``,
  (answer: string) => `${answer}.`,
];

const items: EvalItem[] = [];
const predictions: Prediction[] = [];
for (let i = 0; i < count; i++) {
  const questionType = types[i % 4];
  const numeric = questionType.endsWith("numeric");
  const gold = questionType.startsWith("na_")
    ? "NA"
    : numeric
      ? String(Math.round(rng.next() * 400) / 10)
      : rng.next() < 0.6
        ? "yes"
        : "no";
  let answer = gold;
  if (rng.next() > 0.85)
    answer = numeric ? `${Math.round(rng.next() * 400) / 10} mg/dL` : gold === "yes" ? "no" : "yes";
  const itemId = `syn-${i}`;
  items.push({
    itemId,
    task: "synthetic",
    noteId: `N${i >> 5}`,
    questionId: `${questionType}-${i % 40}`,
    questionType,
    question: "generated",
    gold,
    difficulty: String(1 + (i % 10)),
  });
  predictions.push({ item_id: itemId, model: "bench", ok: true, text: formats[i % formats.length](answer) });
}
const file = join(mkdtempSync(join(tmpdir(), "bench-eval-tasks-")), "predictions.jsonl");
writePredictions(file, predictions);

const seconds = (from: number) => (performance.now() - from) / 1000;
let started = performance.now();
const read = readPredictions(
  file,
  items.map((item) => item.itemId),
);
const readSeconds = seconds(started);
started = performance.now();
const graded = gradeItems(items, read, { tolerance: { relative: 0.05 } });
const gradeSeconds = seconds(started);
started = performance.now();
const score = scoreGraded("bench", graded, { bootstrap: { resamples, seed: 1 } });
const scoreSeconds = seconds(started);

const accuracy = score.overall.accuracy;
console.log(
  `items ${count}, resamples ${resamples}, groups: ${Object.keys(score.byType).length} types, ${Object.keys(score.byQuestion).length} questions; load average ${loadavg()[0].toFixed(1)}`,
);
console.log(
  `accuracy ${accuracy.value.toFixed(4)} [${accuracy.low.toFixed(4)}, ${accuracy.high.toFixed(4)}] (generated data)`,
);
console.log(`read + check predictions file: ${readSeconds.toFixed(2)} s`);
console.log(`parse + grade answers:         ${gradeSeconds.toFixed(2)} s (${Math.round(count / gradeSeconds)}/s)`);
console.log(
  `score (CIs, types, questions): ${scoreSeconds.toFixed(2)} s   target < ${TARGET_SECONDS} s   ${scoreSeconds < TARGET_SECONDS ? "MET" : "MISSED"}`,
);
console.log(`whole evaluate step:           ${(readSeconds + gradeSeconds + scoreSeconds).toFixed(2)} s`);
process.exit(quick || scoreSeconds < TARGET_SECONDS ? 0 : 1);
