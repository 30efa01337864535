import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadExperiment } from "../../lib/src/config/experiment.js";
import { createReplayBackend } from "../../lib/src/llm/backends/replay-backend.js";
import { requestKey } from "../../lib/src/llm/request-key.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { splitRanges } from "../../lib/src/synth/context-budget.js";
import { teacherRequestOptions } from "../../lib/src/synth/from-config.js";
import {
  DEFAULT_TEACHER,
  generateTeacherResponses,
  teacherRequestsForNote,
  writeTeacherBatch,
} from "../../lib/src/synth/generate.js";
import { postProcessFile } from "../../lib/src/synth/post-process-file.js";
import { buildSampleReplay } from "../../lib/src/synth/sample-replay.js";
import { REJECT_REASONS } from "../../lib/src/synth/types.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("synth-generate-");

test("one request per question type with the method's defaults and a schema", () => {
  const { requests, skip, parts } = teacherRequestsForNote({ note_id: "S1", text: "Creatinine 1.4." });
  assert.is(skip, undefined);
  assert.is(parts, 1);
  assert.equal(
    requests.map((r) => r.id),
    ["S1:boolean", "S1:numeric", "S1:na_numeric", "S1:na_boolean"],
  );
  assert.is(requests[0].model, "meta-llama/Llama-3.1-70B-Instruct");
  assert.equal(requests[0].sampling, { temperature: 0.7, top_p: 0.95, max_tokens: 4096 });
  assert.ok(requests[0].schema, "structured output schema");
  assert.ok(requests[0].messages[1].content.includes("Write 10 yes/no questions"));
  assert.ok(requests[0].messages[1].content.includes('5 must have the answer "Yes"'));
  assert.ok(requests[2].messages[1].content.includes("Write 5 questions"));
  assert.ok(requests[1].messages[1].content.includes("Creatinine 1.4."));
  assert.is(DEFAULT_TEACHER.temperature, 0.7);
});

test("counts, wording and structured output come from options; a zero count drops the type", () => {
  const { requests } = teacherRequestsForNote(
    { note_id: "S1", text: "x" },
    {
      counts: { boolean: 2, na_boolean: 0 },
      wording: { system: "SYS", extraInstructions: "Focus on cardiology." },
      structuredOutput: false,
      teacher: { seed: 3 },
    },
  );
  assert.equal(
    requests.map((r) => r.meta.question_type),
    ["boolean", "numeric", "na_numeric"],
  );
  assert.is(requests[0].messages[0].content, "SYS");
  assert.ok(requests[0].messages[1].content.endsWith("Focus on cardiology."));
  assert.is(requests[0].schema, undefined);
  assert.is(requests[0].sampling.seed, 3);
});

test("notes over the context are split at line breaks, or skipped; empty notes are skipped", () => {
  const long = Array.from({ length: 400 }, (_, i) => `Line ${i} of a long clinical note with some words.`).join("\n");
  const split = teacherRequestsForNote(
    { note_id: "L", text: long },
    { contextTokens: 5000, teacher: { max_tokens: 1000 } },
  );
  assert.ok(split.parts > 1, `parts ${split.parts}`);
  assert.is(split.requests.length, split.parts * 4);
  assert.is(split.requests[0].id, "L#1:boolean");
  // the parts cover the note exactly, in order, without overlap
  const ranges = split.requests.filter((r) => r.meta.question_type === "boolean").map((r) => r.meta.chunk_range!);
  assert.is(ranges[0][0], 0);
  assert.is(ranges.at(-1)![1], long.length);
  for (let i = 1; i < ranges.length; i++) assert.is(ranges[i][0], ranges[i - 1][1]);
  const skipped = teacherRequestsForNote(
    { note_id: "L", text: long },
    { contextTokens: 5000, teacher: { max_tokens: 1000 }, overflow: "skip" },
  );
  assert.is(skipped.requests.length, 0);
  assert.is(skipped.skip?.reason, "note_over_context");
  assert.is(teacherRequestsForNote({ note_id: "E", text: "  \n " }).skip?.reason, "empty_note");
});

test("splitRanges: hard cut only without a break; covers the text", () => {
  assert.equal(splitRanges("abcdefghij", 4), [
    [0, 4],
    [4, 8],
    [8, 10],
  ]);
  assert.equal(splitRanges("aaa bbb ccc", 8), [
    [0, 8],
    [8, 11],
  ]);
  assert.throws(() => splitRanges("x", 0), /positive/);
});

function notesFile(name: string, notes: { note_id: string; text: string }[]): string {
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(
    file,
    notes
      .map((n) => JSON.stringify({ patient_id: "P", note_type: "discharge_summary", date: "2131-01-01", ...n }))
      .join("\n") + "\n",
  );
  return file;
}

test("generate through the replay backend: request order, misses recorded, skipped notes counted, startRow/limit", async () => {
  const notes = [
    { note_id: "A", text: "Note A: on warfarin." },
    { note_id: "B", text: "" },
    { note_id: "C", text: "Note C." },
    { note_id: "D", text: "Note D." },
  ];
  const file = notesFile("gen-notes", notes);
  const options = { counts: { boolean: 1, numeric: 1, na_numeric: 0, na_boolean: 0 } };
  // record answers for A's two requests only
  const replay = join(dir, "replay.jsonl");
  const answer = JSON.stringify({
    questions: [
      {
        question: "On warfarin?",
        type: "boolean",
        answer: "Yes",
        section: "Other",
        source: "on warfarin",
        difficulty: 3,
        explanation: "e",
      },
    ],
  });
  const recorded = teacherRequestsForNote(notes[0], options).requests.map((r) =>
    JSON.stringify({ key: requestKey(r), text: answer, finishReason: "stop" }),
  );
  writeFileSync(replay, recorded.join("\n") + "\n");
  const backend = await createReplayBackend([replay]);
  const outFile = join(dir, "gen", "teacher-responses.jsonl");
  const summary = await generateTeacherResponses({
    ...options,
    notesFile: file,
    outFile,
    rejectsFile: join(dir, "gen", "rejects.jsonl"),
    run: { backend, health: false, concurrency: 3 },
    limit: 3,
  });
  const lines = readFileSync(outFile, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(
    lines.map((l) => l.request_id),
    ["A:boolean", "A:numeric", "C:boolean", "C:numeric"],
  );
  assert.is(lines[0].ok, true);
  assert.is(lines[1].ok, false, "a boolean answer fails the numeric schema");
  assert.is(lines[2].reason, "replay_miss");
  assert.is(summary.plan.notesRead, 3);
  assert.equal(summary.plan.skipped, { empty_note: 1 });
  const rejects = readFileSync(join(dir, "gen", "rejects.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.is(rejects[0].reason, "empty_note");
  // startRow skips notes; the summary file is written beside the responses
  const later = await generateTeacherResponses({
    ...options,
    notesFile: file,
    outFile: join(dir, "gen2", "teacher-responses.jsonl"),
    rejectsFile: join(dir, "gen2", "rejects.jsonl"),
    run: { backend, health: false },
    startRow: 2,
  });
  assert.is(later.plan.notesRead, 2);
  assert.is(later.responses, 4);
  assert.ok(JSON.parse(readFileSync(join(dir, "gen", "teacher-responses.summary.json"), "utf8")).responses === 4);
});

test("unusable answers are asked again with another seed; a usable answer replaces the old one in place", async () => {
  const notes = [
    { note_id: "A", text: "Note A: on warfarin." },
    { note_id: "B", text: "Note B: on heparin." },
  ];
  const file = notesFile("reask-notes", notes);
  const options = { counts: { boolean: 1, numeric: 0, na_numeric: 0, na_boolean: 0 } };
  const good = (drug: string) =>
    JSON.stringify({
      questions: [
        {
          question: `On ${drug}?`,
          type: "boolean",
          answer: "Yes",
          section: "Other",
          source: `on ${drug}`,
          difficulty: 3,
          explanation: "e",
        },
      ],
    });
  const [a, b] = notes.map((note) => teacherRequestsForNote(note, options).requests[0]);
  const reasked = (request: typeof a, seed: number) => ({ ...request, sampling: { ...request.sampling, seed } });
  const replay = join(dir, "reask-replay.jsonl");
  const line = (request: typeof a, text: string, finishReason = "stop") =>
    JSON.stringify({ key: requestKey(request), text, finishReason });
  writeFileSync(
    replay,
    [
      line(a, '{"questions": [{"question": "On warf', "length"), // cut off
      line(reasked(a, 1), good("warfarin")), // the second ask is fine
      line(b, "I cannot answer in JSON."), // not JSON, and no second answer recorded
    ].join("\n") + "\n",
  );
  const backend = await createReplayBackend([replay]);
  const outFile = join(dir, "reask", "teacher-responses.jsonl");
  const run = (reask: number) =>
    generateTeacherResponses({
      ...options,
      teacher: { reask },
      notesFile: file,
      outFile,
      rejectsFile: join(dir, "reask", "rejects.jsonl"),
      run: { backend, health: false },
    });
  const read = () =>
    readFileSync(outFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));

  const summary = await run(1);
  const lines = read();
  assert.equal(
    lines.map((l) => [l.request_id, l.ok, l.attempt ?? 1]),
    [
      ["A:boolean", true, 2],
      ["B:boolean", false, 1],
    ],
  );
  assert.is(lines[0].key, requestKey(reasked(a, 1)));
  assert.is(lines[1].reason, "unparseable", "the old answer stays when the new ask brings nothing usable");
  assert.equal(summary.reask, { rounds: 1, asked: [2], recovered: 1 });
  assert.is(summary.ok, 1);
  assert.equal(summary.failed, { unparseable: 1 });

  const off = await run(0);
  assert.equal(off.reask, { rounds: 0, asked: [], recovered: 0 });
  assert.equal(
    read().map((l) => l.ok),
    [false, false],
  );
});

test("batch file: one OpenAI batch line per request with the schema as response_format", async () => {
  const file = notesFile("batch-notes", [{ note_id: "A", text: "Note A." }]);
  const batchFile = join(dir, "batch.jsonl");
  const { written } = await writeTeacherBatch({
    notesFile: file,
    batchFile,
    rejectsFile: join(dir, "batch-rejects.jsonl"),
  });
  assert.is(written, 4);
  const first = JSON.parse(readFileSync(batchFile, "utf8").split("\n")[0]);
  assert.is(first.custom_id, "A:boolean");
  assert.is(first.url, "/v1/chat/completions");
  assert.is(first.body.temperature, 0.7);
  assert.ok(JSON.stringify(first.body).includes("json_schema"));
});

test("the shipped sample replay file matches the sample config (rebuild: synth sample-replay)", async () => {
  const experiment = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
  const expected = await buildSampleReplay(
    resolveFromRoot("data/sample/teacher-responses/written.jsonl"),
    resolveFromRoot(experiment.synth.notes),
    teacherRequestOptions(experiment.synth),
  );
  assert.is(readFileSync(resolveFromRoot("data/sample/teacher-responses/replay.jsonl"), "utf8"), expected);
});

test("the sample responses exercise every post-processing reject path they are meant to", async () => {
  const experiment = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
  const backend = await createReplayBackend([resolveFromRoot("data/sample/teacher-responses/replay.jsonl")]);
  const outFile = join(dir, "sample", "teacher-responses.jsonl");
  await generateTeacherResponses({
    ...teacherRequestOptions(experiment.synth),
    notesFile: resolveFromRoot(experiment.synth.notes),
    outFile,
    rejectsFile: join(dir, "sample", "gen-rejects.jsonl"),
    run: { backend, health: false },
  });
  const { stats } = await postProcessFile({
    ...experiment.synth.postProcess,
    responsesFile: outFile,
    notes: resolveFromRoot(experiment.synth.notes),
    outDir: join(dir, "sample", "post"),
  });
  for (const reason of [
    "truncated",
    "unparseable",
    "no_questions",
    "not_an_object",
    "missing_field",
    "wrong_type",
    "unknown_type",
    "boolean_not_yes_no",
    "numeric_not_number",
    "na_type_with_answer",
    "answerable_type_with_na",
    "difficulty_out_of_range",
    "duplicate_exact",
    "duplicate_normalized",
    "below_min_difficulty",
  ] as const) {
    assert.ok((stats.byReason[reason] ?? 0) > 0, `sample lacks ${reason}`);
    assert.ok(REJECT_REASONS.includes(reason));
  }
  assert.ok(stats.recovered.fence > 0 && stats.recovered.prose > 0);
  assert.ok(stats.accepted > 0);
  assert.is(stats.byReason.replay_miss, undefined);
});

test.run();
