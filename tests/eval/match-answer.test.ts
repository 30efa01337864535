import { test } from "uvu";
import * as assert from "uvu/assert";
import { answerLabel, matchAnswer, parseAnswer, toleranceSchema } from "../../lib/src/eval/index.js";

const match = (gold: string, output: string, tolerance?: { absolute?: number; relative?: number }) =>
  matchAnswer({ gold, pred: parseAnswer(output, "any"), tolerance });

test("exact match after normalisation (the paper's rule)", () => {
  assert.equal(match("7.2", "7.20"), { exact: true, withinTolerance: true });
  assert.equal(match("7.2", "7,2 %"), { exact: true, withinTolerance: true });
  assert.equal(match("0.0012", "1.2e-3"), { exact: true, withinTolerance: true });
  assert.equal(match("150000", "150,000"), { exact: true, withinTolerance: true });
  assert.equal(match("yes", "Yes."), { exact: true, withinTolerance: true });
  assert.equal(match("NA", "not available"), { exact: true, withinTolerance: true });
  assert.equal(match("no", "yes"), { exact: false, withinTolerance: false });
  assert.equal(match("NA", "7.2"), { exact: false, withinTolerance: false });
  assert.equal(match("7.2", "garbage"), { exact: false, withinTolerance: false });
});

test("tolerance is reported beside exact, never instead of it", () => {
  // |7.3 - 7.2| = 0.1 <= absolute 0.1 -> within tolerance, still not exact
  assert.equal(match("7.2", "7.3", { absolute: 0.1 }), { exact: false, withinTolerance: true });
  assert.equal(match("7.2", "7.4", { absolute: 0.1 }), { exact: false, withinTolerance: false });
  // relative 5% of 100 = 5: 104.9 inside, 105.1 outside
  assert.equal(match("100", "104.9", { relative: 0.05 }), { exact: false, withinTolerance: true });
  assert.equal(match("100", "105.1", { relative: 0.05 }), { exact: false, withinTolerance: false });
  // both given: the wider bound counts, max(0.5, 0.01 * 10) = 0.5
  assert.equal(match("10", "10.5", { absolute: 0.5, relative: 0.01 }), { exact: false, withinTolerance: true });
  assert.throws(() => match("1", "1", { absolute: -1 }), /non-negative/);
  assert.equal(toleranceSchema.parse({}), { absolute: 0, relative: 0 });
});

test("a range is exact only when it collapses onto gold; within tolerance only when wholly inside", () => {
  assert.equal(match("6.75", "6.5-7.0"), { exact: false, withinTolerance: false });
  assert.equal(match("6.75", "6.5-7.0", { absolute: 0.25 }), { exact: false, withinTolerance: true });
  assert.equal(match("6.75", "6.5-7.0", { absolute: 0.2 }), { exact: false, withinTolerance: false });
});

test("gold must be readable: an unreadable or range gold value is an error naming it", () => {
  assert.throws(() => match("maybe so", "yes"), /gold answer "maybe so" cannot be read/);
  assert.throws(() => match("5-10", "7"), /is a range/);
});

test("answer labels for classification metrics", () => {
  assert.is(answerLabel(parseAnswer("Yes.", "boolean")), "yes");
  assert.is(answerLabel(parseAnswer("false", "boolean")), "no");
  assert.is(answerLabel(parseAnswer("N/A", "numeric")), "NA");
  assert.is(answerLabel(parseAnswer("7,20 %", "numeric")), "7.2");
  assert.is(answerLabel(parseAnswer("6.5-7", "numeric")), "6.5-7");
  assert.is(answerLabel(parseAnswer("???", "numeric")), "unparseable");
});

test.run();
