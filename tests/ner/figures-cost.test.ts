import assert from "node:assert/strict";
import { test } from "uvu";
import { f1ByTypeFigure, speedCostFigure } from "../../lib/src/ner/figures.js";
import { splitNotes } from "../../lib/src/ner/pipeline.js";
import { costPer1000Notes, measureThroughput } from "../../lib/src/ner/speed-cost.js";

test("cost per 1,000 notes: hourly from speed, or from token prices", () => {
  // $3.60/h at 2 notes/s: 1,000 notes take 500 s = 5/36 h -> $0.50
  assert.ok(Math.abs(costPer1000Notes({ kind: "hourly", usdPerHour: 3.6 }, { notesPerSecond: 2 })! - 0.5) < 1e-12);
  // 1,000 x (2,000 x $1 + 500 x $2) / 10^6 = $3
  const tokens = costPer1000Notes(
    { kind: "tokens", usdPerMillionInput: 1, usdPerMillionOutput: 2 },
    { promptTokensPerNote: 2000, completionTokensPerNote: 500 },
  );
  assert.ok(Math.abs(tokens! - 3) < 1e-12);
  assert.equal(costPer1000Notes({ kind: "hourly", usdPerHour: 1 }, {}), undefined);
});

test("throughput counts notes, tokens and characters over repeated passes", () => {
  const t = measureThroughput(["one two three.", "four"], () => undefined, { minSeconds: 0.01 });
  assert.equal(t.notes % 2, 0);
  assert.equal(t.tokens / (t.notes / 2), 5);
  assert.ok(t.notesPerSecond > 0 && t.seconds >= 0.01);
});

test("figures are plotly values; sample figures say so; log axes for speed and cost", () => {
  const f1 = f1ByTypeFigure(
    [
      { labeler: "a", type: "disease", f1: 0.5, f1Ci: [0.4, 0.7] },
      { labeler: "b", type: "disease", f1: 0.6 },
    ],
    { sample: true },
  );
  assert.equal(f1.data.length, 2);
  assert.deepEqual((f1.data[0].error_y as { array: number[] }).array, [0.7 - 0.5]);
  assert.match(String((f1.layout.title as { text: string }).text), /^SAMPLE DATA/);
  const speed = speedCostFigure(
    [
      { system: "x", notesPerSecond: 10, costPer1000Notes: 0.01, basis: "measured" },
      { system: "llm", costPer1000Notes: 1, basis: "replay" },
    ],
    { sample: false },
  );
  assert.equal((speed.layout.xaxis as { type: string }).type, "log");
  assert.equal((speed.layout.yaxis as { type: string }).type, "log");
  assert.deepEqual(speed.data[0].text, ["x"]);
  assert.match(JSON.stringify(speed.layout.annotations), /not plotted.*llm/);
  assert.doesNotMatch(String((speed.layout.title as { text: string }).text), /SAMPLE/);
});

test("split by note: seeded, disjoint, complete", () => {
  const notes = Array.from({ length: 10 }, (_, i) => ({ id: `n${i}` }));
  const a = splitNotes(notes, { testFraction: 0.3, seed: 1 });
  assert.equal(a.test.length, 3);
  assert.equal(a.train.length + a.test.length, 10);
  assert.ok(!a.train.some((note) => a.test.includes(note)));
  assert.deepEqual(splitNotes(notes, { testFraction: 0.3, seed: 1 }), a);
  assert.equal(splitNotes(notes.slice(0, 2), { testFraction: 0.01, seed: 1 }).test.length, 1);
  assert.throws(() => splitNotes(notes, { testFraction: 1, seed: 1 }), /testFraction/);
});

test.run();
