import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRng, deriveSeed } from "../../lib/src/core/random.js";
import { noteTextHash } from "../../lib/src/data/note-hash.js";
import { QUESTION_TYPES, type QuestionType } from "../../lib/src/prompts/teacher.js";
import { prepareDataset } from "../../lib/src/synth/prepare.js";
import { type NoteTypeCounts, splitByNote } from "../../lib/src/synth/split.js";
import type { SynthRow } from "../../lib/src/synth/types.js";
import { tempDir } from "../helpers/temp-dir.js";

// Duplicate notes (one text under two ids) must never straddle the train/test split.
const dir = tempDir("synth-split-");

const counts = (n: number): Record<QuestionType, number> =>
  Object.fromEntries(QUESTION_TYPES.map((t, i) => [t, (n + i) % 4])) as Record<QuestionType, number>;

test("notes of one group go to the same side for every seed and fraction; lone notes are placed as without groups", () => {
  for (let trial = 0; trial < 200; trial++) {
    const random = createRng(deriveSeed(trial, "split-groups"));
    const notes: NoteTypeCounts[] = [];
    for (let n = 0; n < 40; n++) notes.push({ noteId: `n${n}`, counts: counts(random.nextInt(8)) });
    // Three pairs and one triple share a text.
    const grouped = notes.map((note, n) => ({ ...note, group: n < 6 ? `g${n >> 1}` : n < 9 ? "triple" : `own${n}` }));
    const fraction = 0.1 + random.next() * 0.5;
    const testSet = splitByNote(grouped, { testFraction: fraction, seed: trial });
    for (const members of [
      ["n0", "n1"],
      ["n2", "n3"],
      ["n4", "n5"],
      ["n6", "n7", "n8"],
    ])
      assert.is(new Set(members.map((id) => testSet.has(id))).size, 1, `trial ${trial}: ${members} split`);
    // Notes each in a group of their own: the same split as with no groups.
    const alone = notes.map((note, n) => ({ ...note, group: `solo${n}` }));
    assert.equal(
      [...splitByNote(alone, { testFraction: fraction, seed: trial })].sort(),
      [...splitByNote(notes, { testFraction: fraction, seed: trial })].sort(),
    );
  }
});

function row(noteId: string, type: QuestionType, i: number): SynthRow {
  const isNa = type.startsWith("na_");
  return {
    question_id: `${noteId}:${type}:${i}`,
    note_id: noteId,
    chunk: 0,
    chunk_start: null,
    chunk_end: null,
    request_id: `${noteId}:${type}`,
    question_type: type,
    question: `Question ${i} of type ${type}?`,
    answer: isNa ? "NA" : type === "numeric" ? "7.2" : "Yes",
    answer_bool: type === "boolean" ? true : null,
    answer_number: type === "numeric" ? 7.2 : null,
    answer_unit: type === "numeric" ? "%" : null,
    answer_raw: "x",
    section: "Other",
    source: "",
    source_check: "empty",
    source_start: null,
    source_end: null,
    explanation: "Because.",
    explanation_quote_check: "none",
    difficulty: 1,
    model: "teacher",
    prompt_version: "v",
  };
}

test("step c keeps a note and its copy under another id (whitespace aside) on one side of the split", async () => {
  const notes: Record<string, string> = {};
  for (let n = 0; n < 20; n++) notes[`N${n}`] = `Note ${n}. HbA1c 7.${n} %.`;
  notes.COPY = "Note 3.  HbA1c 7.3 %.\n";
  assert.is(noteTextHash(notes.COPY), noteTextHash(notes.N3));
  const rows = Object.keys(notes).flatMap((id) =>
    QUESTION_TYPES.flatMap((type) => [row(id, type, 0), row(id, type, 1)]),
  );
  const notesFile = join(dir, "notes.jsonl");
  const acceptedFile = join(dir, "accepted.jsonl");
  writeFileSync(
    notesFile,
    `${Object.entries(notes)
      .map(([note_id, text]) => JSON.stringify({ note_id, text }))
      .join("\n")}\n`,
  );
  writeFileSync(acceptedFile, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  for (let seed = 0; seed < 12; seed++) {
    const { outDir } = await prepareDataset({
      acceptedFile,
      notes: notesFile,
      outDir: join(dir, `out${seed}`),
      seed,
      jsonl: true,
    });
    const testIds = new Set(
      readFileSync(join(outDir, "test.jsonl"), "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { note_id: string }).note_id),
    );
    assert.is(testIds.has("N3"), testIds.has("COPY"), `seed ${seed}: N3 and its copy on different sides`);
  }
});

test.run();
