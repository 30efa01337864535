import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "uvu";
import { Dictionary } from "../../lib/src/ner/dictionary.js";
import { buildOntologyDictionary } from "../../lib/src/ner/pipeline.js";
import { readRxnormTerms } from "../../lib/src/ner/rxnorm.js";
import { readSnomedTerms } from "../../lib/src/ner/snomed.js";
import { tokenStrings } from "../../lib/src/ner/tokenize.js";
import { resolveFromRoot } from "../../lib/src/paths.js";

const fixtures = join(import.meta.dirname, "fixtures", "ontology");
const rxnorm = resolveFromRoot("data/sample/ontology/rxnorm/RXNCONSO.RRF");
const descriptions = resolveFromRoot("data/sample/ontology/snomed/sct2_Description_Snapshot-en_INT_20250101.txt");
const relationships = resolveFromRoot("data/sample/ontology/snomed/sct2_Relationship_Snapshot_INT_20250101.txt");

test("tokenizer: word runs and single punctuation, offsets kept", () => {
  assert.deepEqual(tokenStrings("BP 120/80, on ASA-81mg.\n"), [
    "BP",
    "120",
    "/",
    "80",
    ",",
    "on",
    "ASA",
    "-",
    "81mg",
    ".",
  ]);
});

test("longest match, case and whitespace normalised, word boundaries", () => {
  const dictionary = new Dictionary([
    { term: "chest pain", type: "symptom" },
    { term: "pain", type: "symptom" },
    { term: "pleuritic chest pain", type: "symptom" },
    { term: "ASA", type: "medication" },
    { term: "insulin", type: "medication" },
    { term: "insulin glargine", type: "medication" },
  ]);
  const text = "Pleuritic   CHEST\t\u00a0pain; pain in the nasal area. Insulin glargine and insulin. ASA.";
  const spans = dictionary.match(text);
  assert.deepEqual(
    spans.map((span) => [span.text, span.type]),
    [
      ["Pleuritic   CHEST\t\u00a0pain", "symptom"],
      ["pain", "symptom"],
      ["Insulin glargine", "medication"],
      ["insulin", "medication"],
      ["ASA", "medication"],
    ],
  );
  for (const span of spans) assert.equal(text.slice(span.start, span.end), span.text);
  // "asa" never fires inside "nasal"
  assert.ok(!spans.some((span) => span.text.toLowerCase() === "asa" && span.start < 40));
});

test("offsets stay right when lower-casing changes the text length (U+0130)", () => {
  const dictionary = new Dictionary([{ term: "aspirin", type: "medication" }]);
  const text = "İİ: ASPIRIN given";
  const spans = dictionary.match(text);
  assert.deepEqual(spans, [{ start: 4, end: 11, type: "medication", text: "ASPIRIN" }]);
});

test("case-sensitive terms, short and numeric terms, type conflicts", () => {
  const dictionary = new Dictionary(
    [
      { term: "ALL", type: "disease", caseSensitive: true },
      { term: "AF", type: "disease" },
      { term: "500", type: "medication" },
      { term: "cold", type: "disease" },
      { term: "Cold", type: "symptom" },
      { term: "COLD", type: "symptom" },
      { term: "feeling fine", type: "symptom" },
    ],
    { typePriority: ["symptom", "disease", "medication"], stopTerms: ["Feeling  fine"] },
  );
  assert.deepEqual(dictionary.stats.skipped, { tooShort: 1, numeric: 1, stopTerm: 1, duplicate: 1, typeConflict: 1 });
  const spans = dictionary.match("ALL relapse; all good. A cold. AF. Feeling fine.");
  assert.deepEqual(
    spans.map((span) => [span.text, span.type]),
    [
      ["ALL", "disease"],
      ["cold", "symptom"],
    ],
  );
});

test("RXNCONSO.RRF: keeps the chosen term types, rejects rows with the wrong column count", async () => {
  const sample = await readRxnormTerms(rxnorm);
  assert.ok(sample.terms.some((term) => term.term === "Eliquis"));
  assert.ok(!sample.terms.some((term) => term.term === "ASA"), "SY is not a default term type");
  assert.ok(!sample.terms.some((term) => term.term === "oldrugamine"), "obsolete atoms are dropped");
  assert.equal(sample.counts.rows, sample.counts.kept + sample.counts.filtered + sample.counts.rejected);
  const bad = await readRxnormTerms(join(fixtures, "bad-RXNCONSO.RRF"));
  assert.deepEqual(
    bad.terms.map((term) => term.term),
    ["warfarin"],
  );
  assert.deepEqual(
    bad.rejects.map((reject) => [reject.reason, reject.source.split(":").pop()]),
    [
      ["wrong_column_count", "2"],
      ["wrong_column_count", "3"],
      ["empty_term", "4"],
    ],
  );
  assert.match(bad.rejects[0].detail, /trailing pipe/);
});

test("SNOMED RF2: disorder vs finding by semantic tag and by is-a", async () => {
  const byTag = await readSnomedTerms({ descriptions });
  const typeOf = (read: typeof byTag, term: string) => read.terms.find((entry) => entry.term === term)?.type;
  assert.equal(typeOf(byTag, "Hypertension"), "disease");
  assert.equal(typeOf(byTag, "Chest pain"), "symptom");
  assert.equal(typeOf(byTag, "ECG"), undefined, "procedures are neither");
  assert.equal(typeOf(byTag, "Febrile"), undefined, "inactive descriptions are skipped");
  assert.equal(byTag.terms.find((entry) => entry.term === "ALL")?.caseSensitive, true);
  const byIsA = await readSnomedTerms({ descriptions, relationships }, { classifyBy: "is-a" });
  assert.equal(typeOf(byIsA, "Hypertension"), "disease");
  assert.equal(typeOf(byIsA, "Productive cough"), "symptom", "a grandchild of Clinical finding");
  // Disease sits under Clinical finding: it must still come out as disease.
  assert.equal(typeOf(byIsA, "Disease"), "disease");
  await assert.rejects(readSnomedTerms({ descriptions }, { classifyBy: "is-a" }), /needs a relationship file/);
  await assert.rejects(
    readSnomedTerms({ descriptions: join(fixtures, "wrong-header.txt") }),
    /wrong-header\.txt:1: not an RF2 file/,
  );
});

test("the ontology teacher labels a sample note", async () => {
  const { dictionary, rejects } = await buildOntologyDictionary({ rxnorm, snomedDescriptions: descriptions });
  assert.equal(rejects.length, 0);
  const spans = dictionary.match("Started Eliquis for atrial fibrillation; denies chest pain.");
  assert.deepEqual(
    spans.map((span) => `${span.type}:${span.text}`),
    ["medication:Eliquis", "disease:atrial fibrillation", "symptom:chest pain"],
  );
});

test.run();
