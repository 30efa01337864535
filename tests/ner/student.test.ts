import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import { BIO_LABELS, spansToBio } from "../../lib/src/ner/bio.js";
import { readNerJsonl } from "../../lib/src/ner/jsonl.js";
import { evaluateEntities } from "../../lib/src/ner/metrics.js";
import { labelAll } from "../../lib/src/ner/pipeline.js";
import { PerceptronTagger } from "../../lib/src/ner/student.js";
import { tokenize } from "../../lib/src/ner/tokenize.js";
import { resolveFromRoot } from "../../lib/src/paths.js";

const sample = async () => (await readNerJsonl(resolveFromRoot("data/sample/ner/notes.jsonl"))).notes;

test("spans to BIO over tokens, with misaligned spans counted", () => {
  const text = "Took aspirin81 and chest pain";
  const tokens = tokenize(text);
  const encoding = spansToBio(tokens, [
    { start: 5, end: 12, type: "medication", text: "aspirin" },
    { start: 19, end: 29, type: "symptom", text: "chest pain" },
  ]);
  assert.deepEqual(
    Array.from(encoding.labels, (label) => BIO_LABELS[label]),
    ["O", "B-medication", "O", "B-symptom", "I-symptom"],
  );
  assert.equal(encoding.misaligned, 1);
});

test("the student learns its training labels, is deterministic under a seed, and round-trips through a file", async () => {
  const notes = await sample();
  const a = PerceptronTagger.train(notes, { epochs: 6, seed: 3, hashBits: 16 });
  const b = PerceptronTagger.train(notes, { epochs: 6, seed: 3, hashBits: 16 });
  assert.deepEqual(a.stats.mistakesPerEpoch, b.stats.mistakesPerEpoch);
  assert.ok(
    a.stats.mistakesPerEpoch.at(-1)! < a.stats.mistakesPerEpoch[0] / 5,
    `mistakes fall: ${a.stats.mistakesPerEpoch}`,
  );
  const predictions = labelAll(notes, (text) => a.tagger.predict(text));
  // Training-set fit only: shows that it learns, not how well it generalises.
  assert.ok(evaluateEntities(notes, predictions).strict.micro.f1 > 0.9);
  const dir = await mkdtemp(join(tmpdir(), "ner-student-"));
  try {
    const file = join(dir, "model.json");
    await a.tagger.save(file);
    const loaded = await PerceptronTagger.load(file);
    for (const note of notes) assert.deepEqual(loaded.predict(note.text), a.tagger.predict(note.text));
    await writeFile(join(dir, "bad.json"), JSON.stringify({ format: "other" }));
    await assert.rejects(
      PerceptronTagger.load(join(dir, "bad.json")),
      /bad\.json: not a clinical-distill\/ner-perceptron@1 model/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("decoding never emits an I- tag that does not continue its entity", async () => {
  const notes = await sample();
  const { tagger } = PerceptronTagger.train(notes.slice(0, 4), { epochs: 1, hashBits: 12 });
  for (const note of notes) {
    const labels = Array.from(tagger.tag(note.text), (label) => BIO_LABELS[label]);
    labels.forEach((label, i) => {
      if (label.startsWith("I-"))
        assert.ok(labels[i - 1] === label || labels[i - 1] === `B-${label.slice(2)}`, labels.join(" "));
    });
  }
  assert.deepEqual(tagger.predict(""), []);
});

test.run();
