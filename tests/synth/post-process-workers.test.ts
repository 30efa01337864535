import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRng } from "../../lib/src/core/random.js";
import { noteLookupFromMap } from "../../lib/src/synth/note-lookup.js";
import { type PostProcessFileOptions, postProcessFile } from "../../lib/src/synth/post-process-file.js";
import { tempDir } from "../helpers/temp-dir.js";

// Step b in worker threads must write exactly the files one thread writes. The responses here are several
// MB (the workers take runs of about 1 MB), with what real teacher output holds: duplicates, paraphrased and
// missing quotes, wrong types, fenced JSON, truncated answers, a line that is not JSON, and a BOM.

const dir = tempDir("synth-workers-");
const WORDS = "patient chest pain troponin creatinine insulin metoprolol heparin echo hypertension diabetes".split(" ");
const TYPES = ["boolean", "numeric", "na_numeric", "na_boolean"] as const;

interface Inputs {
  notes: string;
  responses: string;
  noteTexts: Map<string, string>;
}

/** `noteCount` notes, four responses each; `hint(i)` may put a misleading nested note_id in line i. */
function writeInputs(name: string, noteCount: number, options: { nestedId?: (line: number) => string } = {}): Inputs {
  const random = createRng(7);
  const word = () => WORDS[random.nextInt(WORDS.length)];
  const phrase = (n: number) => Array.from({ length: n }, word).join(" ");
  const noteTexts = new Map<string, string>();
  const lines: string[] = [];
  for (let n = 0; n < noteCount; n++) {
    const noteId = `N${String(n).padStart(5, "0")}`;
    const sentences = Array.from({ length: 12 }, () => `${phrase(7)} value ${random.nextInt(300)} mg/dL.`);
    noteTexts.set(noteId, sentences.join("\n"));
    for (const type of TYPES) {
      const items = Array.from({ length: 10 }, (_, i) => ({
        question:
          i === 3
            ? `q0 ${noteId} ${type}?`
            : i === 4
              ? `Q0  ${noteId}, ${type}`
              : `q${i} ${phrase(6)} ${noteId} ${type}?`,
        type,
        answer:
          type === "boolean" ? (i % 2 ? "Yes" : "no") : type === "numeric" ? `${random.nextInt(200)} mg/dL` : "NA",
        section: "Results",
        source: type.startsWith("na_")
          ? ""
          : i === 5
            ? sentences[1].toUpperCase()
            : i === 6
              ? "stable overnight, no events"
              : sentences[i],
        difficulty: i === 7 ? "hard" : 1 + (i % 10),
        explanation: `The note says "${sentences[(i + 2) % 12].slice(0, 30)}" and ${phrase(5)}.`,
      }));
      items[0].question = `q0 ${noteId} ${type}?`;
      let text = JSON.stringify({ questions: items });
      if (n % 37 === 5 && type === "numeric") text = text.slice(0, text.length / 2); // cut off: truncated
      if (n % 41 === 3 && type === "boolean") text = `Here:\n\`\`\`json\n${text}\n\`\`\``;
      const record: Record<string, unknown> = {};
      const nested = options.nestedId?.(lines.length);
      if (nested !== undefined) record.meta = { note_id: nested };
      Object.assign(record, {
        request_id: `${noteId}:${type}`,
        note_id: noteId,
        chunk: 0,
        question_type: type,
        model: "test-teacher",
        prompt_version: "v1",
        ok: true,
        text,
        finish_reason: n % 53 === 9 && type === "na_boolean" ? "length" : "stop",
      });
      lines.push(JSON.stringify(record));
    }
    if (n === Math.floor(noteCount / 2)) lines.push('{"request_id": "cut off');
  }
  const notes = join(dir, `${name}-notes.jsonl`);
  const responses = join(dir, `${name}-responses.jsonl`);
  writeFileSync(notes, [...noteTexts].map(([note_id, text]) => JSON.stringify({ note_id, text })).join("\n"));
  writeFileSync(responses, `\uFEFF${lines.join("\n")}\n`);
  return { notes, responses, noteTexts };
}

const outputs = (outDir: string) =>
  ["accepted.jsonl", "rejects.jsonl", "summary.json"].map((file) => readFileSync(join(outDir, file), "utf8"));

async function run(inputs: Inputs, name: string, extra: Partial<PostProcessFileOptions>) {
  const outDir = join(dir, name);
  const result = await postProcessFile({ responsesFile: inputs.responses, notes: inputs.notes, outDir, ...extra });
  return { result, files: outputs(outDir) };
}

const big = writeInputs("big", 900);

test("workers write the files one thread writes, byte for byte", async () => {
  const one = await run(big, "one", { workers: 0 });
  const two = await run(big, "two", { workers: 2 });
  assert.is(one.result.workers, 0);
  assert.is(two.result.workers, 2, "the run must have used the workers");
  assert.ok(one.result.stats.accepted > 20_000, `accepted ${one.result.stats.accepted}`);
  // The input has what the comparison must cover.
  for (const reason of ["duplicate_exact", "truncated", "duplicate_normalized", "bad_record", "wrong_type"])
    assert.ok(
      (one.result.stats.byReason as Record<string, number>)[reason] > 0,
      `no ${reason} rejects: ${JSON.stringify(one.result.stats.byReason)}`,
    );
  const { recovered, sourceCheck } = one.result.stats;
  assert.ok(
    recovered.fence > 0 && sourceCheck.normalized > 0 && sourceCheck.not_found > 0,
    JSON.stringify({ recovered, sourceCheck }),
  );
  assert.equal(two.files, one.files);
  assert.equal(two.result.stats, one.result.stats);
  // The bad line is named by its line number in the file, as in one thread.
  // It follows the responses of the first 451 notes, 4 each.
  assert.ok(two.files[1].includes(`big-responses.jsonl line ${451 * 4 + 1}: not valid JSON`));
});

test("workers from the built library (what notebooks import) write the same files", async () => {
  const dist = join(import.meta.dirname, "..", "..", "lib", "dist", "synth", "post-process-file.js");
  if (!existsSync(dist)) throw new Error("lib/dist is missing: run `npm run build` (npm test does)");
  const built = (await import(pathToFileURL(dist).href)) as { postProcessFile: typeof postProcessFile };
  const outDir = join(dir, "dist-two");
  const result = await built.postProcessFile({ responsesFile: big.responses, notes: big.notes, outDir, workers: 2 });
  assert.is(result.workers, 2);
  assert.equal(outputs(outDir), outputs(join(dir, "one")));
});

test("workers: a wrong guess of where notes start is noticed and the file redone in one thread", async () => {
  // Every line carries a nested note_id of its own before the real one, so runs are cut inside notes.
  const misleading = writeInputs("misleading", 600, { nestedId: (line) => `X${line}` });
  const one = await run(misleading, "misleading-one", { workers: 0 });
  const two = await run(misleading, "misleading-two", { workers: 2 });
  assert.is(two.result.workers, 0, "the workers' run must have been redone");
  assert.equal(two.files, one.files);
});

test("workers: a note whose responses come back later fails as in one thread", async () => {
  const inputs = writeInputs("back", 500);
  const text = readFileSync(inputs.responses, "utf8");
  writeFileSync(inputs.responses, `${text}${text.slice(1, text.indexOf("\n"))}\n`);
  const messages: string[] = [];
  for (const workers of [0, 2]) {
    try {
      await run(inputs, `back-${workers}`, { workers });
      assert.unreachable("non-contiguous responses must fail");
    } catch (error) {
      messages.push((error as Error).message);
    }
  }
  assert.match(messages[0], /responses for note N00000 are not contiguous/);
  assert.is(messages[1], messages[0]);
});

test('workers "auto": none for a small file, a notes lookup, or grouping "any"', async () => {
  const small = writeInputs("small", 20);
  assert.is((await run(small, "small", {})).result.workers, 0);
  assert.is((await run(big, "lookup", { notes: noteLookupFromMap(big.noteTexts), workers: 2 })).result.workers, 0);
  assert.is((await run(big, "any", { grouping: "any", workers: 2 })).result.workers, 0);
});

test.run();
