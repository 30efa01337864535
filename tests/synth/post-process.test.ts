import { test } from "uvu";
import * as assert from "uvu/assert";
import { noteLookupFromMap } from "../../lib/src/synth/note-lookup.js";
import { PostProcessError, type PostProcessOptions, PostProcessor } from "../../lib/src/synth/post-process.js";
import type { RejectRecord, SynthRow, TeacherResponseRecord } from "../../lib/src/synth/types.js";

const NOTE = "HbA1c 7.2 % on admission. Patient takes warfarin daily.\nNo history of stroke.";
const notes = noteLookupFromMap({ N1: NOTE, N2: "Creatinine 1.4 mg/dL." });

function item(overrides: Record<string, unknown> = {}) {
  return {
    question: "Is the patient on warfarin?",
    type: "boolean",
    answer: "Yes",
    section: "Medications",
    source: "Patient takes warfarin daily.",
    difficulty: 5,
    explanation: "The note says so.",
    ...overrides,
  };
}

function response(items: unknown, overrides: Partial<TeacherResponseRecord> = {}): TeacherResponseRecord {
  return {
    request_id: "N1:boolean",
    note_id: "N1",
    chunk: 0,
    question_type: "boolean",
    model: "teacher",
    prompt_version: "v",
    key: "k",
    ok: true,
    text: JSON.stringify({ questions: items }),
    ...overrides,
  };
}

function run(inputs: unknown[], options: Partial<PostProcessOptions> = {}) {
  const rows: SynthRow[] = [];
  const rejects: RejectRecord[] = [];
  const processor = new PostProcessor(
    { notes, ...options },
    (r) => rows.push(r),
    (r) => rejects.push(r),
  );
  for (const input of inputs) processor.push(input);
  return { rows, rejects, stats: processor.stats, reasons: rejects.map((r) => r.reason) };
}

test("a clean item is accepted with normalised answer and source check", () => {
  const { rows, rejects, stats } = run([response([item()])]);
  assert.is(rejects.length, 0);
  assert.is(rows.length, 1);
  assert.is(rows[0].question_id, "N1:boolean:0");
  assert.is(rows[0].answer, "Yes");
  assert.is(rows[0].answer_bool, true);
  assert.is(rows[0].source_check, "exact");
  assert.is(stats.accepted, 1);
});

const itemCases: [string, Record<string, unknown> | unknown, string][] = [
  ["not_an_object", "just a string", "item is string"],
  ["missing_field", item({ source: undefined }), "source is missing"],
  ["missing_field", item({ question: "  " }), "question is empty"],
  ["wrong_type", item({ difficulty: "hard" }), "difficulty"],
  ["wrong_type", item({ question: 42 }), "question is number"],
  ["wrong_type", item({ answer: ["Yes"] }), "array"],
  ["unknown_type", item({ type: "diagnosis" }), "diagnosis"],
  ["boolean_not_yes_no", item({ answer: "Maybe" }), "yes/no"],
  ["numeric_not_number", item({ type: "numeric", answer: "120/80" }), "one number"],
  ["numeric_not_number", item({ type: "numeric", answer: true }), "one number"],
  // A list, a range or a date never becomes its first number (they once did).
  [
    "ambiguous_values",
    item({ type: "numeric", question: "Creatinine?", answer: "1.7 mg/dL and 2.1 mg/dL" }),
    "several",
  ],
  ["range_for_single_value", item({ type: "numeric", answer: "1.1 to 1.4" }), "range"],
  ["date_only", item({ type: "numeric", answer: "22 Nov 2025" }), "date"],
  ["unknown_unit", item({ type: "numeric", question: "What was the creatinine?", answer: "1.2 mg" }), "mg"],
  ["na_type_with_answer", item({ type: "na_boolean", answer: "No" }), "na_boolean"],
  ["na_type_with_answer", item({ type: "na_numeric", answer: "7" }), "na_numeric"],
  ["answerable_type_with_na", item({ answer: "unknown" }), "NA"],
  ["answerable_type_with_na", item({ type: "numeric", answer: "N/A" }), "NA"],
  ["difficulty_out_of_range", item({ difficulty: 12 }), "12"],
  ["difficulty_out_of_range", item({ difficulty: 2.5 }), "2.5"],
  ["difficulty_out_of_range", item({ difficulty: 0 }), "0"],
];

for (const [reason, bad, detail] of itemCases) {
  test(`item reject ${reason}: ${detail}`, () => {
    const { rows, rejects, stats } = run([response([bad, item({ question: "Another question?" })])]);
    assert.is(rows.length, 1, "the good item beside it survives");
    assert.is(rejects.length, 1);
    assert.is(rejects[0].reason, reason);
    assert.ok(rejects[0].detail.includes(detail), rejects[0].detail);
    assert.is(rejects[0].item_index, 0);
    assert.is(rejects[0].note_id, "N1");
    assert.is(stats.items, stats.accepted + stats.rejected);
  });
}

test("duplicates within a note: exact and normalised; another note may repeat the question", () => {
  const { rows, reasons } = run([
    response([
      item(),
      item(),
      item({ question: "is the PATIENT on warfarin" }),
      item({ question: "What was the HbA1c on day 2?", type: "numeric", answer: "7.2" }),
      // The same number written differently; another number would be another question (grounding.test.ts).
      item({ question: "what was the HbA1c on day 2.0", type: "numeric", answer: "7.2" }),
    ]),
    response([item({ source: "" })], { note_id: "N2", request_id: "N2:boolean" }),
  ]);
  assert.equal(reasons, ["duplicate_exact", "duplicate_normalized", "duplicate_normalized"]);
  assert.is(rows.length, 3);
  assert.is(rows[2].note_id, "N2");
});

test("dedupe can be exact-only or off", () => {
  const inputs = [response([item(), item({ question: "is the patient on warfarin" }), item()])];
  assert.equal(run(inputs, { dedupe: "exact" }).reasons, ["duplicate_exact"]);
  assert.equal(run(inputs, { dedupe: "off" }).reasons, []);
});

test("below_min_difficulty filter", () => {
  const { reasons, rows } = run([response([item({ difficulty: 2 }), item({ question: "Q2?", difficulty: 3 })])], {
    minDifficulty: 3,
  });
  assert.equal(reasons, ["below_min_difficulty"]);
  assert.is(rows.length, 1);
});

test("source check outcomes are kept; requireSourceInNote turns not_found into source_not_in_note", () => {
  const items = [
    item({ question: "A?", source: "Patient takes warfarin daily." }),
    item({ question: "B?", source: "patient   TAKES warfarin\u2026 daily" }),
    item({ question: "C?", source: "The patient is on a blood thinner." }),
    item({ question: "D?", source: "" }),
    item({ question: "E?", type: "na_boolean", answer: "NA", source: "" }),
  ];
  const kept = run([response(items)]);
  assert.equal(
    kept.rows.map((r) => r.source_check),
    ["exact", "fragments", "not_found", "empty", "empty"],
  );
  assert.equal(
    kept.rows.map((r) => [r.source_start, r.source_end]),
    [
      [26, 55],
      [26, 54],
      [null, null],
      [null, null],
      [null, null],
    ],
  );
  const strict = run([response(items)], { requireSourceInNote: true });
  assert.equal(strict.reasons, ["source_not_in_note", "source_not_in_note"]);
  assert.equal(
    strict.rows.map((r) => r.question),
    ["A?", "B?", "E?"],
  );
});

test("explanation quotes are checked against the note", () => {
  const { rows } = run([
    response([
      item({ question: "A?", explanation: 'The note says "Patient takes warfarin daily".' }),
      item({ question: "B?", explanation: 'The note says "patient takes apixaban twice".' }),
      item({ question: "C?", explanation: "No quotes here." }),
    ]),
  ]);
  assert.equal(
    rows.map((r) => r.explanation_quote_check),
    ["found", "not_found", "none"],
  );
});

const responseCases: [string, Partial<TeacherResponseRecord>][] = [
  ["truncated", { text: '{"questions":[{"question":"a' }],
  ["truncated", { text: JSON.stringify({ questions: [item()] }), finish_reason: "length" }],
  ["truncated", { ok: false, reason: "truncated", text: '{"questions":[', detail: "cut" }],
  ["no_content", { text: "" }],
  ["no_content", { ok: false, reason: "no_content", text: null, detail: "empty choices" }],
  ["unparseable", { text: "I cannot do that." }],
  ["unparseable", { ok: false, reason: "unparseable", text: "{bad json}", detail: "x" }],
  ["no_questions", { text: JSON.stringify({ items: [item()] }) }],
  ["no_questions", { text: JSON.stringify({ questions: [] }) }],
  ["unknown_note", { note_id: "N9", request_id: "N9:boolean" }],
  ["http_error", { ok: false, reason: "http_error", text: null, detail: "HTTP 400" }],
  ["timeout", { ok: false, reason: "timeout", text: null, detail: "120 s" }],
  ["cancelled", { ok: false, reason: "cancelled", text: null, detail: "stopped" }],
  ["replay_miss", { ok: false, reason: "replay_miss", text: null, detail: "no answer" }],
  ["schema_mismatch", { ok: false, reason: "schema_mismatch", text: null, detail: "no text kept" }],
];

for (const [reason, overrides] of responseCases) {
  test(`response reject ${reason} (${JSON.stringify(overrides).slice(0, 60)})`, () => {
    const { rows, rejects, stats } = run([response([item()], overrides)]);
    assert.is(rows.length, 0);
    assert.is(rejects.length, 1);
    assert.is(rejects[0].reason, reason);
    assert.is(rejects[0].item_index, null);
    assert.is(stats.responsesRejected, 1);
    assert.is(stats.items, 0);
  });
}

test("schema_mismatch with text gets a lenient second look", () => {
  const { rows, rejects } = run([
    response([item({ answer: "yes." })], { ok: false, reason: "schema_mismatch", detail: "enum" }),
  ]);
  assert.is(rejects.length, 0);
  assert.is(rows[0].answer, "Yes");
});

test("wrapped JSON is recovered and counted, or rejected as wrapped_json", () => {
  const text = "Here:\n```json\n" + JSON.stringify({ questions: [item()] }) + "\n```";
  const recovered = run([response([], { text })]);
  assert.is(recovered.rows.length, 1);
  assert.is(recovered.stats.recovered.fence, 1);
  const strict = run([response([], { text })], { recoverWrappedJson: false });
  assert.equal(strict.reasons, ["wrapped_json"]);
});

test("JSON with a raw line break in a string and a trailing comma is repaired and counted", () => {
  const json = JSON.stringify({ questions: [item({ explanation: "first line\nsecond line" })] });
  const text = `${json.replace("\\n", "\n").slice(0, -2)},]}`;
  assert.throws(() => JSON.parse(text));
  const { rows, stats } = run([response([], { text })]);
  assert.is(rows.length, 1);
  assert.is(rows[0].explanation, "first line\nsecond line");
  assert.equal(stats.recovered, { fence: 0, prose: 0, repaired: 1 });
});

test("bad records: not an object, missing ids, unknown question type", () => {
  const { reasons, stats } = run([
    null,
    42,
    { note_id: "N1" },
    response([item()], { question_type: "other" as "boolean" }),
  ]);
  assert.equal(reasons, ["bad_record", "bad_record", "bad_record", "bad_record"]);
  assert.is(stats.responses, 4);
  assert.is(stats.responsesRejected, 4);
});

test("responses of one note must be contiguous unless grouping is any", () => {
  const inputs = [
    response([item()]),
    response([item()], { note_id: "N2", request_id: "N2:boolean" }),
    response([item()], { request_id: "N1:numeric" }),
  ];
  assert.throws(
    () => run(inputs),
    (error: Error) => error instanceof PostProcessError && /N1.*not contiguous/.test(error.message),
  );
  const anyOrder = run(inputs, { grouping: "any" });
  assert.equal(anyOrder.reasons, ["duplicate_exact"], "dedupe still sees the earlier N1 question");
});

test("stats add up: items = accepted + rejected; counts by type and reason", () => {
  const { stats, rows, rejects } = run([
    response([item(), item({ answer: "Maybe" }), item({ question: "HbA1c?", type: "numeric", answer: "7.2 %" })]),
    response([], { request_id: "N1:numeric", text: "garbage" }),
  ]);
  assert.is(stats.items, stats.accepted + stats.rejected);
  assert.is(stats.accepted, rows.length);
  assert.is(stats.rejected + stats.responsesRejected, rejects.length);
  assert.is(stats.acceptedByType.boolean, 1);
  assert.is(stats.acceptedByType.numeric, 1);
  assert.equal(stats.byReason, { boolean_not_yes_no: 1, unparseable: 1 });
  assert.is(stats.difficulty[5], 2);
});

test.run();
