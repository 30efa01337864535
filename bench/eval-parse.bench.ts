/**
 * Answer parsing throughput: parse 100,000 model outputs of realistic shapes (mostly clean JSON with an
 * explanation; code fences, prose around JSON, single quotes and trailing commas, bare text answers, junk).
 * Target (issue 6): >= 200,000 outputs/s. BENCH_QUICK=1 parses 20,000 instead.
 * Run: npx tsx bench/eval-parse.bench.ts
 */
import { availableParallelism, loadavg } from "node:os";
import { createRng, type ExpectedAnswer, parseAnswer } from "../lib/src/eval/index.js";

const TARGET_PER_SECOND = 200_000;
const count = process.env.BENCH_QUICK === "1" ? 20_000 : 100_000;
const rng = createRng(2024);
const pick = <T>(items: readonly T[]): T => items[rng.nextInt(items.length)];

const explanations = [
  "The discharge summary documents paroxysmal atrial fibrillation on telemetry with rate control started.",
  "Echocardiogram on 2131-05-02 showed an LVEF of 35% with moderate mitral regurgitation.",
  "No mention of gastrointestinal bleeding or transfusion in the last six months of notes.",
  "Creatinine peaked at 1.9 mg/dL on hospital day 3 before returning to baseline of 1.1 mg/dL.",
  "The note does not report a hemoglobin A1c value at any point during the admission.",
];
const booleanAnswers = ["yes", "no", "Yes", "No", "NA", "TRUE", "false"];
const numericAnswers = ["7.2", "1.4 mg/dL", "35 %", "150,000", "6.5-7.0", "N/A", "98", "-2", "1,9", "2.3e3"];

function makeOutput(): { text: string; expected: ExpectedAnswer } {
  const expected: ExpectedAnswer = rng.next() < 0.5 ? "boolean" : "numeric";
  const answer = expected === "boolean" ? pick(booleanAnswers) : pick(numericAnswers);
  const explanation = pick(explanations);
  const json = JSON.stringify({ answer, explanation });
  const shape = rng.next();
  let text: string;
  if (shape < 0.6) text = json;
  else if (shape < 0.7) text = "```json\n" + json + "\n```";
  else if (shape < 0.8) text = `Here is the answer based on the note:\n${json}\nLet me know if you need more.`;
  else if (shape < 0.85) text = `{'answer': '${answer}', 'explanation': '${explanation.replaceAll("'", "")}',}`;
  else if (shape < 0.95) text = rng.next() < 0.5 ? `${answer}.` : `Answer: ${answer}`;
  else text = "I am unable to answer this question from the information provided in the note.";
  return { text, expected };
}

const outputs = Array.from({ length: count }, makeOutput);
// Warm up the JIT on a slice, then time five full passes. The target is judged on the fastest pass (as
// Python's timeit does: the fastest pass is the one least disturbed by other processes on a shared
// machine); the median pass and the rate per CPU second are printed beside it.
for (let i = 0; i < Math.min(count, 10_000); i++) parseAnswer(outputs[i].text, outputs[i].expected);
const rates: number[] = [];
const cpuRates: number[] = [];
const kinds: Record<string, number> = {};
const PASSES = 5;
for (let pass = 0; pass < PASSES; pass++) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (const output of outputs) {
    const parsed = parseAnswer(output.text, output.expected);
    if (pass === 0) kinds[parsed.kind] = (kinds[parsed.kind] ?? 0) + 1;
  }
  rates.push(count / ((performance.now() - start) / 1000));
  const cpu = process.cpuUsage(cpuStart);
  cpuRates.push(count / ((cpu.user + cpu.system) / 1e6));
}
rates.sort((a, b) => a - b);
cpuRates.sort((a, b) => a - b);
const median = rates[Math.floor(PASSES / 2)];
const best = rates[PASSES - 1];
console.log(`parsed ${count.toLocaleString()} outputs; kinds: ${JSON.stringify(kinds)}`);
console.log(
  `throughput, best of ${PASSES} passes: ${Math.round(best).toLocaleString()} outputs/s   (median pass ${Math.round(median).toLocaleString()}/s; per CPU second ${Math.round(cpuRates[Math.floor(PASSES / 2)]).toLocaleString()})   target >= ${TARGET_PER_SECOND.toLocaleString()}/s   ${best >= TARGET_PER_SECOND ? "MET" : "MISSED"}`,
);
// The CPU figure shows how much a shared machine's load stretched the wall-clock figures.
console.log(`machine load average (1 min): ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
process.exit(best >= TARGET_PER_SECOND ? 0 : 1);
