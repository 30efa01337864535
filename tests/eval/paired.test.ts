import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRng, mcnemar, pairedBootstrap, scoreClassification } from "../../lib/src/eval/index.js";
import { binomialTwoSidedHalf, chiSquare1Survival, erfc } from "../../lib/src/eval/internal/stats.js";

const close = (actual: number, expected: number, what: string, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps * Math.max(1, Math.abs(expected)), `${what}: ${actual} != ${expected}`);

/** Correctness vectors with the given counts of (A right, B right) combinations. */
function vectors(onlyA: number, onlyB: number, both: number, neither: number) {
  const a = [...Array(onlyA).fill(1), ...Array(onlyB).fill(0), ...Array(both).fill(1), ...Array(neither).fill(0)];
  const b = [...Array(onlyA).fill(0), ...Array(onlyB).fill(1), ...Array(both).fill(1), ...Array(neither).fill(0)];
  return { correctA: a, correctB: b };
}

test("erfc and the chi-square(1) tail against known values", () => {
  close(erfc(0), 1, "erfc(0)");
  close(erfc(1), 0.15729920705028513, "erfc(1)", 1e-14);
  close(erfc(3), 2.209049699858544e-5, "erfc(3)", 1e-13);
  close(erfc(-1), 1.8427007929497148, "erfc(-1)", 1e-14);
  // chi-square 1 df: P(X >= 3.841458820694124) = 0.05
  close(chiSquare1Survival(3.841458820694124), 0.05, "chi2 0.95 quantile", 1e-12);
  // exact: 3 of 3 -> 2 * (1/8) = 0.25
  close(binomialTwoSidedHalf(3, 3), 0.25, "binomial 3/3");
});

test("McNemar matches scipy (binomtest and chi2.sf, computed once: fixtures/)", () => {
  const fixture = JSON.parse(readFileSync(new URL("./fixtures/sklearn-values.json", import.meta.url), "utf8"));
  for (const row of fixture.mcnemar) {
    const args = vectors(row.onlyA, row.onlyB, 50, 7);
    const exact = mcnemar({ ...args, exactBelow: Number.POSITIVE_INFINITY });
    const chi = mcnemar({ ...args, exactBelow: 0 });
    const label = `b=${row.onlyA} c=${row.onlyB}`;
    assert.is(exact.method, "exact");
    close(exact.pValue, row.exactP, `${label} exact`, 1e-10);
    if (row.onlyA + row.onlyB > 0) {
      assert.is(chi.method, "chi-square-corrected");
      close(chi.statistic, row.chi2Statistic, `${label} statistic`);
      close(chi.pValue, row.chi2P, `${label} chi2 p`, 1e-10);
    }
    // Default rule: exact below 25 discordant pairs, chi-square from 25 on.
    const auto = mcnemar(args);
    assert.is(auto.method, row.onlyA + row.onlyB < 25 ? "exact" : "chi-square-corrected", label);
    assert.equal([auto.onlyA, auto.onlyB, auto.bothRight, auto.bothWrong], [row.onlyA, row.onlyB, 50, 7]);
  }
});

test("McNemar from gold and two predictions; bad input named", () => {
  // A right on items 0,1,2; B right on 0 only -> onlyA 2, onlyB 0, both 1, neither 1: exact p = 2 * 1/4 = 0.5
  const result = mcnemar({ gold: ["a", "b", "a", "b"], predA: ["a", "b", "a", "a"], predB: ["a", "a", "b", "a"] });
  assert.equal([result.onlyA, result.onlyB, result.bothRight, result.bothWrong], [2, 0, 1, 1]);
  close(result.pValue, 0.5, "p");
  assert.throws(() => mcnemar({ correctA: [1, 0], correctB: [1] }), /correctA has 2 items but correctB has 1/);
  assert.throws(() => mcnemar({ gold: ["a"], predA: ["a", "b"], predB: ["a"] }), /predA/);
});

test("paired bootstrap: identical models differ by exactly 0; a better model's interval is above 0", () => {
  const rng = createRng(11);
  const gold = Array.from({ length: 1000 }, () => (rng.next() < 0.4 ? "yes" : "no"));
  const flip = (label: string) => (label === "yes" ? "no" : "yes");
  const good = gold.map((label) => (rng.next() < 0.9 ? label : flip(label)));
  const weak = gold.map((label) => (rng.next() < 0.7 ? label : flip(label)));
  const same = pairedBootstrap({ gold, predA: good, predB: good, bootstrap: { resamples: 200 } });
  assert.equal([same.difference.value, same.difference.low, same.difference.high], [0, 0, 0]);
  assert.is(same.pValueApprox, 1);
  const better = pairedBootstrap({
    gold,
    predA: good,
    predB: weak,
    metric: "balancedAccuracy",
    bootstrap: { resamples: 300, seed: 4 },
  });
  close(better.difference.value, better.a.value - better.b.value, "point difference");
  assert.ok(better.difference.low > 0, `low ${better.difference.low}`);
  assert.is(better.fractionAtOrBelowZero, 0);
  assert.is(better.pValueApprox, 0);
  const again = pairedBootstrap({
    gold,
    predA: good,
    predB: weak,
    metric: "balancedAccuracy",
    bootstrap: { resamples: 300, seed: 4 },
  });
  assert.equal(better, again);
  assert.throws(
    () => pairedBootstrap({ gold, predA: good, predB: weak, metric: "auc" as "accuracy" }),
    /unknown metric "auc"/,
  );
});

test("paired cluster bootstrap: both models on the same resampled notes; identical models differ by exactly 0", () => {
  const rng = createRng(21);
  const gold: string[] = [];
  const predA: string[] = [];
  const predB: string[] = [];
  const notes: string[] = [];
  for (let note = 0; note < 30; note++) {
    // Model A gets a whole note right or wrong; B is independent per answer.
    const aRight = rng.next() < 0.8;
    for (let q = 0; q < 8; q++) {
      const label = rng.next() < 0.5 ? "yes" : "no";
      const other = label === "yes" ? "no" : "yes";
      gold.push(label);
      predA.push(aRight ? label : other);
      predB.push(rng.next() < 0.7 ? label : other);
      notes.push(`note-${note}`);
    }
  }
  const bootstrap = { resamples: 500, seed: 3, clusters: notes, clusterName: "notes" };
  const same = pairedBootstrap({ gold, predA, predB: predA, bootstrap });
  assert.equal([same.difference.low, same.difference.high], [0, 0]);
  assert.is(same.label, "95% CI, 500 resamples of notes");
  const paired = pairedBootstrap({ gold, predA, predB, bootstrap });
  // Each model's interval is the one its own scoring gives with the same seed and clusters: the same notes
  // were drawn for both.
  const alone = (pred: string[]) => scoreClassification({ gold, pred, bootstrap }).overall.accuracy;
  for (const [mine, own] of [
    [paired.a, alone(predA)],
    [paired.b, alone(predB)],
  ] as const) {
    close(mine.low, own.low, "low");
    close(mine.high, own.high, "high");
  }
  const items = pairedBootstrap({ gold, predA, predB, bootstrap: { ...bootstrap, unit: "item" } });
  assert.is(items.label, "95% CI, 500 resamples of items");
  const width = (e: { low: number; high: number }) => e.high - e.low;
  assert.ok(width(paired.difference) > width(items.difference), "clustered difference is wider");
});

test.run();
