// The notebook cell the scoring benchmark times as a whole process: import the built library, read the
// held-out questions, score the predictions file. Run by bench/score-vs-reference.bench.ts.
// Usage: node bench/score-library.mjs HELD_OUT.csv PREDICTIONS.jsonl RESAMPLES item|cluster
import { evaluation } from "../lib/dist/index.js";

const [heldOut, predictionsFile, resamples, unit] = process.argv.slice(2);
const items = await evaluation.readSyntheticItems(heldOut);
const result = evaluation.evaluateFile(predictionsFile, items, {
  bootstrap: { resamples: Number(resamples), seed: 1, unit },
});
const { accuracy, balancedAccuracy, microF1 } = result.score.overall;
console.log(JSON.stringify({ n: result.score.n, accuracy, balancedAccuracy, microF1 }));
