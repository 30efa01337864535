import { test } from "uvu";
import * as assert from "uvu/assert";
import { type AnswerItem, bootstrapSchema, scoreAnswers } from "../../lib/src/eval/index.js";

// Six items (hand-written sample outputs, not model results).
const items: AnswerItem[] = [
  { id: "a1", type: "boolean", question: "af", expected: "boolean", gold: "yes", output: '{"answer": "Yes"}' },
  { id: "a2", type: "boolean", question: "af", expected: "boolean", gold: "no", output: "yes" },
  { id: "a3", type: "numeric", question: "lvef", expected: "numeric", gold: "35", output: "35 %" },
  { id: "a4", type: "numeric", question: "lvef", expected: "numeric", gold: "40", output: "41" },
  { id: "a5", type: "na_numeric", question: "lvef", expected: "numeric", gold: "NA", output: "not documented" },
  { id: "a6", type: "boolean", question: "af", expected: "boolean", gold: "yes", output: "I am not sure." },
];

test("end to end: exact, tolerance beside it, unparseable counted wrong and listed", () => {
  const scores = scoreAnswers({ items, tolerance: { absolute: 1 }, bootstrap: { resamples: 50 } });
  assert.is(scores.n, 6);
  // Exact: a1, a3, a5 right; a2 wrong, a4 wrong (41 vs 40), a6 unparseable -> 3/6
  assert.is(scores.exact.overall.accuracy.value, 0.5);
  // Within 1: a4 also right -> 4/6
  assert.is(scores.withinTolerance?.overall.accuracy.value, 4 / 6);
  assert.equal(
    scores.unparseable.map((item) => item.id),
    ["a6"],
  );
  assert.match(scores.unparseable[0].reason, /yes\/no/);
  assert.equal(
    scores.items.map((item) => [item.id, item.exact, item.withinTolerance]),
    [
      ["a1", true, true],
      ["a2", false, false],
      ["a3", true, true],
      ["a4", false, true],
      ["a5", true, true],
      ["a6", false, false],
    ],
  );
  // Per type: boolean a1 right, a2 wrong, a6 wrong -> 1/3; gold classes yes (a1 right, a6 wrong), no (wrong)
  // -> balanced accuracy (1/2 + 0)/2 = 1/4
  assert.is(scores.exact.groups.type.boolean.accuracy.value, 1 / 3);
  assert.is(scores.exact.groups.type.boolean.balancedAccuracy.value, 0.25);
  assert.equal(Object.keys(scores.exact.groups.question), ["af", "lvef"]);
  // No tolerance given: no tolerance score.
  assert.is(scoreAnswers({ items, bootstrap: { resamples: 0 } }).withinTolerance, null);
});

test("bad input names the item: duplicate id, unreadable gold, missing id", () => {
  assert.throws(
    () => scoreAnswers({ items: [items[0], { ...items[1], id: "a1" }] }),
    /duplicate item id "a1" at row 1/,
  );
  assert.throws(
    () => scoreAnswers({ items: [{ ...items[0], gold: "perhaps" }] }),
    /item 0 \(id "a1"\): gold answer "perhaps" cannot be read/,
  );
  assert.throws(() => scoreAnswers({ items: [{ ...items[0], id: "" }] }), /item 0 .* has no id/);
});

test("listed types report empty groups as n = 0", () => {
  const scores = scoreAnswers({
    items,
    types: ["boolean", "numeric", "na_boolean", "na_numeric"],
    bootstrap: { resamples: 10 },
  });
  assert.is(scores.exact.groups.type.na_boolean.n, 0);
  assert.ok(Number.isNaN(scores.exact.groups.type.na_boolean.accuracy.value));
  assert.equal(bootstrapSchema.parse({}), { resamples: 1000, seed: 0, confidence: 0.95 });
  assert.throws(() => bootstrapSchema.parse({ resample: 10 }));
});

test.run();
