import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  N2C2_CRITERIA,
  N2c2InputError,
  type N2c2Labels,
  n2c2OfficialScore,
  n2c2PaperScore,
  n2c2ScoreIntervals,
} from "../../lib/src/eval/index.js";

const close = (actual: number, expected: number, what: string, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual} != ${expected}`);

// Four patients, two criteria (hand-computed below).
//            A gold / pred          B gold / pred
// p1         met / met              not met / not met
// p2         met / not met          not met / not met
// p3         not met / not met      not met / not met
// p4         not met / met          not met / met
const gold: N2c2Labels = {
  p1: { A: "met", B: "not met" },
  p2: { A: "met", B: "not met" },
  p3: { A: "not met", B: "not met" },
  p4: { A: "not met", B: "not met" },
};
const pred: N2c2Labels = {
  p1: { A: " Met ", B: "NOT MET" }, // case and spaces are forgiven, as in the official scorer
  p2: { A: "not met", B: "not met" },
  p3: { A: "not met", B: "not met" },
  p4: { A: "met", B: "met" },
};
const criteria = ["A", "B"];

test("official scorer: hand-computed per criterion, micro and macro", () => {
  const score = n2c2OfficialScore({ gold, pred, criteria });
  assert.is(score.patients, 4);
  const [a, b] = score.criteria;
  // A met: tp 1 (p1), fp 1 (p4), fn 1 (p2), tn 1 (p3) -> P = R = specificity = F = AUC = 0.5; not met mirrors it.
  assert.equal([a.met.tp, a.met.fp, a.met.fn, a.met.tn], [1, 1, 1, 1]);
  close(a.met.f1, 0.5, "A met F");
  close(a.notMet.f1, 0.5, "A not met F");
  close(a.f1, 0.5, "A overall F");
  close(a.auc, 0.5, "A AUC");
  // B met: tp 0, fp 1 (p4), fn 0, tn 3 -> P 0, R 0/0 = 0, specificity 3/4, F 0, AUC (0 + 0.75)/2 = 0.375
  // B not met: tp 3, fp 0, fn 1, tn 0 -> P 1, R 3/4, specificity 0/0 = 0, F 2*0.75/1.75 = 6/7
  assert.equal([b.met.tp, b.met.fp, b.met.fn, b.met.tn], [0, 1, 0, 3]);
  close(b.met.precision, 0, "B met P");
  close(b.met.recall, 0, "B met R (0/0)");
  close(b.met.specificity, 0.75, "B met specificity");
  close(b.met.auc, 0.375, "B met AUC");
  close(b.notMet.f1, 6 / 7, "B not met F");
  close(b.notMet.specificity, 0, "B not met specificity (0/0)");
  close(b.f1, 3 / 7, "B overall F = (0 + 6/7)/2");
  // Micro, pooled: met tp 1, fp 2, fn 1, tn 4 -> P 1/3, R 1/2, F 2(1/6)/(5/6) = 0.4, spec 4/6, AUC (1/2 + 2/3)/2
  // not met tp 4, fp 1, fn 2, tn 1 -> P 0.8, R 2/3, F 2(0.8)(2/3)/(0.8 + 2/3) = 8/11
  // micro F = (0.4 + 8/11)/2 = 31/55
  close(score.micro.met.f1, 0.4, "micro met F");
  close(score.micro.notMet.f1, 8 / 11, "micro not met F");
  close(score.micro.f1, 31 / 55, "micro F");
  close(score.micro.auc, (1 / 2 + 2 / 3) / 2, "micro AUC");
  // Macro: mean over criteria of (F_met + F_notmet)/2 = (0.5 + 3/7)/2 = 13/28
  close(score.macro.f1, 13 / 28, "macro F");
  close(score.macro.met.specificity, (0.5 + 0.75) / 2, "macro met specificity");
  close(score.macro.auc, (0.5 + 0.375) / 2, "macro AUC");
});

test("paper reduction: sklearn balanced accuracy and F1 per criterion, unweighted mean", () => {
  const score = n2c2PaperScore({ gold, pred, criteria });
  const [a, b] = score.criteria;
  // A: recall met 1/2, recall not met 1/2 -> 0.5; F1(met) 0.5
  close(a.balancedAccuracy, 0.5, "A balanced");
  close(a.f1Met, 0.5, "A F1 met");
  // B: gold has only "not met": balanced = recall(not met) = 3/4 (met is prediction-only, left out)
  // F1(met) = 2*0 / (0 + 1 + 0) = 0; micro = accuracy 3/4; macro over {met, not met} = (0 + 6/7)/2
  close(b.balancedAccuracy, 0.75, "B balanced");
  close(b.f1Met, 0, "B F1 met");
  close(b.microF1, 0.75, "B micro");
  close(b.macroF1, 3 / 7, "B macro");
  close(score.mean.balancedAccuracy, 0.625, "mean balanced");
  close(score.mean.f1Met, 0.25, "mean F1 met");
});

test("perfect predictions on 13 criteria with one never-met criterion: micro 1, macro 12.5/13", () => {
  const patients = ["100", "101", "102"];
  const labels: N2c2Labels = {};
  patients.forEach((patient, i) => {
    labels[patient] = Object.fromEntries(
      N2C2_CRITERIA.map((criterion) => [criterion, criterion === "KETO-1YR" || i === 0 ? "not met" : "met"]),
    );
  });
  const score = n2c2OfficialScore({ gold: labels, pred: structuredClone(labels) });
  close(score.micro.f1, 1, "micro");
  // KETO-1YR: F_met = 0 (no met at all: 0/0 = 0), F_notmet = 1 -> 0.5; the other 12 score 1.
  close(score.macro.f1, 12.5 / 13, "macro");
});

test("patient-level bootstrap: point values equal the scorers; seeded; refuses bad input the same way", () => {
  const intervals = n2c2ScoreIntervals({ gold, pred, criteria, bootstrap: { resamples: 300, seed: 2 } });
  close(intervals.officialMicroF1.value, 31 / 55, "micro");
  close(intervals.officialMacroF1.value, 13 / 28, "macro");
  close(intervals.paperBalancedAccuracy.value, 0.625, "paper balanced");
  close(intervals.paperF1Met.value, 0.25, "paper F1 met");
  for (const estimate of [intervals.officialMicroF1, intervals.paperBalancedAccuracy]) {
    assert.ok(estimate.low <= estimate.value && estimate.value <= estimate.high, JSON.stringify(estimate));
    assert.ok(estimate.low >= 0 && estimate.high <= 1);
  }
  assert.equal(intervals, n2c2ScoreIntervals({ gold, pred, criteria, bootstrap: { resamples: 300, seed: 2 } }));
  assert.is(intervals.bootstrap.unit, "patient");
  const perfect = n2c2ScoreIntervals({ gold, pred: gold, criteria, bootstrap: { resamples: 50 } });
  assert.equal([perfect.paperBalancedAccuracy.low, perfect.paperBalancedAccuracy.high], [1, 1]);
  assert.throws(() => n2c2ScoreIntervals({ gold, pred: { p1: pred.p1 }, criteria }), /missing patient "p2"/);
});

test("30 random patients x 13 criteria: equals the scorer's arithmetic and sklearn, computed in Python once", () => {
  const fixture = JSON.parse(readFileSync(new URL("./fixtures/n2c2-random.json", import.meta.url), "utf8"));
  const official = n2c2OfficialScore({ gold: fixture.gold, pred: fixture.pred });
  const paper = n2c2PaperScore({ gold: fixture.gold, pred: fixture.pred });
  const expected = fixture.expected;
  close(official.micro.f1, expected.microF1, "micro F");
  close(official.micro.auc, expected.microAuc, "micro AUC");
  close(official.macro.f1, expected.macroF1, "macro F");
  for (const row of official.criteria) {
    const want = expected.criteria[row.criterion];
    for (const key of ["precision", "recall", "specificity", "f1", "auc"] as const) {
      close(row.met[key], want.met[key], `${row.criterion} met ${key}`);
      close(row.notMet[key], want.notMet[key], `${row.criterion} not met ${key}`);
    }
    close(row.f1, want.f1, `${row.criterion} F`);
  }
  for (const row of paper.criteria) {
    close(row.balancedAccuracy, expected.paper[row.criterion].balancedAccuracy, `${row.criterion} balanced`);
    close(row.f1Met, expected.paper[row.criterion].f1Met, `${row.criterion} F1 met`);
  }
  close(paper.mean.balancedAccuracy, expected.paperMeanBalancedAccuracy, "paper mean balanced");
  close(paper.mean.f1Met, expected.paperMeanF1Met, "paper mean F1 met");
});

test("incomplete or invalid input is refused, naming each patient and criterion", () => {
  const missingPatient = { p1: pred.p1, p2: pred.p2, p3: pred.p3 };
  const error = (() => {
    try {
      n2c2OfficialScore({ gold, pred: missingPatient, criteria });
    } catch (caught) {
      return caught;
    }
  })();
  assert.ok(N2c2InputError.isInstance(error));
  assert.not.ok(N2c2InputError.isInstance(new Error("other")));
  assert.equal((error as N2c2InputError).problems, ['prediction is missing patient "p4"']);
  assert.match((error as Error).message, /prediction is missing patient "p4"/);
  assert.throws(
    () => n2c2PaperScore({ gold, pred: { ...pred, p2: { A: "met" } }, criteria }),
    /prediction for patient "p2" is missing criterion B/,
  );
  assert.throws(
    () => n2c2OfficialScore({ gold, pred: { ...pred, p3: { A: "maybe", B: "met" } }, criteria }),
    /patient "p3" A = "maybe", not "met"\/"not met"/,
  );
  assert.throws(
    () => n2c2OfficialScore({ gold, pred: { ...pred, p9: { A: "met", B: "met" } }, criteria }),
    /prediction has patient "p9" that gold does not/,
  );
  assert.throws(
    () => n2c2OfficialScore({ gold, pred: { ...pred, p1: { A: "met", B: "met", C: "met" } }, criteria }),
    /unknown criterion C/,
  );
  // Default criteria are the 13 of Track 1: two-criterion gold is missing the other eleven.
  assert.throws(() => n2c2OfficialScore({ gold, pred }), /gold patient "p1" is missing criterion ABDOMINAL/);
  assert.throws(() => n2c2OfficialScore({ gold: {}, pred: {} }), /gold has no patients/);
});

test.run();
