import assert from "node:assert/strict";
import { test } from "uvu";
import { z } from "zod";
import type { ModelResult } from "../../lib/src/llm/types.js";
import { combineLabels } from "../../lib/src/ner/combine.js";
import {
  alignEntities,
  buildNerRequest,
  labelsFromResults,
  type NerAnswer,
  replayRecordsFor,
} from "../../lib/src/ner/llm-labeler.js";
import type { Span } from "../../lib/src/ner/types.js";

const text = "Cold compress for the knee. She had a cold last week. Aspirin 81 mg; chest pain on exertion.";

test("a request per note: structured output schema, deterministic sampling, note id as request id", () => {
  const request = buildNerRequest({ id: "n1", text }, { model: "m" });
  assert.equal(request.id, "n1");
  assert.equal(request.sampling.temperature, 0);
  assert.equal(request.schemaName, "ner_entities");
  assert.ok(request.messages[1].content.includes(text));
  const schema = z.toJSONSchema(request.schema!) as unknown as {
    properties: { entities: { items: { required: string[] } } };
  };
  assert.deepEqual(schema.properties.entities.items.required, ["text", "type"]);
  assert.equal(request.schema!.safeParse({ entities: [{ text: "x", type: "drug" }] }).success, false);
});

test("all occurrences vs context-disambiguated alignment", () => {
  const entities: NerAnswer["entities"] = [{ text: "cold", type: "symptom", context: "had a cold last week" }];
  const all = alignEntities("n1", text, entities, { mode: "all" });
  assert.deepEqual(
    all.spans.map((span) => span.start),
    [0, 38],
  );
  const context = alignEntities("n1", text, entities, { mode: "context" });
  assert.deepEqual(
    context.spans.map((span) => [span.start, span.text]),
    [[38, "cold"]],
  );
  assert.equal(context.stats.contextFallback, 0);
  // A context that is not in the note falls back to all occurrences, counted.
  const paraphrased = alignEntities("n1", text, [{ text: "cold", type: "symptom", context: "a cold recently" }], {
    mode: "context",
  });
  assert.equal(paraphrased.spans.length, 2);
  assert.equal(paraphrased.stats.contextFallback, 1);
});

test("hallucinations are rejected and counted; case, spacing and trailing punctuation tolerated; overlaps keep the longer", () => {
  const result = alignEntities("n1", text, [
    { text: "warfarin", type: "medication" },
    { text: "ASPIRIN.", type: "medication" },
    { text: "chest  pain", type: "symptom" },
    { text: "pain", type: "symptom" },
    { text: "Aspirin", type: "medication" },
    { text: "   ", type: "symptom" },
    { text: "ain", type: "symptom" },
  ]);
  assert.deepEqual(
    result.spans.map((span) => `${span.type}:${span.text}`),
    ["medication:Aspirin", "symptom:chest pain"],
  );
  assert.equal(result.stats.hallucinated, 3);
  assert.deepEqual(
    result.rejects.map((reject) => reject.reason),
    ["not_in_note", "empty_entity", "not_in_note"],
  );
  assert.equal(result.stats.duplicates, 1);
  assert.equal(result.stats.overlapsDropped, 1);
});

test("alignment: straight and curly apostrophes and hyphens match each other; no match across a line break", () => {
  const note = "FAMILY HISTORY\n\nMother: Non\u2011Hodgkin’s lymphoma.\nChest\npain, then chest pain.";
  const result = alignEntities("n1", note, [
    { text: "non-Hodgkin's lymphoma", type: "disease" },
    { text: "chest pain", type: "symptom" },
    { text: "history mother", type: "symptom" },
  ]);
  assert.deepEqual(
    result.spans.map((span) => span.text),
    ["Non\u2011Hodgkin’s lymphoma", "chest pain"],
  );
  assert.equal(result.stats.hallucinated, 1);
  // Opt-in for hard-wrapped text; an entity that itself holds a line break may match across one.
  const wrapped = alignEntities("n1", note, [{ text: "chest pain", type: "symptom" }], { matchAcrossLineBreaks: true });
  assert.deepEqual(
    wrapped.spans.map((span) => span.text),
    ["Chest\npain", "chest pain"],
  );
  const literal = alignEntities("n1", note, [{ text: "Chest\npain", type: "symptom" }]);
  assert.equal(literal.spans.length, 2);
});

test("results from the LLM layer: failures become rejects with the layer's reason, answers are aligned", () => {
  const notes = [
    { id: "a", text: "Aspirin daily." },
    { id: "b", text: "Fever." },
  ];
  const results: ModelResult<NerAnswer>[] = [
    {
      ok: true,
      id: "a",
      key: "k1",
      text: "{}",
      value: { entities: [{ text: "aspirin", type: "medication" }] },
      finishReason: "stop",
      cached: false,
      usage: { promptTokens: 100, completionTokens: 10 },
    },
    { ok: false, id: "b", key: "k2", reason: "truncated", detail: "finish_reason length", cached: false },
    { ok: false, id: "zzz", key: "k3", reason: "timeout", detail: "x", cached: false },
  ];
  const labels = labelsFromResults(notes, results);
  assert.deepEqual(labels.labels.get("a"), [{ start: 0, end: 7, type: "medication", text: "Aspirin" }]);
  assert.equal(labels.labels.has("b"), false, "a failed note is unlabelled, not labelled empty");
  assert.deepEqual(
    labels.rejects.map((reject) => reject.reason),
    ["truncated", "unknown_note"],
  );
  assert.equal(labels.stats.promptTokens, 100);
  assert.equal(labels.stats.failed, 1);
});

test("replay records carry the key the LLM layer computes", () => {
  const request = buildNerRequest({ id: "a", text: "Aspirin" }, { model: "m" });
  const records = replayRecordsFor([request], new Map([["a", { entities: [] }]]), () => "KEY");
  assert.deepEqual(records[0].key, "KEY");
  assert.equal(records[0].text, '{"entities":[]}');
  assert.equal(replayRecordsFor([request], new Map(), () => "KEY").length, 0);
});

const s = (start: number, end: number, type: Span["type"] = "symptom"): Span => ({ start, end, type, text: "" });

test("combining teachers: union, intersection, vote", () => {
  const llm = new Map([["n", [s(0, 10), s(20, 25, "medication")]]]);
  const ontology = new Map([["n", [s(6, 10), s(20, 25, "medication"), s(30, 34, "disease")]]]);
  const third = new Map([["n", [s(30, 34, "disease")]]]);
  const key = (m: Map<string, Span[]>) => m.get("n")!.map((span) => `${span.start}-${span.end}`);
  assert.deepEqual(key(combineLabels([llm, ontology], "union")), ["0-10", "20-25", "30-34"]);
  assert.deepEqual(key(combineLabels([llm, ontology], "intersection")), ["20-25"]);
  assert.deepEqual(key(combineLabels([llm, ontology, third], "vote")), ["20-25", "30-34"]);
  assert.deepEqual(key(combineLabels([llm, ontology, third], "vote", { minVotes: 3 })), []);
  assert.throws(() => combineLabels([llm], "vote", { minVotes: 2 }), /minVotes/);
  // A note only one labeler has: intersection gives nothing for it.
  assert.deepEqual(combineLabels([llm, new Map()], "intersection").get("n"), []);
});

test.run();
