import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaults } from "../config/defaults.js";
import { defaultSeed, type ResolvedSeed } from "../config/seeds.js";
import { ToolkitError } from "../core/errors.js";
import { JsonlWriter } from "../core/jsonl.js";
import { readLineBatches } from "../core/lines.js";
import { hashUnit } from "../core/random.js";
import { noteTextHash } from "../data/note-hash.js";
import { evalMessages } from "../prompts/eval.js";
import { findSpecialToken, LLAMA31_SPECIAL, renderLlama31 } from "../prompts/llama31.js";
import { QUESTION_TYPES, type QuestionType } from "../prompts/teacher.js";
import { balanceByType } from "./balance.js";
import { renderDatasetCard } from "./dataset-card.js";
import { writeManifest } from "./manifest.js";
import { NoteIndex, type NoteLookup } from "./note-lookup.js";
import type { ColumnSpec, ExtraColumn, PromptTemplates } from "./parquet-shards.js";
import { type NoteTypeCounts, splitByNote } from "./split.js";
import { type PromptBuilder, type TargetField, trainingExample, trainingTarget } from "./training-format.js";
import { type RejectReason, type SynthRow, VARIANTS, type Variant, variantIncludes } from "./types.js";

/**
 * Step c: accepted.jsonl -> a Hugging Face `datasets` folder for one variant (prepareDataset), or for several
 * written once with a `variant_<name>` column each (prepareVariants):
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
    throw new ToolkitError(`promptBuilder: ${what} must contain the note once and then the question once`, {
      stage: "synth",
      field: "promptBuilder",
    });
  return [before, between, after];
}

/** The prompt builder's output as fixed text around the note and the question (checked per note later). */
export function promptTemplates(promptBuilder: PromptBuilder, dateHeader: boolean | undefined): PromptTemplates {
  const messages = promptBuilder(NOTE_MARK, QUESTION_MARK);
  if (messages.length !== 2 || messages[0].role !== "system" || messages[1].role !== "user")
    throw new ToolkitError("promptBuilder must return a system message and a user message", {
      stage: "synth",
      field: "promptBuilder",
    });
  if (messages[0].content.includes(NOTE_MARK) || messages[0].content.includes(QUESTION_MARK))
    throw new ToolkitError("promptBuilder: the system message must not contain the note or the question", {
      stage: "synth",
      field: "promptBuilder",
    });
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
 * Accepted rows whose type is wanted, a batch at a time, with their line numbers; bad lines are errors
 * naming the line (b wrote this file). With `wanted`, lines it does not mark are skipped unparsed
 * (pass 2 reads only the rows balancing kept).
 */
async function* acceptedBatches(
  file: string,
  typeWanted: (type: QuestionType) => boolean,
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
        throw new ToolkitError(
          `${file} line ${line.lineNo}: not valid JSON (${(error as Error).message}); re-run post-processing`,
          { stage: "synth", file, line: line.lineNo },
          { cause: error },
        );
      }
      if (
        typeof row?.question_id !== "string" ||
        typeof row.note_id !== "string" ||
        typeof row.question !== "string" ||
        !QUESTION_TYPES.includes(row.question_type)
      )
        throw new ToolkitError(
          `${file} line ${line.lineNo}: not an accepted row (question_id, note_id, question or question_type missing)`,
          { stage: "synth", file, line: line.lineNo },
        );
      if (typeWanted(row.question_type)) {
        rows.push(row);
        lineNos.push(line.lineNo);
      }
    }
    if (rows.length > 0) yield { rows, lineNos };
  }
}

/** A typed array that grows by doubling, for numbers pushed one row at a time. */
function growable<A extends Uint8Array | Int32Array | Float64Array>(make: (length: number) => A) {
  let data = make(1 << 16);
  let length = 0;
  return {
    push(value: number): void {
      if (length === data.length) {
        const bigger = make(data.length * 2);
        bigger.set(data);
        data = bigger;
      }
      data[length++] = value;
    },
    /** The values pushed so far (a view: pushing more may leave it behind). */
    view: () => data.subarray(0, length) as A,
  };
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

/** The bool column that marks a variant's rows in a dataset written by prepareVariants. */
export const variantColumn = (variant: Variant) => `variant_${variant}`;

export interface PrepareVariantsOptions extends Omit<PrepareOptions, "variant"> {
  /** Written once: the union of their rows, each marked in a `variant_<name>` column per variant. */
  variants: readonly Variant[];
}

export interface VariantsStats {
  variants: Variant[];
  seed: number;
  /** Rows of any variant's types read. */
  rowsIn: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** The rows written: each row once, whatever variants hold it. */
  splits: PrepareStats["splits"];
  /** Each variant as prepareDataset reports one (its rows are those marked in its column, in these files). */
  byVariant: Partial<Record<Variant, PrepareStats>>;
}

type SplitCounts = { rows: number; notes: Set<string>; byType: Record<QuestionType, number>; difficulty: number[] };
const emptySplits = (): Record<"train" | "test", SplitCounts> => ({
  train: { rows: 0, notes: new Set(), byType: emptyTypeCounts(), difficulty: new Array(11).fill(0) },
  test: { rows: 0, notes: new Set(), byType: emptyTypeCounts(), difficulty: new Array(11).fill(0) },
});
function countRow(counts: SplitCounts, row: SynthRow): void {
  counts.rows++;
  counts.notes.add(row.note_id);
  counts.byType[row.question_type]++;
  counts.difficulty[row.difficulty]++;
}
const finishedSplits = (splits: Record<"train" | "test", SplitCounts>, files: Record<"train" | "test", string[]>) => ({
  train: { ...splits.train, notes: splits.train.notes.size, files: files.train },
  test: { ...splits.test, notes: splits.test.notes.size, files: files.test },
});

/** Step c for one variant: a dataset folder of its rows (the layout of docs/synth.md, no variant columns). */
export async function prepareDataset(
  options: PrepareOptions,
): Promise<{ stats: PrepareStats; outDir: string; files: string[] }> {
  const variant = options.variant ?? "all";
  const { stats, outDir, files } = await prepare(options, [variant], false);
  return { stats: stats.byVariant[variant] as PrepareStats, outDir, files };
}

/**
 * Step c for several variants at once: each variant balanced as prepareDataset balances it, the rows of all of
 * them written once (a row in two variants is one row, marked in both `variant_<name>` columns), and the split
 * decided once by note over those rows, so a note is on the same side in every variant. A training job selects
 * its variant at load time (slurm/finetune.py --variant).
 */
export async function prepareVariants(
  options: PrepareVariantsOptions,
): Promise<{ stats: VariantsStats; outDir: string; files: string[] }> {
  if (options.variants.length === 0)
    throw new ToolkitError("prepareVariants: no variants asked for", { stage: "synth", field: "variants" });
  return prepare(
    options,
    VARIANTS.filter((v) => options.variants.includes(v)),
    true,
  );
}

async function prepare(
  options: Omit<PrepareOptions, "variant">,
  variants: readonly Variant[],
  marked: boolean,
): Promise<{ stats: VariantsStats; outDir: string; files: string[] }> {
  const seed = options.seed ?? defaultSeed("synth.prepare");
  // Options left out take the synth.prepare defaults (config/sections/synth.ts).
  const testFraction = options.testFraction ?? defaults.synth.prepare.testFraction;
  const balanceMode = options.balance ?? defaults.synth.prepare.balance;
  const targetFields = options.targetFields ?? defaults.synth.prepare.targetFields;
  const maxSeqTokens = options.maxSeqTokens ?? defaults.synth.prepare.maxSeqTokens;
  const charsPerToken = options.charsPerToken ?? defaults.synth.prepare.charsPerToken;
  const promptBuilder = options.promptBuilder ?? evalMessages;
  const outDir = options.outDir;
  const lookup = typeof options.notes === "string" ? await NoteIndex.open(options.notes) : options.notes;
  // inVariant[v][t]: whether variant v holds question type t (by index).
  const inVariant = variants.map((v) => QUESTION_TYPES.map((t) => variantIncludes(v, t)));
  const typeWanted = (type: QuestionType) => variants.some((v) => variantIncludes(v, type));

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "data"), { recursive: true });
  const rejects = new JsonlWriter(join(outDir, "rejects.jsonl"));
  const rejected: Partial<Record<RejectReason, number>> = {};
  // Per variant too, counted in the order reasons first occur (stats.json's key order, as for one variant).
  const variantRejected = variants.map((): Partial<Record<RejectReason, number>> => ({}));
  const reject = (row: SynthRow, reason: RejectReason, detail: string) => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
    const typeIndex = QUESTION_TYPES.indexOf(row.question_type);
    variants.forEach((_, v) => {
      if (inVariant[v][typeIndex]) variantRejected[v][reason] = (variantRejected[v][reason] ?? 0) + 1;
    });
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
    // A few numbers per row, in typed arrays: memory grows by 17 bytes a row, off the JS heap.
    const types = growable((n) => new Uint8Array(n));
    const keys = growable((n) => new Float64Array(n));
    const noteOf = growable((n) => new Int32Array(n));
    const noteIds: string[] = [];
    const noteGroups: (string | undefined)[] = [];
    const noteIndex = new Map<string, number>();
    const rowsInByType = QUESTION_TYPES.map(() => 0);
    let cache = new NoteCache(lookup);
    const lineOf = growable((n) => new Int32Array(n));
    for await (const batch of acceptedBatches(options.acceptedFile, typeWanted))
      for (let r = 0; r < batch.rows.length; r++) {
        const row = batch.rows[r];
        lineOf.push(batch.lineNos[r]);
        let typeIndex = QUESTION_TYPES.indexOf(row.question_type);
        rowsInByType[typeIndex]++;
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

    // ---- balance each variant; split once by note over the rows of any variant ----
    const typeCodes = types.view();
    const keyValues = keys.view();
    const rows = typeCodes.length;
    const noteOfRow = noteOf.view();
    const lineOfRow = lineOf.view();
    const balances = inVariant.map((holds) =>
      balanceByType(
        {
          // Types outside the variant are marked as set aside, so they are never selected.
          types: typeCodes.map((t) => (t < QUESTION_TYPES.length && holds[t] ? t : 255)),
          keys: keyValues,
          length: typeCodes.length,
        },
        balanceMode,
        options.perType,
      ),
    );
    const selected = new Uint8Array(rows);
    for (const balance of balances) for (let i = 0; i < rows; i++) selected[i] |= balance.selected[i];
    const perNote: NoteTypeCounts[] = noteIds.map((noteId, n) => ({
      noteId,
      counts: emptyTypeCounts(),
      group: noteGroups[n],
    }));
    for (let i = 0; i < rows; i++) if (selected[i]) perNote[noteOfRow[i]].counts[QUESTION_TYPES[typeCodes[i]]]++;
    const testNotes = splitByNote(perNote, { testFraction, seed });

    // ---- pass 2: format and write ----
    const splits = emptySplits();
    const variantSplits = variants.map(emptySplits);
    const columns: ColumnSpec = marked
      ? { ...PREPARED_COLUMNS, ...Object.fromEntries(variants.map((v) => [variantColumn(v), "bool"])) }
      : PREPARED_COLUMNS;
    const templates = promptTemplates(promptBuilder, options.dateHeader);
    // Loaded here: the shard writer pulls in polars, which importing the library must not load.
    const { DatasetShardWriter } = await import("./parquet-shards.js");
    const writer = (split: "train" | "test") =>
      new DatasetShardWriter({
        dir: join(outDir, "data"),
        split,
        columns,
        templates,
        extraColumns: options.extraColumns,
        jsonlFile: options.jsonl ? join(outDir, `${split}.jsonl`) : undefined,
        shardBytes: options.shardBytes,
        workers: options.workers ?? defaults.synth.prepare.workers,
      });
    const writers = { train: writer("train"), test: writer("test") };
    cache = new NoteCache(lookup);
    // Pass 2 parses only the lines balancing kept, in pass 1's order: the k-th row read is rowAt[k].
    const wanted = new Uint8Array((rows > 0 ? lineOfRow[rows - 1] : 0) + 1);
    const rowAt = new Int32Array(selected.reduce((sum, s) => sum + s, 0));
    for (let i = 0, k = 0; i < rows; i++)
      if (selected[i]) {
        wanted[lineOfRow[i]] = 1;
        rowAt[k++] = i;
      }
    let k = 0;
    let checkedNote: string | undefined;
    for await (const batch of acceptedBatches(options.acceptedFile, typeWanted, wanted)) {
      // Hold at most one waiting shard per split while the workers write.
      await Promise.all([writers.train.ready(), writers.test.ready()]);
      for (const row of batch.rows) {
        const i = rowAt[k++];
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
            throw new ToolkitError(
              `promptBuilder is not a plain template over note and question (note ${row.note_id}); see docs/synth.md`,
              { stage: "synth", field: "promptBuilder" },
            );
        }
        const split = testNotes.has(row.note_id) ? "test" : "train";
        // The parsed row is ours: the writer takes its columns by name (missing span columns become null).
        const record = row as unknown as Record<string, unknown>;
        record.question = question;
        countRow(splits[split], row);
        for (let v = 0; v < variants.length; v++) {
          const holds = balances[v].selected[i] === 1;
          if (holds) countRow(variantSplits[v][split], row);
          if (marked) record[variantColumn(variants[v])] = holds;
        }
        writers[split].push(record, noteKey, noteText, target, completionText);
      }
    }
    const files: Record<"train" | "test", string[]> = { train: [], test: [] };
    for (const split of ["train", "test"] as const) {
      files[split] = (await writers[split].close()).map((path) => path.slice(outDir.length + 1));
    }
    rejects.close();

    const sumTypes = (holds: boolean[], counts: readonly number[]) =>
      counts.reduce((sum, n, t) => sum + (holds[t] ? n : 0), 0);
    const byVariant: Partial<Record<Variant, PrepareStats>> = {};
    variants.forEach((variant, v) => {
      const balance = balances[v];
      byVariant[variant] = {
        variant,
        seed,
        rowsIn: sumTypes(inVariant[v], rowsInByType),
        rejected: variantRejected[v],
        balance: { mode: balanceMode, target: balance.target, available: balance.available, kept: balance.kept },
        splits: finishedSplits(variantSplits[v], files),
      };
    });
    const stats: VariantsStats = {
      variants: [...variants],
      seed,
      rowsIn: rows,
      rejected,
      splits: finishedSplits(splits, files),
      byVariant,
    };
    const single = byVariant[variants[0]] as PrepareStats;
    writeFileSync(join(outDir, "stats.json"), `${JSON.stringify(marked ? stats : single, null, 2)}\n`);
    const variantNames = variants.join(", ");
    writeFileSync(
      join(outDir, "README.md"),
      renderDatasetCard({
        name: options.name ?? `synthetic clinical QA (${variantNames})`,
        variant: variantNames,
        seed,
        seedSource: options.seeds?.find((row) => row.name === "synth.prepare")?.source,
        testFraction,
        teacherModel: options.teacherModel ?? "unknown",
        teacherPromptVersion: options.teacherPromptVersion ?? "unknown",
        studentPrompt: options.studentPromptName ?? "prompts.evalMessages (the evaluation prompt)",
        sourceRestriction: options.sourceRestriction ?? DEFAULT_SOURCE_RESTRICTION,
        isSample: options.isSample ?? defaults.synth.prepare.isSample,
        splits: marked ? stats.splits : single.splits,
        balance: single.balance,
        variants: marked
          ? variants.map((variant) => {
              const one = byVariant[variant] as PrepareStats;
              return { name: variant, column: variantColumn(variant), balance: one.balance, splits: one.splits };
            })
          : undefined,
        rejects: rejected as Record<string, number>,
        targetFields,
        extraColumns: options.extraColumns ?? defaults.synth.prepare.extraColumns,
        jsonl: options.jsonl ?? defaults.synth.prepare.jsonl,
        licenseName: options.licenseName,
        licenseLink: options.licenseLink,
      }),
    );
    const manifest = writeManifest(outDir, {
      ...(marked ? { variants: stats.variants } : { variant: variants[0] }),
      seed,
      ...(options.seeds ? { seeds: options.seeds } : {}),
    });
    return { stats, outDir, files: [...manifest.files.map((f) => f.path), "manifest.json"] };
  } finally {
    rejects.close();
    if (typeof options.notes === "string") lookup.close?.();
  }
}
