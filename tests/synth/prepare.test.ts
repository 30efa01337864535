import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { synthSection } from "../../lib/src/config/sections/synth.js";
import { createRng, deriveSeed } from "../../lib/src/core/random.js";
import { readTrainingNoteIds } from "../../lib/src/eval/tasks/leakage.js";
import { evalMessages } from "../../lib/src/prompts/eval.js";
import { renderLlama31 } from "../../lib/src/prompts/llama31.js";
import { QUESTION_TYPES, type QuestionType } from "../../lib/src/prompts/teacher.js";
import { balanceByType } from "../../lib/src/synth/balance.js";
import { DatasetShardWriter } from "../../lib/src/synth/parquet-shards.js";
import {
  PREPARED_COLUMNS,
  prepareDataset,
  prepareVariants,
  promptTemplates,
  variantColumn,
} from "../../lib/src/synth/prepare.js";
import { splitByNote } from "../../lib/src/synth/split.js";
import { trainingTarget } from "../../lib/src/synth/training-format.js";
import type { SynthRow } from "../../lib/src/synth/types.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("synth-prepare-");

type Message = { role: "system" | "user" | "assistant"; content: string };
type Chat = {
  prompt: Message[];
  completion: Message[];
  messages: Message[];
  prompt_text: string;
  completion_text: string;
};

function row(noteId: string, type: QuestionType, i: number, overrides: Partial<SynthRow> = {}): SynthRow {
  const isNa = type.startsWith("na_");
  return {
    question_id: `${noteId}:${type}:${i}`,
    note_id: noteId,
    chunk: 0,
    chunk_start: null,
    chunk_end: null,
    request_id: `${noteId}:${type}`,
    question_type: type,
    question: `Question ${i} of type ${type} about ${noteId}?`,
    answer: isNa ? "NA" : type === "numeric" ? "7.2" : i % 2 ? "Yes" : "No",
    answer_bool: type === "boolean" ? i % 2 === 1 : null,
    answer_number: type === "numeric" ? 7.2 : null,
    answer_unit: type === "numeric" ? "%" : null,
    answer_raw: "x",
    section: "Other",
    source: "",
    source_check: "empty",
    source_start: null,
    source_end: null,
    explanation: 'Because the note says "so".',
    explanation_quote_check: "none",
    difficulty: 1 + (i % 10),
    model: "teacher",
    prompt_version: "v",
    ...overrides,
  };
}

function writeInputs(name: string, notes: Record<string, string>, rows: SynthRow[]) {
  const notesFile = join(dir, `${name}-notes.jsonl`);
  const acceptedFile = join(dir, `${name}-accepted.jsonl`);
  writeFileSync(
    notesFile,
    Object.entries(notes)
      .map(([note_id, text]) => JSON.stringify({ note_id, text }))
      .join("\n") + "\n",
  );
  writeFileSync(acceptedFile, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return { notesFile, acceptedFile };
}

function sampleData(noteCount: number) {
  const notes: Record<string, string> = {};
  const rows: SynthRow[] = [];
  for (let n = 0; n < noteCount; n++) {
    const id = `N${String(n).padStart(3, "0")}`;
    notes[id] = `Note ${id}. HbA1c 7.2 %. Patient "quoted" text \\ with backslash.`;
    QUESTION_TYPES.forEach((type, t) => {
      for (let i = 0; i < 2 + ((n + t) % 3); i++) rows.push(row(id, type, i));
    });
  }
  return { notes, rows };
}

test("outputs are byte-identical across two runs with the same seed, and differ with another seed", async () => {
  const { notes, rows } = sampleData(20);
  const { notesFile, acceptedFile } = writeInputs("det", notes, rows);
  const a = await prepareDataset({ acceptedFile, notes: notesFile, outDir: join(dir, "det-a"), seed: 7, jsonl: true });
  const b = await prepareDataset({ acceptedFile, notes: notesFile, outDir: join(dir, "det-b"), seed: 7, jsonl: true });
  assert.equal(a.files, b.files);
  for (const file of a.files) {
    assert.ok(readFileSync(join(a.outDir, file)).equals(readFileSync(join(b.outDir, file))), `${file} differs`);
  }
  const c = await prepareDataset({ acceptedFile, notes: notesFile, outDir: join(dir, "det-c"), seed: 8, jsonl: true });
  assert.is.not(
    readFileSync(join(c.outDir, "train.jsonl"), "utf8"),
    readFileSync(join(a.outDir, "train.jsonl"), "utf8"),
  );
  const manifest = JSON.parse(readFileSync(join(a.outDir, "manifest.json"), "utf8"));
  assert.ok(manifest.files.every((f: { sha256: string }) => /^[0-9a-f]{64}$/.test(f.sha256)));
  assert.ok(manifest.files.some((f: { path: string }) => f.path === "README.md"));
});

test("balanced types, no note on both sides, parquet holds trl's prompt-completion record and no copies", async () => {
  const { notes, rows } = sampleData(30);
  const { notesFile, acceptedFile } = writeInputs("bal", notes, rows);
  const { stats, outDir } = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "bal"),
    seed: 1,
    testFraction: 0.2,
    jsonl: true,
  });
  const kept = Object.values(stats.balance.kept);
  assert.ok(
    kept.every((k) => k === kept[0] && k > 0),
    JSON.stringify(stats.balance),
  );
  const train = pl.readParquet(join(outDir, stats.splits.train.files[0]));
  const test_ = pl.readParquet(join(outDir, stats.splits.test.files[0]));
  assert.is(train.height, stats.splits.train.rows);
  assert.is(test_.height, stats.splits.test.rows);
  const trainNotes = new Set(train.getColumn("note_id").toArray() as string[]);
  for (const id of test_.getColumn("note_id").toArray() as string[])
    assert.not.ok(trainNotes.has(id), `${id} on both sides`);
  assert.is(stats.splits.test.notes, 6);
  const first = train.row(0) as unknown[];
  const columns = train.columns;
  const value = (name: string) => first[columns.indexOf(name)];
  const prompt = value("prompt") as { role: string; content: string }[];
  const completion = value("completion") as { role: string; content: string }[];
  assert.equal(
    prompt.map((m) => m.role),
    ["system", "user"],
  );
  assert.equal(
    completion.map((m) => m.role),
    ["assistant"],
  );
  assert.ok(prompt[1].content.includes(notes[value("note_id") as string]));
  // The note is stored once per row: no rendered strings, no second conversation, no helper columns.
  assert.equal(columns.slice(-2), ["prompt", "completion"]);
  for (const name of ["prompt_text", "completion_text", "messages", "_system", "_note", "_user"])
    assert.not.ok(columns.includes(name), name);
  // JSONL holds the same rows
  const jsonl = readFileSync(join(outDir, "train.jsonl"), "utf8").trim().split("\n");
  assert.is(jsonl.length, stats.splits.train.rows);
  const card = readFileSync(join(outDir, "README.md"), "utf8");
  assert.ok(card.includes("path: data/train-*.parquet"));
  assert.ok(card.includes("| Seed | 1 |"));
});

test("train.jsonl is byte for byte what polars writes for the same columns, with awkward text", async () => {
  const notes = {
    A: 'Note A: "quoted", back\\slash, tab\there, \u0001 control, caf\u00e9, \u{1F489} syringe, line\nbreak, \u2028 sep.',
    B: "Note B: </script> <|not_special|> \ud800 lone surrogate and \u00a0 nbsp.",
  };
  const rows = ["A", "B"].flatMap((id) =>
    QUESTION_TYPES.map((type, i) =>
      row(id, type, i, {
        question: `Is "${id}" \u00e9\t\\ ok ${type}?`,
        explanation: `Said "x\ny" \u{1F600} ${id}`,
        answer_unit: type === "numeric" ? "\u00b5mol/L" : null,
        answer_number: type === "numeric" ? 1e-7 : null,
      }),
    ),
  );
  const { notesFile, acceptedFile } = writeInputs("bytes", notes, rows);
  const { stats, outDir } = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "bytes"),
    testFraction: 0,
    balance: "none",
    jsonl: true,
  });
  assert.is(stats.splits.train.rows, rows.length);
  const frame = pl.readParquet(join(outDir, stats.splits.train.files[0]));
  const small = frame.columns.slice(0, frame.columns.indexOf("prompt"));
  const expected = frame
    .select(...small, "prompt", "completion")
    .writeJSON({ format: "lines" })
    .toString("utf8");
  assert.is(readFileSync(join(outDir, "train.jsonl"), "utf8"), expected);
});

test("training target is JSON.stringify output: quotes and backslashes survive a round trip", () => {
  const tricky = row("N1", "numeric", 0, { explanation: 'He said "7,2" \\ then\nleft', answer_number: 7.2 });
  const target = trainingTarget(tricky, ["answer", "explanation"]);
  assert.equal(JSON.parse(target), { answer: 7.2, explanation: 'He said "7,2" \\ then\nleft' });
  assert.equal(JSON.parse(trainingTarget(row("N1", "boolean", 1), ["answer"])), { answer: "Yes" });
  assert.equal(JSON.parse(trainingTarget(row("N1", "na_boolean", 1), ["answer"])), { answer: "NA" });
});

test("prepare rejects: unknown note, special tokens, over the max sequence", async () => {
  const notes = { N1: "Short note.", N2: "Bad <|eot_id|> note.", N3: "x".repeat(5000) };
  const rows = [
    row("N1", "boolean", 1),
    row("N1", "boolean", 2, { question: "Inject <|start_header_id|> here?" }),
    row("N2", "boolean", 1),
    row("N3", "boolean", 1),
    row("N9", "boolean", 1),
  ];
  const { notesFile, acceptedFile } = writeInputs("rej", notes, rows);
  const { stats, outDir } = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "rej"),
    maxSeqTokens: 1000,
    balance: "none",
  });
  assert.equal(stats.rejected, { special_token_in_text: 2, over_max_sequence: 1, unknown_note: 1 });
  assert.is(stats.splits.train.rows + stats.splits.test.rows, 1);
  const rejects = readFileSync(join(outDir, "rejects.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.is(rejects.length, 4);
});

test("a hand-edited accepted file with a broken row is an error naming its line", async () => {
  const { notes, rows } = sampleData(2);
  const { notesFile, acceptedFile } = writeInputs("edited", notes, rows);
  const lines = readFileSync(acceptedFile, "utf8").split("\n");
  const broken = JSON.parse(lines[1]);
  delete broken.question;
  lines[1] = JSON.stringify(broken);
  writeFileSync(acceptedFile, lines.join("\n"));
  const error = await prepareDataset({ acceptedFile, notes: notesFile, outDir: join(dir, "edited") }).catch((e) => e);
  assert.instance(error, Error);
  assert.match(error.message, /edited-accepted\.jsonl line 2: not an accepted row/);
});

test("variants keep only their types", async () => {
  const { notes, rows } = sampleData(6);
  const { notesFile, acceptedFile } = writeInputs("var", notes, rows);
  const boolean = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "var-b"),
    variant: "boolean",
  });
  assert.is(boolean.stats.balance.available.numeric, 0);
  assert.ok(boolean.stats.balance.kept.boolean > 0 && boolean.stats.balance.kept.na_boolean > 0);
  const numeric = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "var-n"),
    variant: "numeric",
  });
  assert.is(numeric.stats.balance.available.boolean, 0);
});

test("prepareVariants writes each variant's rows once, marked by column, balanced as prepareDataset balances them", async () => {
  // Notes of uneven type counts, so the variants' balancing targets differ and a row can be in one variant only.
  const notes: Record<string, string> = {};
  const rows: SynthRow[] = [];
  for (let n = 0; n < 24; n++) {
    const id = `V${String(n).padStart(3, "0")}`;
    notes[id] = `Note ${id}. HbA1c 7.2 %.`;
    QUESTION_TYPES.forEach((type, t) => {
      for (let i = 0; i < 1 + ((n * (t + 1)) % 4); i++) rows.push(row(id, type, i));
    });
  }
  const { notesFile, acceptedFile } = writeInputs("multi", notes, rows);
  const variants = ["boolean", "numeric", "all"] as const;
  const options = { acceptedFile, notes: notesFile, seed: 5, jsonl: true };
  const multi = await prepareVariants({ ...options, outDir: join(dir, "multi-a"), variants: [...variants] });
  const again = await prepareVariants({
    ...options,
    outDir: join(dir, "multi-b"),
    variants: ["all", "numeric", "boolean"],
  });
  for (const file of multi.files)
    assert.ok(readFileSync(join(multi.outDir, file)).equals(readFileSync(join(again.outDir, file))), `${file} differs`);

  const frames = (["train", "test"] as const).map((split) =>
    pl.concat(multi.stats.splits[split].files.map((file) => pl.readParquet(join(multi.outDir, file)))),
  );
  const [train, test_] = frames;
  assert.equal(train.columns.slice(-5), ["variant_boolean", "variant_numeric", "variant_all", "prompt", "completion"]);
  const ids = (frame: pl.DataFrame) => frame.getColumn("question_id").toArray() as string[];
  const all = [...ids(train), ...ids(test_)];
  assert.is(new Set(all).size, all.length, "a row is written once");
  const inAll = new Set(frames.flatMap((frame) => ids(frame.filter(pl.col("variant_all")))));
  let inOneOnly = 0;
  for (const variant of variants) {
    const single = await prepareDataset({ ...options, outDir: join(dir, `multi-${variant}`), variant });
    const marked = (frame: pl.DataFrame) => ids(frame.filter(pl.col(variantColumn(variant))));
    const selected = [...marked(train), ...marked(test_)];
    const singleFrames = [single.stats.splits.train, single.stats.splits.test].flatMap((split) =>
      split.files.map((file) => ids(pl.readParquet(join(single.outDir, file)))),
    );
    // Same rows as the variant's own dataset, in the same order; the balance is the same too.
    assert.equal(selected.sort(), singleFrames.flat().sort(), variant);
    assert.equal(multi.stats.byVariant[variant]?.balance, single.stats.balance);
    assert.is(multi.stats.byVariant[variant]?.splits.test.rows, marked(test_).length);
    inOneOnly += selected.filter((id) => !inAll.has(id)).length;
  }
  assert.ok(inOneOnly > 0, "the data gives rows outside variant all, so the union is tested");
  // One split for every variant: no note on both sides.
  const testNotes = new Set(test_.getColumn("note_id").toArray() as string[]);
  assert.ok((train.getColumn("note_id").toArray() as string[]).every((id) => !testNotes.has(id)));
  // The JSONL copy carries the marks too (what slurm/finetune.py --variant reads).
  const line = JSON.parse(readFileSync(join(multi.outDir, "train.jsonl"), "utf8").split("\n")[0]);
  assert.equal(typeof line.variant_boolean, "boolean");
  const card = readFileSync(join(multi.outDir, "README.md"), "utf8");
  assert.match(card, /### numeric \(`variant_numeric`\)/);
  assert.match(card, /input_columns="variant_boolean"/);
  assert.equal(JSON.parse(readFileSync(join(multi.outDir, "manifest.json"), "utf8")).variants, [...variants]);
});

test("chunked rows use their part of the note in the prompt", async () => {
  const notes = { N1: "FIRST PART. SECOND PART." };
  const rows = [row("N1", "boolean", 1, { chunk: 2, chunk_start: 12, chunk_end: 24 })];
  const { notesFile, acceptedFile } = writeInputs("chunk", notes, rows);
  const { outDir } = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "chunk"),
    testFraction: 0,
    balance: "none",
    jsonl: true,
  });
  const line = JSON.parse(readFileSync(join(outDir, "train.jsonl"), "utf8").trim());
  assert.ok(line.prompt[1].content.includes("SECOND PART."));
  assert.not.ok(line.prompt[1].content.includes("FIRST PART."));
  assert.equal(Object.keys(line).slice(-2), ["prompt", "completion"]);
});

test("an empty split still gets one readable (empty) shard; a prompt builder that is no template is refused", async () => {
  const { notes, rows } = sampleData(3);
  const { notesFile, acceptedFile } = writeInputs("empty", notes, rows);
  const { stats, outDir } = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "empty"),
    testFraction: 0,
    jsonl: true,
    extraColumns: ["messages"],
  });
  assert.is(stats.splits.test.rows, 0);
  assert.equal(stats.splits.test.files, ["data/test-00000-of-00001.parquet"]);
  const frame = pl.readParquet(join(outDir, stats.splits.test.files[0]));
  assert.is(frame.height, 0);
  assert.ok(frame.columns.includes("messages"));
  assert.is(readFileSync(join(outDir, "test.jsonl"), "utf8"), "");
  const upper = (note: string, question: string) => [
    { role: "system" as const, content: "S" },
    { role: "user" as const, content: `${note.toUpperCase()} ${question}` },
  ];
  try {
    await prepareDataset({ acceptedFile, notes: notesFile, outDir: join(dir, "upper"), promptBuilder: upper });
    assert.unreachable("a builder that transforms the note must be refused");
  } catch (error) {
    assert.match((error as Error).message, /not a plain template/);
  }
});

test("property: over random data, no note is on both sides and the test share is near the target", () => {
  for (let trial = 0; trial < 200; trial++) {
    const random = createRng(deriveSeed(trial, "split-property"));
    const noteCount = 1 + random.nextInt(80);
    const notes = Array.from({ length: noteCount }, (_, n) => ({
      noteId: `P${trial}-${n}`,
      counts: Object.fromEntries(QUESTION_TYPES.map((t) => [t, random.nextInt(6)])) as Record<QuestionType, number>,
    }));
    const fraction = random.next();
    const testSet = splitByNote(notes, { testFraction: fraction, seed: trial });
    const withRows = notes.filter((n) => QUESTION_TYPES.some((t) => n.counts[t] > 0));
    // every note is on exactly one side: test ones are known notes with rows, the rest are train
    for (const id of testSet)
      assert.ok(
        withRows.some((n) => n.noteId === id),
        `unknown test note ${id}`,
      );
    assert.is(testSet.size, Math.round(withRows.length * fraction), `trial ${trial}`);
    // same seed, shuffled input: same split
    const shuffled = [...notes].reverse();
    assert.equal([...splitByNote(shuffled, { testFraction: fraction, seed: trial })].sort(), [...testSet].sort());
  }
});

test("property: balancing picks exactly the target per type, independent of row order", () => {
  for (let trial = 0; trial < 50; trial++) {
    const random = createRng(deriveSeed(trial, "balance-property"));
    const length = 1 + random.nextInt(500);
    const types = Uint8Array.from({ length }, () => random.nextInt(4));
    const keys = Float64Array.from({ length }, () => random.next());
    const result = balanceByType({ types, keys, length }, "equal");
    const present = QUESTION_TYPES.filter((t) => result.available[t] > 0);
    const target = Math.min(...present.map((t) => result.available[t]));
    for (const t of present) assert.is(result.kept[t], target);
    assert.is(
      result.selected.reduce((a, b) => a + b, 0),
      target * present.length,
    );
    const capped = balanceByType({ types, keys, length }, "none", 3);
    for (const t of present) assert.is(capped.kept[t], Math.min(3, capped.available[t]));
  }
});

test("by default only trl's record is written (no JSONL); extra columns on request are the Llama-3.1 rendering", async () => {
  const { notes, rows } = sampleData(8);
  const { notesFile, acceptedFile } = writeInputs("lean", notes, rows);
  const lean = await prepareDataset({ acceptedFile, notes: notesFile, outDir: join(dir, "lean"), seed: 3 });
  assert.not.ok(existsSync(join(lean.outDir, "train.jsonl")) || existsSync(join(lean.outDir, "test.jsonl")));
  assert.not.ok(lean.files.some((file) => file.endsWith(".jsonl") && file !== "rejects.jsonl"));
  const full = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "full"),
    seed: 3,
    extraColumns: ["messages", "prompt_text", "completion_text"],
  });
  const leanFrame = pl.readParquet(join(lean.outDir, lean.stats.splits.train.files[0]));
  const fullFrame = pl.readParquet(join(full.outDir, full.stats.splits.train.files[0]));
  // Extra columns come after the record, in a fixed order, whatever order the config names them.
  assert.equal(fullFrame.columns, [...leanFrame.columns, "prompt_text", "completion_text", "messages"]);
  assert.is(fullFrame.height, leanFrame.height);
  for (const record of fullFrame.toRecords() as unknown as Chat[]) {
    assert.equal(record.messages, [...record.prompt, ...record.completion]);
    assert.is(`${record.prompt_text}${record.completion_text}`, renderLlama31(record.messages));
  }
  // Same rows and record either way.
  assert.equal(fullFrame.select(...leanFrame.columns).toRecords(), leanFrame.toRecords());
});

test("parquet shards declare plain types: no Arrow string-view schema in the footer, strings and lists read back", async () => {
  const { notes, rows } = sampleData(4);
  const { notesFile, acceptedFile } = writeInputs("plain", notes, rows);
  const { stats, outDir } = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "plain"),
    extraColumns: ["prompt_text"],
  });
  for (const file of [...stats.splits.train.files, ...stats.splits.test.files]) {
    const bytes = readFileSync(join(outDir, file));
    const footer = bytes.subarray(bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8), bytes.length - 8);
    assert.not.ok(footer.includes("ARROW:schema"), `${file} still declares polars' Arrow types`);
    assert.ok(footer.includes("polars:arrow"));
    const frame = pl.readParquet(join(outDir, file));
    const types = Object.fromEntries(frame.columns.map((name, i) => [name, String(frame.dtypes[i])]));
    assert.is(types.question, "DataType(String)");
    assert.is(types.prompt_text, "DataType(String)");
    assert.is(types.difficulty, "DataType(Int64)");
    for (const name of ["prompt", "completion"]) assert.match(types[name], /^DataType\(List\(DataType\(Struct/);
    const record = frame.toRecords()[0] as unknown as Chat | undefined;
    if (record) assert.equal(Object.keys(record.prompt[0]), ["role", "content"]);
  }
});

test("shards written by worker threads are byte-identical to the in-thread ones, in order", async () => {
  const { notes, rows } = sampleData(40);
  const { notesFile, acceptedFile } = writeInputs("workers", notes, rows);
  const run = (name: string, workers: number) =>
    prepareDataset({
      acceptedFile,
      notes: notesFile,
      outDir: join(dir, name),
      seed: 5,
      shardBytes: 4000,
      jsonl: true,
      workers,
    });
  const serial = await run("serial", 0);
  const parallel = await run("parallel", 2);
  assert.ok(serial.stats.splits.train.files.length >= 4, `only ${serial.stats.splits.train.files.length} shards`);
  assert.equal(parallel.files, serial.files);
  for (const file of serial.files)
    assert.ok(
      readFileSync(join(serial.outDir, file)).equals(readFileSync(join(parallel.outDir, file))),
      `${file} differs`,
    );
  assert.equal(
    readdirSync(join(parallel.outDir, "data")).filter((name) => name.endsWith(".partial")),
    [],
  );
  // The writer itself: every shard flushed before close goes to a worker.
  const templates = promptTemplates(evalMessages, undefined);
  const writer = new DatasetShardWriter({
    dir: join(dir, "writer"),
    split: "train",
    columns: PREPARED_COLUMNS,
    templates,
    shardBytes: 1,
    workers: 2,
  });
  for (let i = 0; i < 5; i++)
    writer.push({ ...rows[0], question_id: `q${i}` }, "N000", notes.N000, "{}", "{}<|eot_id|>");
  assert.is((await writer.close()).length, 5);
  assert.is(writer.workerShards, 5);
});

test("the dataset card names the license and documents every column it wrote", async () => {
  const { notes, rows } = sampleData(4);
  const { notesFile, acceptedFile } = writeInputs("card", notes, rows);
  const { stats, outDir } = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "card"),
    extraColumns: ["messages"],
    licenseName: "physionet-credentialed-health-data-1.5.0",
    licenseLink: "https://physionet.org/content/mimiciv/view-license/3.1/",
  });
  const card = readFileSync(join(outDir, "README.md"), "utf8");
  const yaml = card.slice(0, card.indexOf("\n---", 4));
  assert.match(
    yaml,
    /\nlicense: other\nlicense_name: "physionet-credentialed-health-data-1\.5\.0"\nlicense_link: "https:\/\/physionet/,
  );
  for (const column of pl.readParquet(join(outDir, stats.splits.train.files[0])).columns)
    assert.ok(card.includes(`| \`${column}\` |`), `column ${column} is not documented`);
  assert.not.ok(card.includes("`prompt_text`"), "a column that was not written is documented");
  assert.ok(card.includes("No JSONL copy"));
  const plain = await prepareDataset({ acceptedFile, notes: notesFile, outDir: join(dir, "card-default") });
  assert.match(readFileSync(join(plain.outDir, "README.md"), "utf8"), /\nlicense_name: "source-data-use-agreement"\n/);
});

test("config: prepare's extra columns, JSONL, workers and license are checked", () => {
  const prepare = synthSection.parse({}).prepare;
  assert.equal(prepare.extraColumns, []);
  assert.is(prepare.jsonl, false);
  assert.is(prepare.workers, 0);
  for (const bad of [
    { extraColumns: ["prompt_txt"] },
    { extraColumns: ["messages", "messages"] },
    { licenseName: "Has Spaces" },
    { workers: -1 },
  ])
    assert.not.ok(synthSection.safeParse({ prepare: bad }).success, JSON.stringify(bad));
  assert.equal(synthSection.parse({ prepare: { extraColumns: ["prompt_text"] } }).prepare.extraColumns, [
    "prompt_text",
  ]);
});

test("the evaluation's leakage check reads the training notes of a folder with parquet only", async () => {
  const { notes, rows } = sampleData(10);
  const { notesFile, acceptedFile } = writeInputs("leak", notes, rows);
  const { stats, outDir } = await prepareDataset({
    acceptedFile,
    notes: notesFile,
    outDir: join(dir, "leak"),
    seed: 2,
  });
  const read = await readTrainingNoteIds(outDir);
  assert.ok(read);
  assert.is(read.ids.size, stats.splits.train.notes);
});

test.run();
