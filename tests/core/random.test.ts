// The one seeded random module. Values are pinned: synth's split and balance key every row by hashUnit, and
// bootstrap intervals by createRng, so a change to either would silently move published results.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRng, deriveSeed, hash32, hashUnit, shuffleInPlace } from "../../lib/src/core/random.js";

test("hash32, hashUnit, createRng and deriveSeed give the values synth and the bootstrap were built on", () => {
  assert.is(hash32("split:S001", 7), 88608332);
  assert.is(hashUnit(7, "split:S001"), 0.3110428290108158);
  assert.is(hashUnit(0, "balance:q1"), 0.15297318109461533);
  assert.is(createRng(42).nextUint32(), 2837322924);
  assert.is(deriveSeed(42, "bootstrap"), 942504867);
});

test("shuffleInPlace is a seeded permutation", () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const a = shuffleInPlace([...items], createRng(3));
  assert.equal(shuffleInPlace([...items], createRng(3)), a);
  assert.not.equal(shuffleInPlace([...items], createRng(4)), a);
  assert.equal(
    [...a].sort((x, y) => x - y),
    items,
  );
});

test.run();
