import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import { bootstrap } from "../../lib/src/core/bootstrap.js";
import { bioEntities, bioSequencesAsSpans } from "../../lib/src/ner/bio.js";
import { countNote, evaluateEntities, scoresFromCounts } from "../../lib/src/ner/metrics.js";
import type { NerNote, Span } from "../../lib/src/ner/types.js";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);

// The shared fixture, in seqeval's input shape (lists of IOB2 tag sequences):
//   y_true s1 [B-medication I-medication O B-symptom O]     y_pred s1 [B-medication I-medication O I-symptom O]
//          s2 [B-disease I-disease I-disease O B-symptom I-symptom]   s2 [B-disease I-disease O O B-symptom I-symptom]
//          s3 [O B-medication O O]                                    s3 [O B-medication O B-disease]
// (an orphan I-symptom in s1, a disease cut short in s2, a spurious disease in s3)
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "seqeval-shared.json"), "utf8")) as {
  y_true: string[][];
  y_pred: string[][];
};
const gold = fixture.y_true;
const pred = fixture.y_pred;

function asNotes(sequences: string[][], mode: "strict" | "conlleval") {
  const spans = bioSequencesAsSpans(sequences, mode);
  const notes: NerNote[] = spans.map((s, i) => ({ id: `s${i + 1}`, text: "", spans: s }));
  const map = new Map<string, Span[]>(notes.map((note) => [note.id, note.spans]));
  return { notes, map };
}

test("seqeval README cases: strict vs default chunking", () => {
  // seqeval README: y_true [B-NP I-NP O], y_pred [I-NP I-NP O]: default f1 1.0, strict IOB2 f1 0.0.
  assert.deepEqual(bioEntities(["I-NP", "I-NP", "O"], "conlleval"), [{ start: 0, end: 2, type: "NP" }]);
  assert.deepEqual(bioEntities(["I-NP", "I-NP", "O"], "strict"), []);
  // B-X followed by I-Y: strict keeps B-X alone and drops the orphan I-Y.
  assert.deepEqual(bioEntities(["B-A", "I-B", "I-B"], "strict"), [{ start: 0, end: 1, type: "A" }]);
  assert.deepEqual(bioEntities(["B-A", "I-B", "I-B"], "conlleval"), [
    { start: 0, end: 1, type: "A" },
    { start: 1, end: 3, type: "B" },
  ]);
  // An entity running to the end of the sequence is closed there.
  assert.deepEqual(bioEntities(["O", "B-A", "I-A"], "strict"), [{ start: 1, end: 3, type: "A" }]);
});

test("strict mode matches hand-computed seqeval numbers", () => {
  const g = asNotes(gold, "strict");
  const p = asNotes(pred, "strict");
  const report = evaluateEntities(g.notes, p.map).strict;
  // Gold: medication s1(0,2) s3(1,2); symptom s1(3,4) s2(4,6); disease s2(0,3). 5 entities.
  // Pred (strict): medication s1(0,2) s3(1,2); symptom s2(4,6); disease s2(0,2) s3(3,4). 5 entities.
  // medication: tp 2, pred 2, gold 2 -> P 1, R 1, F1 1
  close(report.perType.medication.f1, 1, "medication F1");
  // symptom: tp 1, pred 1, gold 2 -> P 1, R 0.5, F1 = 2*1*0.5/1.5 = 2/3
  close(report.perType.symptom.precision, 1, "symptom P");
  close(report.perType.symptom.recall, 0.5, "symptom R");
  close(report.perType.symptom.f1, 2 / 3, "symptom F1");
  // disease: tp 0, pred 2, gold 1 -> P 0, R 0, F1 0 (0/0 -> 0)
  close(report.perType.disease.f1, 0, "disease F1");
  assert.equal(report.perType.disease.support, 1);
  // micro: tp 3, pred 5, gold 5 -> P 0.6, R 0.6, F1 0.6
  close(report.micro.precision, 0.6, "micro P");
  close(report.micro.recall, 0.6, "micro R");
  close(report.micro.f1, 0.6, "micro F1");
  // macro (over disease, medication, symptom): P (0+1+1)/3 = 2/3, R (0+1+0.5)/3 = 0.5, F1 (0+1+2/3)/3 = 5/9
  close(report.macro.precision, 2 / 3, "macro P");
  close(report.macro.recall, 0.5, "macro R");
  close(report.macro.f1, 5 / 9, "macro F1");
});

test("default (conlleval) chunking: the orphan I-symptom becomes an entity", () => {
  const g = asNotes(gold, "conlleval");
  const p = asNotes(pred, "conlleval");
  const report = evaluateEntities(g.notes, p.map).strict;
  // symptom now: tp 2, pred 2, gold 2 -> F1 1; micro: tp 4, pred 6, gold 5
  close(report.perType.symptom.f1, 1, "symptom F1");
  // P = 4/6, R = 4/5, F1 = 2PR/(P+R) = 2*(2/3)*(4/5)/((2/3)+(4/5)) = (16/15)/(22/15) = 8/11
  close(report.micro.f1, 8 / 11, "micro F1");
});

test("lenient mode counts overlaps of the same type", () => {
  const g = asNotes(gold, "strict");
  const p = asNotes(pred, "strict");
  const report = evaluateEntities(g.notes, p.map).lenient;
  // disease: pred s2(0,2) overlaps gold s2(0,3): tpPred 1 of 2 -> P 0.5; tpGold 1 of 1 -> R 1; F1 = 2*0.5/1.5 = 2/3
  close(report.perType.disease.precision, 0.5, "disease P");
  close(report.perType.disease.recall, 1, "disease R");
  close(report.perType.disease.f1, 2 / 3, "disease F1");
  // micro: tpPred 2+1+1 = 4 of 5 -> 0.8; tpGold 2+1+1 = 4 of 5 -> 0.8; F1 0.8
  close(report.micro.f1, 0.8, "micro F1");
});

test("overlap of a different type is not a lenient match; missing predictions count as empty", () => {
  const notes: NerNote[] = [
    { id: "a", text: "chest pain", spans: [{ start: 0, end: 10, type: "symptom", text: "chest pain" }] },
    { id: "b", text: "aspirin", spans: [{ start: 0, end: 7, type: "medication", text: "aspirin" }] },
  ];
  const preds = new Map<string, Span[]>([
    ["a", [{ start: 6, end: 10, type: "disease", text: "pain" }]],
    ["x", []],
  ]);
  const report = evaluateEntities(notes, preds);
  close(report.lenient.micro.recall, 0, "lenient recall");
  assert.equal(report.missingPredictions, 1);
  assert.equal(report.unmatchedPredictions, 1);
  // Fixed type list: macro over all three, the absent medication predictions give 0 there.
  const fixed = evaluateEntities(notes, preds, { types: ["medication", "disease", "symptom"] });
  assert.deepEqual(Object.keys(fixed.strict.perType), ["medication", "disease", "symptom"]);
});

test("bootstrap CIs are seeded, bracket the estimate, and collapse for perfect predictions", () => {
  const g = asNotes(gold, "strict");
  const p = asNotes(pred, "strict");
  const a = evaluateEntities(g.notes, p.map, { bootstrap: 300, seed: 7 });
  const b = evaluateEntities(g.notes, p.map, { bootstrap: 300, seed: 7 });
  assert.deepEqual(a.strict.micro.f1Ci, b.strict.micro.f1Ci);
  const [low, high] = a.strict.micro.f1Ci!;
  assert.ok(low <= a.strict.micro.f1 && a.strict.micro.f1 <= high, `${low} <= ${a.strict.micro.f1} <= ${high}`);
  assert.ok(high > low);
  const perfect = evaluateEntities(g.notes, g.map, { bootstrap: 100 });
  assert.deepEqual(perfect.strict.micro.f1Ci, [1, 1]);
});

test("NER intervals come from the evaluation's bootstrap, drawing whole notes, labelled", () => {
  const g = asNotes(gold, "strict");
  const p = asNotes(pred, "strict");
  const report = evaluateEntities(g.notes, p.map, { bootstrap: 400, seed: 13 });
  assert.equal(report.bootstrap?.label, "95% CI, 400 resamples of notes");
  assert.equal(report.bootstrap?.unit, "cluster");
  assert.equal(report.bootstrap?.units, g.notes.length);
  // The same interval from lib/eval's bootstrap over notes, with the same seed: one implementation.
  const perNote = g.notes.map((note) => countNote(note.spans, p.map.get(note.id) ?? [], "strict"));
  const microF1 = (indices: Int32Array) => {
    const total = { tpPred: 0, tpGold: 0, pred: 0, gold: 0 };
    for (const i of indices) {
      for (const counts of perNote[i].values()) {
        total.tpPred += counts.tpPred;
        total.tpGold += counts.tpGold;
        total.pred += counts.pred;
        total.gold += counts.gold;
      }
    }
    return scoresFromCounts(total).f1;
  };
  const reference = bootstrap(g.notes.length, microF1, {
    resamples: 400,
    seed: 13,
    clusters: g.notes.map((note) => note.id),
  });
  const [low, high] = report.strict.micro.f1Ci!;
  close(low, reference.low, "low");
  close(high, reference.high, "high");
  assert.equal(evaluateEntities(g.notes, p.map).bootstrap, undefined);
});

test.run();
