import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bootstrapSettings, evalSection } from "../../lib/src/config/sections/eval.js";
import { quantileSorted } from "../../lib/src/core/quantile.js";
import {
  bootstrap,
  bootstrapProportion,
  classificationReport,
  createRng,
  deriveSeed,
  percentileInterval,
  Resampler,
  scoreClassification,
} from "../../lib/src/eval/index.js";

const close = (actual: number, expected: number, what: string, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual} != ${expected}`);

test("PRNG: same seed, same stream; different seed, different stream; uniform enough", () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const first = Array.from({ length: 5 }, () => a.nextUint32());
  assert.equal(
    first,
    Array.from({ length: 5 }, () => b.nextUint32()),
  );
  assert.not.equal(
    first,
    Array.from({ length: 5 }, () => c.nextUint32()),
  );
  const rng = createRng(7);
  let sum = 0;
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const x = rng.next();
    assert.ok(x >= 0 && x < 1);
    sum += x;
    buckets[rng.nextInt(10)]++;
  }
  // Mean of 1e5 uniforms has sd 0.0009; each bucket expects 10,000 with sd ~95.
  close(sum / 100_000, 0.5, "mean", 0.005);
  for (const count of buckets) assert.ok(Math.abs(count - 10_000) < 500, `bucket ${count}`);
  assert.throws(() => createRng(Number.NaN), /finite/);
});

test("xoshiro128** matches the reference algorithm from state (1, 2, 3, 4)", () => {
  // Hand-stepped from the reference C code: result = rotl(s1 * 5, 7) * 9.
  // Step 1: s1 = 2 -> rotl(10, 7) = 1280 -> 11520. Step 2: s1 = 0 -> 0.
  // Step 3: s1 = 1029 -> rotl(5145, 7) = 658560 -> 5927040.
  const rng = createRng(0);
  Object.assign(rng, { s0: 1, s1: 2, s2: 3, s3: 4 });
  assert.equal([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()], [11520, 0, 5927040]);
});

test("Resampler: the fused tally draws exactly what fill draws, with and without strata", () => {
  for (const strata of [undefined, ["a", "b", "a", "c", "b", "a", "a"]]) {
    const n = 7;
    const keys = Int32Array.from([0, 1, 2, 3, 4, 5, 6]);
    const viaFill = new Resampler(n, 99, strata);
    const viaTally = new Resampler(n, 99, strata);
    for (let r = 0; r < 20; r++) {
      const indices = viaFill.fill(new Int32Array(n));
      const expected = new Float64Array(n);
      for (const i of indices) expected[i]++;
      const tally = new Int32Array(n);
      viaTally.accumulate(keys, tally);
      assert.equal(Array.from(tally), Array.from(expected));
    }
  }
});

test("percentile matches numpy.percentile (linear interpolation)", () => {
  const fixture = JSON.parse(readFileSync(new URL("./fixtures/sklearn-values.json", import.meta.url), "utf8"));
  const sorted = Float64Array.from(fixture.percentile.values as number[]).sort();
  fixture.percentile.q.forEach((q: number, i: number) => {
    close(quantileSorted(sorted, q), fixture.percentile.expected[i], `q=${q}`);
  });
  // Hand case: [1, 2, 3, 4], q = 0.25 -> position 0.75 -> 1 + 0.75 * (2 - 1) = 1.75
  close(quantileSorted([1, 2, 3, 4], 0.25), 1.75, "hand");
  const interval = percentileInterval(0.5, [Number.NaN, 0.2, 0.8, Number.NaN]);
  assert.is(interval.undefinedResamples, 2);
});

test("bootstrap of a mean: seeded, reproducible, close to the normal-theory interval", () => {
  const rng = createRng(1);
  const values = Array.from({ length: 2000 }, () => (rng.next() < 0.8 ? 1 : 0));
  const mean = (indices: Int32Array) => {
    let sum = 0;
    for (const i of indices) sum += values[i];
    return sum / indices.length;
  };
  const first = bootstrap(values.length, mean, { seed: 5, resamples: 500 });
  const again = bootstrap(values.length, mean, { seed: 5, resamples: 500 });
  const other = bootstrap(values.length, mean, { seed: 6, resamples: 500 });
  assert.equal(first, again);
  assert.not.equal(first.low, other.low);
  // Normal theory: half-width 1.96 * sqrt(p(1-p)/n) = 1.96 * sqrt(0.16/2000) = 0.0175.
  const halfWidth = (first.high - first.low) / 2;
  assert.ok(Math.abs(halfWidth - 0.0175) < 0.004, `half width ${halfWidth}`);
  assert.ok(first.low <= first.value && first.value <= first.high);
  const none = bootstrap(10, () => 1, { resamples: 0 });
  assert.ok(Number.isNaN(none.low) && Number.isNaN(none.high));
  assert.throws(() => bootstrap(3, () => 1, { resamples: -1 }), /non-negative integer/);
  assert.throws(() => bootstrap(3, () => 1, { strata: ["a"] }), /strata has 1 entries for 3 items/);
});

test("stratified resampling keeps every stratum's size", () => {
  const strata = ["a", "a", "a", "b", "b", "c"];
  const sizes: string[] = [];
  bootstrap(
    strata.length,
    (indices) => {
      const counts: Record<string, number> = {};
      for (const i of indices) counts[strata[i]] = (counts[strata[i]] ?? 0) + 1;
      sizes.push(JSON.stringify(counts));
      return 0;
    },
    { strata, resamples: 50 },
  );
  assert.equal(new Set(sizes.slice(1)), new Set([JSON.stringify({ a: 3, b: 2, c: 1 })]));
});

test("scoreClassification: point values equal the plain report, overall and per group; empty group is NaN", () => {
  const gold = ["yes", "no", "NA", "yes", "7.2", "NA", "no", "5"];
  const pred = ["yes", "yes", "NA", "unparseable", "7.2", "no", "no", "5"];
  const type = ["boolean", "boolean", "na_boolean", "boolean", "numeric", "na_numeric", "boolean", "numeric"];
  const score = scoreClassification({
    gold,
    pred,
    groups: { type },
    groupValues: { type: ["boolean", "numeric", "na_boolean", "na_numeric", "never_seen"] },
    bootstrap: { resamples: 200, seed: 3 },
  });
  const plain = classificationReport({ gold, pred });
  for (const key of ["accuracy", "balancedAccuracy", "microF1", "macroF1", "weightedF1"] as const) {
    close(score.overall[key].value, plain[key], key);
  }
  const booleanItems = type.map((t, i) => (t === "boolean" ? i : -1)).filter((i) => i >= 0);
  const booleanReport = classificationReport({
    gold: booleanItems.map((i) => gold[i]),
    pred: booleanItems.map((i) => pred[i]),
  });
  close(score.groups.type.boolean.balancedAccuracy.value, booleanReport.balancedAccuracy, "boolean group");
  assert.equal(score.groups.type.boolean.report.perClass, booleanReport.perClass);
  const empty = score.groups.type.never_seen;
  assert.is(empty.n, 0);
  assert.ok(Number.isNaN(empty.accuracy.value) && Number.isNaN(empty.accuracy.low));
  assert.is(empty.accuracy.undefinedResamples, 200);
  assert.equal(Object.keys(score.groups.type), ["boolean", "na_boolean", "na_numeric", "never_seen", "numeric"]);
  assert.is(score.bootstrap.method, "percentile");
});

test("scoreClassification: perfect predictions give [1, 1]; intervals are reproducible by seed", () => {
  const gold = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? "yes" : "no"));
  const perfect = scoreClassification({ gold, pred: gold, bootstrap: { resamples: 100 } });
  assert.equal([perfect.overall.accuracy.low, perfect.overall.accuracy.high], [1, 1]);
  const pred = gold.map((label, i) => (i % 7 === 0 ? (label === "yes" ? "no" : "yes") : label));
  const a = scoreClassification({ gold, pred, bootstrap: { resamples: 100, seed: 9 } });
  const b = scoreClassification({ gold, pred, bootstrap: { resamples: 100, seed: 9 } });
  assert.equal(a.overall.macroF1, b.overall.macroF1);
  assert.ok(a.overall.accuracy.low < a.overall.accuracy.value && a.overall.accuracy.value < a.overall.accuracy.high);
  const stratified = scoreClassification({ gold, pred, bootstrap: { resamples: 100, strata: gold } });
  assert.ok(stratified.bootstrap.stratified);
});

test("scoreClassification: bad groupings are named", () => {
  assert.throws(
    () => scoreClassification({ gold: ["a"], pred: ["a"], groups: { type: ["x", "y"] } }),
    /groups\.type must have one value per item \(1\)/,
  );
  assert.throws(
    () => scoreClassification({ gold: ["a"], pred: ["a"], groupValues: { question: ["q1"] } }),
    /groupValues\.question names a grouping not given/,
  );
});

/** 40 notes of 10 questions; a note's answers are all right or all wrong (strongly correlated). */
function correlated() {
  const gold: string[] = [];
  const pred: string[] = [];
  const notes: string[] = [];
  const rng = createRng(3);
  for (let note = 0; note < 40; note++) {
    const right = rng.next() < 0.7;
    for (let q = 0; q < 10; q++) {
      const label = q % 2 === 0 ? "yes" : "no";
      gold.push(label);
      pred.push(right ? label : label === "yes" ? "no" : "yes");
      notes.push(`note-${note}`);
    }
  }
  return { gold, pred, notes };
}

test("cluster bootstrap: resampling notes gives a wider interval than resampling items on correlated data", () => {
  const { gold, pred, notes } = correlated();
  const options = { resamples: 1000, seed: 11, clusters: notes, clusterName: "notes" };
  const byNote = scoreClassification({ gold, pred, bootstrap: options });
  const byItem = scoreClassification({ gold, pred, bootstrap: { ...options, unit: "item" } });
  assert.is(byNote.overall.accuracy.value, byItem.overall.accuracy.value);
  const width = (e: { low: number; high: number }) => e.high - e.low;
  // 40 independent notes, not 400 independent answers: the honest interval is about sqrt(10) times wider.
  for (const metric of ["accuracy", "balancedAccuracy", "macroF1"] as const) {
    assert.ok(
      width(byNote.overall[metric]) > 2 * width(byItem.overall[metric]),
      `${metric}: ${width(byNote.overall[metric])} vs ${width(byItem.overall[metric])}`,
    );
  }
  // Labels name the unit and the count.
  assert.is(byNote.bootstrap.label, "95% CI, 1,000 resamples of notes");
  assert.is(byNote.bootstrap.unit, "cluster");
  assert.is(byNote.bootstrap.units, 40);
  assert.is(byItem.bootstrap.label, "95% CI, 1,000 resamples of items");
  assert.is(byItem.bootstrap.units, 400);
});

test("cluster bootstrap: same seed same interval, different seed different interval; one draw for every statistic", () => {
  // Notes of 3 to 12 answers, each right with probability 0.75: resampled notes vary finely in accuracy.
  const rng = createRng(8);
  const gold: string[] = [];
  const pred: string[] = [];
  const notes: string[] = [];
  for (let note = 0; note < 60; note++) {
    const size = 3 + Math.floor(rng.next() * 10);
    for (let q = 0; q < size; q++) {
      gold.push("yes");
      pred.push(rng.next() < 0.75 ? "yes" : "no");
      notes.push(`n${note}`);
    }
  }
  const run = (seed: number) =>
    scoreClassification({ gold, pred, bootstrap: { resamples: 300, seed, clusters: notes } }).overall.accuracy;
  assert.equal(run(4), run(4));
  assert.not.equal(run(4), run(5));
  // The tally path (scoreClassification), the proportion path and the generic index path draw the same notes.
  const correct = gold.map((label, i) => label === pred[i]);
  const options = { resamples: 300, seed: 4, clusters: notes };
  const generic = bootstrap(
    gold.length,
    (indices) => {
      let sum = 0;
      for (const i of indices) sum += correct[i] ? 1 : 0;
      return sum / indices.length;
    },
    options,
  );
  const proportion = bootstrapProportion(correct, options);
  const viaScore = run(4);
  for (const e of [generic, proportion]) {
    close(e.low, viaScore.low, "low");
    close(e.high, viaScore.high, "high");
  }
  assert.is(generic.label, "95% CI, 300 resamples of clusters");
});

test("cluster bootstrap: refuses clusters of the wrong length, a cluster split over strata, cluster unit without clusters", () => {
  assert.throws(() => bootstrap(3, () => 1, { clusters: ["a", "b"] }), /clusters has 2 entries for 3 items/);
  assert.throws(
    () => bootstrap(3, () => 1, { clusters: ["a", "a", "b"], strata: ["x", "y", "x"] }),
    /cluster "a" has items in strata "x" and "y"/,
  );
  assert.throws(() => bootstrap(3, () => 1, { unit: "cluster" }), /unit "cluster" needs clusters/);
  assert.throws(() => bootstrap(3, () => 1, { unit: "note" as "item" }), /unit must be "cluster" or "item"/);
  // Strata constant within clusters: whole clusters drawn within their stratum.
  const clusters = ["a", "a", "b", "c", "c", "d"];
  const strata = ["x", "x", "x", "y", "y", "y"];
  const sizes = new Set<string>();
  bootstrap(
    6,
    (indices) => {
      const counts: Record<string, number> = {};
      for (const i of indices) counts[strata[i]] = (counts[strata[i]] ?? 0) + 1;
      sizes.add(
        JSON.stringify(
          Object.keys(counts)
            .sort()
            .map((k) => [k, counts[k] > 0]),
        ),
      );
      return 0;
    },
    { clusters, strata, resamples: 50 },
  );
  assert.equal(
    [...sizes],
    [
      JSON.stringify([
        ["x", true],
        ["y", true],
      ]),
    ],
  );
});

test("bootstrap seed: eval.bootstrap.seed, else the experiment seed's named sub-seed, recorded with its source", () => {
  assert.is(deriveSeed(42, "bootstrap"), deriveSeed(42, "bootstrap"));
  assert.is.not(deriveSeed(42, "bootstrap"), deriveSeed(43, "bootstrap"));
  assert.is.not(deriveSeed(42, "bootstrap"), deriveSeed(42, "sampling"));
  assert.ok(Number.isInteger(deriveSeed(7, "bootstrap")) && deriveSeed(7, "bootstrap") >= 0);
  const defaults = evalSection.parse({});
  assert.equal(defaults.bootstrap, { unit: "cluster", resamples: 1000, confidence: 0.95 });
  const derived = bootstrapSettings(defaults, 42);
  assert.is(derived.seed, deriveSeed(42, "bootstrap"));
  assert.is(derived.seedSource, 'seed (sub-seed "bootstrap")');
  assert.is.not(bootstrapSettings(defaults, 43).seed, derived.seed);
  const explicit = bootstrapSettings(evalSection.parse({ bootstrap: { seed: 5, unit: "item" } }), 42);
  assert.equal(explicit, {
    unit: "item",
    resamples: 1000,
    confidence: 0.95,
    seed: 5,
    seedSource: "eval.bootstrap.seed",
  });
  assert.throws(() => evalSection.parse({ bootstrap: { unit: "patient" } }));
});

test.run();
