import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultSeed, type ResolvedSeed } from "../config/seeds.js";
import { noteTextHash } from "../data/note-hash.js";
import { evalMessages } from "../prompts/eval.js";
import { findSpecialToken, LLAMA31_SPECIAL, renderLlama31 } from "../prompts/llama31.js";
import { QUESTION_TYPES, type QuestionType } from "../prompts/teacher.js";
import { balanceByType } from "./balance.js";
import { renderDatasetCard } from "./dataset-card.js";
import { JsonlWriter, readLineBatches } from "./internal/jsonl.js";
import { hashUnit } from "./internal/random.js";
import { writeManifest } from "./manifest.js";
import { NoteIndex, type NoteLookup } from "./note-lookup.js";
import type { ColumnSpec, ExtraColumn, PromptTemplates } from "./parquet-shards.js";
import { type NoteTypeCounts, splitByNote } from "./split.js";
import { type PromptBuilder, type TargetField, trainingExample, trainingTarget } from "./training-format.js";
import { type RejectReason, type SynthRow, type Variant, variantIncludes } from "./types.js";

/**
 * Step c: accepted.jsonl -> a Hugging Face `datasets` folder for one variant:
 *   data/{train,test}-NNNNN-of-NNNNN.parquet, README.md (dataset card), rejects.jsonl, stats.json,
 *   manifest.json (sha256 of every file), and train.jsonl / test.jsonl when asked for.
 * Two passes over the input, holding a few numbers per row in between: pass 1 checks rows and
 * draws balancing keys, then balance and split are decided, pass 2 formats and writes.
 */

export interface PrepareOptions {
  acceptedFile: string;
  notes: string | NoteLookup;
  /** Output folder for this variant (replaced). */
  outDir: string;
  variant?: Variant;
  seed?: number;
  /** The experiment's seed record (config.resolvedSeeds), written to the manifest and the dataset card. */
  seeds?: readonly ResolvedSeed[];
  testFraction?: number;
  balance?: "equal" | "none";
  perType?: number;
  targetFields?: readonly TargetField[];
  /** Rows whose estimated length exceeds this are set aside (the fine-tuning max sequence). */
  maxSeqTokens?: number;
  charsPerToken?: number;
  /** Llama-3.1 rendering of prompt_text: add the HF template's date header (what trl's chat template adds). */
  dateHeader?: boolean;
  promptBuilder?: PromptBuilder;
  studentPromptName?: string;
  shardBytes?: number;
  /** Columns that repeat the note, written only when asked for (default none): see docs/synth.md. */
  extraColumns?: readonly ExtraColumn[];
  /** Also write train.jsonl / test.jsonl (prompt-completion records) beside the parquet files (default false). */
  jsonl?: boolean;
  /** Worker threads that build and write parquet shards (default 0: in this thread; see docs/synth.md). */
  workers?: number;
  /** The dataset card's license: `license_name` / `license_link` under `license: other`. */
  licenseName?: string;
  licenseLink?: string;
  /** Dataset card facts. */
  name?: string;
  teacherModel?: string;
  teacherPromptVersion?: string;
  sourceRestriction?: string;
  isSample?: boolean;
}

export interface PrepareStats {
  variant: Variant;
  seed: number;
  rowsIn: number;
  rejected: Partial<Record<RejectReason, number>>;
  balance: {
    mode: string;
    target: number | null;
    available: Record<QuestionType, number>;
    kept: Record<QuestionType, number>;
  };
  splits: Record<
    "train" | "test",
    { rows: number; notes: number; byType: Record<QuestionType, number>; difficulty: number[]; files: string[] }
  >;
}

export const DEFAULT_SOURCE_RESTRICTION =
  "Questions and prompts contain clinical note text. When built from MIMIC or n2c2 notes, this dataset falls under the " +
  "source's data use agreement: keep it on approved storage, do not share or upload it, and do not send it to services " +
  "that retain data.";

/** The per-row columns of a prepared split, before the prompt columns. */
export const PREPARED_COLUMNS: ColumnSpec = {
  question_id: "string",
  note_id: "string",
  chunk: "int",
  question_type: "string",
  question: "string",
  answer: "string",
  answer_bool: "bool",
  answer_number: "float",
  answer_unit: "string",
  section: "string",
  source: "string",
  source_check: "string",
  source_start: "int",
  source_end: "int",
  explanation: "string",
  explanation_quote_check: "string",
  difficulty: "int",
};

// Placeholders that cannot occur in text (control characters), to read the prompt builder as a template.
const NOTE_MARK = "\u0001NOTE\u0001";
const QUESTION_MARK = "\u0001QUESTION\u0001";

function splitTemplate(text: string, what: string): [string, string, string] {
  const [before, rest, ...more] = text.split(NOTE_MARK);
  const [between, after, ...more2] = (rest ?? "").split(QUESTION_MARK);
  if (
    rest === undefined ||
    after === undefined ||
    more.length > 0 ||
    more2.length > 0 ||
    before.includes(QUESTION_MARK)
  )
    throw new Error(`promptBuilder: ${what} must contain the note once and then the question once`);
  return [before, between, after];
}

/** The prompt builder's output as fixed text around the note and the question (checked per note later). */
export function promptTemplates(promptBuilder: PromptBuilder, dateHeader: boolean | undefined): PromptTemplates {
  const messages = promptBuilder(NOTE_MARK, QUESTION_MARK);
  if (messages.length !== 2 || messages[0].role !== "system" || messages[1].role !== "user")
    throw new Error("promptBuilder must return a system message and a user message");
  if (messages[0].content.includes(NOTE_MARK) || messages[0].content.includes(QUESTION_MARK))
    throw new Error("promptBuilder: the system message must not contain the note or the question");
  return {
    system: messages[0].content,
    user: splitTemplate(messages[1].content, "the user message"),
    promptText: splitTemplate(
      renderLlama31(messages, { addGenerationPrompt: true, dateHeader }),
      "the rendered prompt",
    ),
  };
}

const fillTemplate = (template: readonly string[], note: string, question: string) =>
  template[0] + note + template[1] + question + template[2];

const emptyTypeCounts = () => Object.fromEntries(QUESTION_TYPES.map((t) => [t, 0])) as Record<QuestionType, number>;

/**
 * Accepted rows of one variant, a batch at a time, with their line numbers; bad lines are errors
 * naming the line (b wrote this file). With `wanted`, lines it does not mark are skipped unparsed
 * (pass 2 reads only the rows balancing kept).
 */
async function* variantBatches(
  file: string,
  variant: Variant,
  wanted?: Uint8Array,
): AsyncGenerator<{ rows: SynthRow[]; lineNos: number[] }> {
  for await (const batch of readLineBatches(file)) {
    const rows: SynthRow[] = [];
    const lineNos: number[] = [];
    for (const line of batch) {
      if (wanted && !wanted[line.lineNo]) continue;
      let row: SynthRow;
      try {
        row = JSON.parse(line.text);
      } catch (error) {
        throw new Error(
          `${file} line ${line.lineNo}: not valid JSON (${(error as Error).message}); re-run post-processing`,
        );
      }
      if (
        typeof row?.question_id !== "string" ||
        typeof row.note_id !== "string" ||
        typeof row.question !== "string" ||
        !QUESTION_TYPES.includes(row.question_type)
      )
        throw new Error(
          `${file} line ${line.lineNo}: not an accepted row (question_id, note_id, question or question_type missing)`,
        );
      if (variantIncludes(variant, row.question_type)) {
        rows.push(row);
        lineNos.push(line.lineNo);
      }
    }
    if (rows.length > 0) yield { rows, lineNos };
  }
}

/** Fetches note text for consecutive rows of one note (accepted.jsonl is grouped by note). */
class NoteCache {
  private id: string | undefined;
  private text: string | undefined;
  private token: string | undefined;
  constructor(private readonly lookup: NoteLookup) {}
  get(noteId: string): { text: string | undefined; specialToken: string | undefined } {
    if (noteId !== this.id) {
      this.id = noteId;
      this.text = this.lookup.get(noteId);
      this.token = this.text === undefined ? undefined : findSpecialToken(this.text);
    }
    return { text: this.text, specialToken: this.token };
  }
}

function noteSlice(text: string, row: SynthRow): string {
  return row.chunk_start !== null && row.chunk_end !== null ? text.slice(row.chunk_start, row.chunk_end) : text;
}

export async function prepareDataset(
  options: PrepareOptions,
): Promise<{ stats: PrepareStats; outDir: string; files: string[] }> {
  const variant = options.variant ?? "all";
  const seed = options.seed ?? defaultSeed("synth.prepare");
  const testFraction = options.testFraction ?? 0.2;
  const balanceMode = options.balance ?? "equal";
  const targetFields = options.targetFields ?? ["answer", "explanation"];
  const maxSeqTokens = options.maxSeqTokens ?? 12_000;
  const charsPerToken = options.charsPerToken ?? 3;
  const promptBuilder = options.promptBuilder ?? evalMessages;
  const outDir = options.outDir;
  const lookup = typeof options.notes === "string" ? await NoteIndex.open(options.notes) : options.notes;

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "data"), { recursive: true });
  const rejects = new JsonlWriter(join(outDir, "rejects.jsonl"));
  const rejected: Partial<Record<RejectReason, number>> = {};
  const reject = (row: SynthRow, reason: RejectReason, detail: string) => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
    rejects.write({
      reason,
      detail,
      note_id: row.note_id,
      request_id: row.request_id,
      question_type: row.question_type,
      item_index: null,
      question: row.question,
      raw: null,
    });
  };
  // Length of everything in a formatted example except the note, question and target text.
  const templateChars = renderLlama31([...promptBuilder("", ""), { role: "assistant", content: "" }], {
    addGenerationPrompt: false,
    dateHeader: options.dateHeader,
  }).length;

  try {
    // ---- pass 1: check rows, draw balancing keys, count per note ----
    const types: number[] = [];
    const keys: number[] = [];
    const noteOf: number[] = [];
    const noteIds: string[] = [];
    const noteGroups: (string | undefined)[] = [];
    const noteIndex = new Map<string, number>();
    let cache = new NoteCache(lookup);
    const lineOf: number[] = [];
    let rowsIn = 0;
    for await (const batch of variantBatches(options.acceptedFile, variant))
      for (let r = 0; r < batch.rows.length; r++) {
        const row = batch.rows[r];
        lineOf.push(batch.lineNos[r]);
        rowsIn++;
        let typeIndex = QUESTION_TYPES.indexOf(row.question_type);
        const note = cache.get(row.note_id);
        const target = trainingTarget(row, targetFields);
        if (note.text === undefined) {
          reject(row, "unknown_note", `note ${row.note_id} is not in the notes file`);
          typeIndex = 255;
        } else if (note.specialToken || findSpecialToken(row.question) || findSpecialToken(target)) {
          reject(row, "special_token_in_text", "note, question or answer contains a Llama special token");
          typeIndex = 255;
        } else {
          const chars = templateChars + noteSlice(note.text, row).length + row.question.length + target.length;
          if (chars / charsPerToken > maxSeqTokens) {
            reject(row, "over_max_sequence", `about ${Math.ceil(chars / charsPerToken)} tokens > ${maxSeqTokens}`);
            typeIndex = 255;
          }
        }
        let n = noteIndex.get(row.note_id);
        if (n === undefined) {
          n = noteIds.length;
          noteIndex.set(row.note_id, n);
          noteIds.push(row.note_id);
          // Notes with the same text under two ids must land on one side of the split.
          noteGroups.push(note.text === undefined ? undefined : noteTextHash(note.text));
        }
        types.push(typeIndex);
        keys.push(hashUnit(seed, `balance:${row.question_id}`));
        noteOf.push(n);
      }

    // ---- balance and split ----
    const balance = balanceByType(
      { types: Uint8Array.from(types), keys: Float64Array.from(keys), length: types.length },
      balanceMode,
      options.perType,
    );
    const perNote: NoteTypeCounts[] = noteIds.map((noteId, n) => ({
      noteId,
      counts: emptyTypeCounts(),
      group: noteGroups[n],
    }));
    for (let i = 0; i < types.length; i++)
      if (balance.selected[i]) perNote[noteOf[i]].counts[QUESTION_TYPES[types[i]]]++;
    const testNotes = splitByNote(perNote, { testFraction, seed });

    // ---- pass 2: format and write ----
    const splits = {
      train: {
        rows: 0,
        notes: new Set<string>(),
        byType: emptyTypeCounts(),
        difficulty: new Array(11).fill(0) as number[],
      },
      test: {
        rows: 0,
        notes: new Set<string>(),
        byType: emptyTypeCounts(),
        difficulty: new Array(11).fill(0) as number[],
      },
    };
    const templates = promptTemplates(promptBuilder, options.dateHeader);
    // Loaded here: the shard writer pulls in polars, which importing the library must not load.
    const { DatasetShardWriter } = await import("./parquet-shards.js");
    const writer = (split: "train" | "test") =>
      new DatasetShardWriter({
        dir: join(outDir, "data"),
        split,
        columns: PREPARED_COLUMNS,
        templates,
        extraColumns: options.extraColumns,
        jsonlFile: options.jsonl ? join(outDir, `${split}.jsonl`) : undefined,
        shardBytes: options.shardBytes,
        workers: options.workers ?? 0,
      });
    const writers = { train: writer("train"), test: writer("test") };
    cache = new NoteCache(lookup);
    // Pass 2 parses only the lines balancing kept.
    const wanted = new Uint8Array((lineOf.length > 0 ? lineOf[lineOf.length - 1] : 0) + 1);
    for (let i = 0; i < lineOf.length; i++) if (balance.selected[i]) wanted[lineOf[i]] = 1;
    let checkedNote: string | undefined;
    for await (const batch of variantBatches(options.acceptedFile, variant, wanted)) {
      // Hold at most one waiting shard per split while the workers write.
      await Promise.all([writers.train.ready(), writers.test.ready()]);
      for (const row of batch.rows) {
        const noteText = noteSlice(cache.get(row.note_id).text as string, row);
        const question = row.question.trim();
        const noteKey =
          row.chunk_start === null ? row.note_id : `${row.note_id}\u0000${row.chunk_start}:${row.chunk_end}`;
        // What trainingExample gives as the completion (pass 1 rejected targets with special tokens, so
        // rendering cannot fail): the target, trimmed as the chat format trims content, then end of turn.
        const target = trainingTarget(row, targetFields);
        const completionText = `${target.trim()}${LLAMA31_SPECIAL.eot}`;
        if (noteKey !== checkedNote) {
          // Once per note: the template must give exactly what the prompt builder and the chat format give.
          checkedNote = noteKey;
          const direct = trainingExample({ ...row, question }, noteText, {
            targetFields,
            promptBuilder,
            chat: { dateHeader: options.dateHeader },
          });
          if (
            direct.prompt_text !== fillTemplate(templates.promptText, noteText, question) ||
            direct.prompt[1].content !== fillTemplate(templates.user, noteText, question) ||
            direct.completion[0].content !== target ||
            direct.completion_text !== completionText
          )
            throw new Error(
              `promptBuilder is not a plain template over note and question (note ${row.note_id}); see docs/synth.md`,
            );
        }
        const split = testNotes.has(row.note_id) ? "test" : "train";
        writers[split].push(
          {
            question_id: row.question_id,
            note_id: row.note_id,
            chunk: row.chunk,
            question_type: row.question_type,
            question,
            answer: row.answer,
            answer_bool: row.answer_bool,
            answer_number: row.answer_number,
            answer_unit: row.answer_unit,
            section: row.section,
            source: row.source,
            source_check: row.source_check,
            // Rows written before the span columns existed have none.
            source_start: row.source_start ?? null,
            source_end: row.source_end ?? null,
            explanation: row.explanation,
            explanation_quote_check: row.explanation_quote_check,
            difficulty: row.difficulty,
          },
          noteKey,
          noteText,
          target,
          `${target.trim()}${LLAMA31_SPECIAL.eot}`,
        );
        const counts = splits[split];
        counts.rows++;
        counts.notes.add(row.note_id);
        counts.byType[row.question_type]++;
        counts.difficulty[row.difficulty]++;
      }
    }
    const files: Record<"train" | "test", string[]> = { train: [], test: [] };
    for (const split of ["train", "test"] as const) {
      files[split] = (await writers[split].close()).map((path) => path.slice(outDir.length + 1));
    }
    rejects.close();

    const stats: PrepareStats = {
      variant,
      seed,
      rowsIn,
      rejected,
      balance: { mode: balanceMode, target: balance.target, available: balance.available, kept: balance.kept },
      splits: {
        train: { ...splits.train, notes: splits.train.notes.size, files: files.train },
        test: { ...splits.test, notes: splits.test.notes.size, files: files.test },
      },
    };
    writeFileSync(join(outDir, "stats.json"), `${JSON.stringify(stats, null, 2)}\n`);
    writeFileSync(
      join(outDir, "README.md"),
      renderDatasetCard({
        name: options.name ?? `synthetic clinical QA (${variant})`,
        variant,
        seed,
        seedSource: options.seeds?.find((row) => row.name === "synth.prepare")?.source,
        testFraction,
        teacherModel: options.teacherModel ?? "unknown",
        teacherPromptVersion: options.teacherPromptVersion ?? "unknown",
        studentPrompt: options.studentPromptName ?? "prompts.evalMessages (the evaluation prompt)",
        sourceRestriction: options.sourceRestriction ?? DEFAULT_SOURCE_RESTRICTION,
        isSample: options.isSample ?? false,
        splits: stats.splits,
        balance: stats.balance,
        rejects: rejected as Record<string, number>,
        targetFields,
        extraColumns: options.extraColumns ?? [],
        jsonl: options.jsonl ?? false,
        licenseName: options.licenseName,
        licenseLink: options.licenseLink,
      }),
    );
    const manifest = writeManifest(outDir, { variant, seed, ...(options.seeds ? { seeds: options.seeds } : {}) });
    return { stats, outDir, files: [...manifest.files.map((f) => f.path), "manifest.json"] };
  } finally {
    rejects.close();
    if (typeof options.notes === "string") lookup.close?.();
  }
}
