import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { defaults } from "../config/defaults.js";
import { ToolkitError } from "../core/errors.js";
import { ShardPool } from "./internal/shard-pool.js";

/**
 * One split of a prepared dataset, written in shards: parquet files named the way Hugging Face
 * `datasets` expects (`data/train-00000-of-00003.parquet`) and, optionally, a JSONL file with the
 * prompt-completion records.
 *
 * The record is trl's conversational prompt-completion form: `prompt` (system and user messages) and
 * `completion` (the assistant message) beside the question's small fields. The user message holds the
 * note, so rows carry only a note key; each shard keeps one copy of each note, and polars joins it in
 * and builds the chat columns natively. The rendered Llama-3.1 strings (`prompt_text`,
 * `completion_text`) and the whole conversation (`messages`) repeat the note and are written only
 * when asked for. The prompt is a template: text, note, text, question, text (checked against the
 * real prompt builder by the caller). Memory stays bounded by the shard size. Shards can be built and
 * written in worker threads (`workers`); the bytes are the same as in this thread.
 */

export type ColumnKind = "string" | "int" | "float" | "bool";
export type ColumnSpec = Record<string, ColumnKind>;

const DTYPE = { string: pl.Utf8, int: pl.Int64, float: pl.Float64, bool: pl.Bool } as const;

/** A prompt as fixed text around the note and the question: parts[0] + note + parts[1] + question + parts[2]. */
export type Template = readonly [string, string, string];

export interface PromptTemplates {
  /** The system message. */
  system: string;
  /** The user message's content. */
  user: Template;
  /** The whole prompt in the Llama-3.1 format, through the open assistant header. */
  promptText: Template;
}

/** Columns that repeat the note and are written only when asked for. */
export const EXTRA_COLUMNS = ["prompt_text", "completion_text", "messages"] as const;
export type ExtraColumn = (typeof EXTRA_COLUMNS)[number];

export interface ShardWriterOptions {
  dir: string;
  split: string;
  /** Small per-row columns, in output order (before the prompt columns). */
  columns: ColumnSpec;
  templates: PromptTemplates;
  /** Written after prompt and completion, in EXTRA_COLUMNS order (default none). */
  extraColumns?: readonly ExtraColumn[];
  /** Also write prompt-completion JSONL here (through .partial, renamed on close). */
  jsonlFile?: string;
  /** Flush when the shard's expanded text (notes repeated per row) passes this many bytes. */
  shardBytes?: number;
  /** Worker threads that build and write the parquet shards (0: in this thread). Same bytes either way. */
  workers?: number;
}

/** One shard's rows as plain data: what a worker thread receives. */
export interface ShardData {
  /** Rows to write (0 for an empty shard, whose arrays hold one blank row: polars cannot build zero-row structs). */
  rows: number;
  columns: ColumnSpec;
  values: Record<string, unknown[]>;
  noteKeys: string[];
  assistant: string[];
  completionText: string[];
  notes: [string, string][];
  templates: PromptTemplates;
  extraColumns: readonly ExtraColumn[];
}

/** A JSON string literal as polars writes it (polars stores UTF-8, so lone surrogates become U+FFFD). */
function jsonString(text: string): string {
  // toWellFormed always copies; checking first is several times cheaper for the usual well-formed text.
  const checked = text as unknown as { isWellFormed(): boolean; toWellFormed(): string };
  return JSON.stringify(checked.isWellFormed() ? text : checked.toWellFormed());
}

/** Appends text and bytes to a file descriptor through one reusable buffer. */
class BufferedFd {
  private buffer = Buffer.allocUnsafe(1 << 22);
  private used = 0;
  constructor(private readonly fd: number) {}
  text(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush();
      if (text.length * 3 > this.buffer.length) return void writeSync(this.fd, text);
    }
    this.used += this.buffer.write(text, this.used, "utf8");
  }
  bytes(bytes: Buffer): void {
    if (this.used + bytes.length > this.buffer.length) {
      this.flush();
      if (bytes.length > this.buffer.length) return void writeSync(this.fd, bytes);
    }
    this.used += bytes.copy(this.buffer, this.used);
  }
  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buffer, 0, this.used);
    this.used = 0;
  }
  close(): void {
    this.flush();
  }
}

const NOTE_KEY = "_note_key";
const NOTE = "_note";
const ROW = "_row";
const ASSISTANT = "_assistant";

const smallSeries = (data: ShardData) =>
  Object.entries(data.columns).map(([name, kind]) => pl.Series(name, data.values[name], DTYPE[kind]));

/** The shard's output frame: small columns, prompt, completion, then the extra columns asked for. */
export function shardFrame(data: ShardData): pl.DataFrame {
  const { templates } = data;
  const notes = pl.DataFrame([
    pl.Series(
      NOTE_KEY,
      data.notes.map(([key]) => key),
      pl.Utf8,
    ),
    pl.Series(
      NOTE,
      data.notes.map(([, note]) => note),
      pl.Utf8,
    ),
  ]);
  const fill = (template: Template) =>
    pl.concatString(
      [pl.lit(template[0]), pl.col(NOTE), pl.lit(template[1]), pl.col("question"), pl.lit(template[2])],
      "",
    );
  const message = (role: string, content: ReturnType<typeof pl.col>) =>
    pl.struct([pl.lit(role).alias("role"), content.alias("content")]);
  const extras = new Set(data.extraColumns);
  // A left join keeps the rows' order, so shards are byte-stable.
  const series = [
    ...smallSeries(data),
    pl.Series(NOTE_KEY, data.noteKeys, pl.Utf8),
    pl.Series(ASSISTANT, data.assistant, pl.Utf8),
  ];
  if (extras.has("completion_text")) series.push(pl.Series("completion_text", data.completionText, pl.Utf8));
  let base = pl
    .DataFrame(series)
    .join(notes, { on: NOTE_KEY, how: "left" })
    .withColumns(fill(templates.user).alias("_user"))
    .withRowCount(ROW);
  if (extras.has("prompt_text")) base = base.withColumns(fill(templates.promptText).alias("prompt_text"));
  // Chat columns (lists of {role, content}). polars' concatList over struct columns builds them row by
  // row and took most of the shard's time; stacking the messages as rows and grouping them back by row
  // number builds the same lists (same parquet bytes) with bulk copies, several times faster. polars keeps
  // the rows' order within each group (system, user, assistant, as stacked); the sort puts groups in row order.
  const chatList = (name: string, parts: ReturnType<typeof message>[]) =>
    pl
      .concat(parts.map((part) => base.select(pl.col(ROW), part.alias(name))))
      .groupBy(ROW)
      .agg(pl.col(name))
      .sort(ROW)
      .getColumn(name);
  const system = message("system", pl.lit(templates.system));
  const user = message("user", pl.col("_user"));
  const assistant = message("assistant", pl.col(ASSISTANT));
  const chats = [chatList("prompt", [system, user]), chatList("completion", [assistant])];
  if (extras.has("messages")) chats.push(chatList("messages", [system, user, assistant]));
  const wanted = EXTRA_COLUMNS.filter((name) => extras.has(name));
  return base
    .withColumns(...chats)
    .select(...Object.keys(data.columns), "prompt", "completion", ...wanted)
    .head(data.rows);
}

// The Arrow schema polars stores in the footer declares string-view and large-list types, which
// Hugging Face `datasets` before 4.1 cannot read (and older pyarrow cannot either). Under another
// key of the same length, readers fall back to the parquet types: plain string and list.
const ARROW_SCHEMA_KEY = Buffer.from("\u000cARROW:schema", "latin1");
const KEPT_AS_KEY = Buffer.from("\u000cpolars:arrow", "latin1");

/** Renames the footer's ARROW:schema key in place (a byte patch; the footer's length is unchanged). */
export function plainParquetTypes(path: string): void {
  const fd = openSync(path, "r+");
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    if (tail.toString("latin1", 4) !== "PAR1")
      throw new ToolkitError(`${path}: not a parquet file`, { stage: "synth", file: path });
    const footerLength = tail.readUInt32LE(0);
    const footerStart = size - 8 - footerLength;
    const footer = Buffer.alloc(footerLength);
    readSync(fd, footer, 0, footerLength, footerStart);
    const at = footer.indexOf(ARROW_SCHEMA_KEY);
    if (at < 0 || footer.indexOf(ARROW_SCHEMA_KEY, at + 1) >= 0)
      throw new ToolkitError(`${path}: expected one ARROW:schema entry in the parquet footer`, {
        stage: "synth",
        file: path,
      });
    writeSync(fd, KEPT_AS_KEY, 0, KEPT_AS_KEY.length, footerStart + at);
  } finally {
    closeSync(fd);
  }
}

/** Builds and writes one shard (zstd parquet with plain types). Runs in this thread or a worker. */
export function writeShard(data: ShardData, path: string): void {
  shardFrame(data).writeParquet(path, { compression: "zstd" });
  plainParquetTypes(path);
}

export class DatasetShardWriter {
  private values: Record<string, unknown[]>;
  private noteKeys: string[] = [];
  private assistant: string[] = [];
  private completionText: string[] = [];
  private notes = new Map<string, string>();
  private bytes = 0;
  private shardPaths: string[] = [];
  private jsonlFd: number | undefined;
  private readonly shardBytes: number;
  private readonly perRowBytes: number;
  private pool: ShardPool | undefined;
  rows = 0;
  /** Shards handed to worker threads so far. */
  workerShards = 0;

  constructor(private readonly options: ShardWriterOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.shardBytes = options.shardBytes ?? defaults.synth.prepare.shardMegabytes * 2 ** 20;
    this.values = this.emptyColumns();
    const extras = new Set(options.extraColumns ?? []);
    // What polars holds per row besides the note: the system message, once more in messages.
    this.perRowBytes = options.templates.system.length * (extras.has("messages") ? 2 : 1) + 512;
    if (options.jsonlFile) this.jsonlFd = openSync(`${options.jsonlFile}.partial`, "w");
  }

  private emptyColumns(): Record<string, unknown[]> {
    return Object.fromEntries(Object.keys(this.options.columns).map((name) => [name, []]));
  }

  /** One row: its small fields (must include `question`), the note key and text, and the target. */
  push(
    row: Record<string, unknown>,
    noteKey: string,
    noteText: string,
    assistant: string,
    completionText: string,
  ): void {
    for (const name in this.options.columns) this.values[name].push(row[name] ?? null);
    this.noteKeys.push(noteKey);
    this.assistant.push(assistant);
    this.completionText.push(completionText);
    if (!this.notes.has(noteKey)) this.notes.set(noteKey, noteText);
    // What polars will hold once the note is repeated per row: the joined note, the user message, the
    // prompt list, and one more per extra column (so a shard's memory stays the same whatever is written).
    const noteCopies = 3 + (this.options.extraColumns?.length ?? 0);
    this.bytes += noteCopies * noteText.length + this.perRowBytes + assistant.length * 3;
    this.rows++;
    if (this.bytes >= this.shardBytes) this.flush();
  }

  /** Resolves once fewer shards are in flight than there are workers (call between batches; bounds memory). */
  async ready(): Promise<void> {
    await this.pool?.ready();
  }

  /** `last`: the shard close() writes, in this thread while the workers finish (so small data starts none). */
  private flush(last = false, force = false): void {
    if (this.noteKeys.length === 0 && !force) return;
    // polars cannot broadcast literals into a zero-row struct: build one blank row and drop it (head(rows)).
    const rows = this.noteKeys.length;
    const data: ShardData = {
      rows,
      columns: this.options.columns,
      values: this.values,
      noteKeys: this.noteKeys,
      assistant: this.assistant,
      completionText: this.completionText,
      notes: [...this.notes],
      templates: this.options.templates,
      extraColumns: this.options.extraColumns ?? [],
    };
    if (rows === 0) {
      for (const name in data.columns) data.values[name].push(null);
      data.noteKeys.push("");
      data.assistant.push("");
      data.completionText.push("");
      data.notes.push(["", ""]);
    }
    const path = join(
      this.options.dir,
      `${this.options.split}-${String(this.shardPaths.length).padStart(5, "0")}.parquet.partial`,
    );
    this.shardPaths.push(path);
    if (this.jsonlFd !== undefined && rows > 0) this.writeJsonLines(data, this.jsonlFd);
    const workers = this.options.workers ?? defaults.synth.prepare.workers;
    if (!last && workers > 0) {
      this.pool ??= new ShardPool(workers);
      this.pool.run(data, path);
      this.workerShards++;
    } else writeShard(data, path);
    this.values = this.emptyColumns();
    this.noteKeys = [];
    this.assistant = [];
    this.completionText = [];
    this.notes = new Map();
    this.bytes = 0;
  }

  /**
   * The shard's prompt-completion JSONL, built here rather than by polars' writeJSON over the chat
   * columns (which spent most of its time re-escaping each row's copy of the note). polars writes the
   * small columns as JSON lines natively; each note is escaped once; the rows are put together from
   * bytes. Strings escaped here use JSON.stringify, which escapes exactly as polars does (a test
   * compares the file with polars' own writeJSON of the same columns).
   */
  private writeJsonLines(data: ShardData, fd: number): void {
    const { templates } = this.options;
    const small: Buffer = pl.DataFrame(smallSeries(data)).writeJSON({ format: "lines" });
    const questions = data.values.question as string[];
    const inner = (text: string) => jsonString(text).slice(1, -1);
    // Each note escaped and encoded once; rows copy its bytes.
    const noteBytes = new Map<string, Buffer>();
    for (const [key, note] of data.notes) noteBytes.set(key, Buffer.from(inner(note), "utf8"));
    const promptHead = Buffer.from(
      `,"prompt":[{"role":"system","content":${jsonString(templates.system)}},{"role":"user","content":"${inner(templates.user[0])}`,
    );
    const userMid = inner(templates.user[1]);
    const userTail = `${inner(templates.user[2])}"}],"completion":[{"role":"assistant","content":`;
    const out = new BufferedFd(fd);
    let at = 0;
    for (let i = 0; i < data.rows; i++) {
      // JSON text never holds a raw newline byte, so lines end at the next one; drop the closing brace.
      const end = small.indexOf(10, at);
      const stop = end < 0 ? small.length : end;
      if (small[stop - 1] !== 125)
        throw new ToolkitError(`${this.options.split} JSONL: polars wrote an unexpected line ${i}`, { stage: "synth" });
      out.bytes(small.subarray(at, stop - 1));
      out.bytes(promptHead);
      out.bytes(noteBytes.get(data.noteKeys[i]) as Buffer);
      out.text(`${userMid}${inner(questions[i])}${userTail}${jsonString(data.assistant[i])}}]}\n`);
      at = stop + 1;
    }
    out.close();
  }

  /** Flush the last shard, wait for the workers, give every shard its final `-of-N` name, finish the JSONL. */
  async close(): Promise<string[]> {
    // A split with no rows still gets one (empty) shard, so the card's data_files pattern matches a file.
    try {
      this.flush(true, this.shardPaths.length === 0);
      await this.pool?.close();
    } finally {
      if (this.jsonlFd !== undefined) closeSync(this.jsonlFd);
      this.jsonlFd = undefined;
    }
    const total = this.shardPaths.length;
    const finals = this.shardPaths.map((partial, i) => {
      const final = join(
        this.options.dir,
        `${this.options.split}-${String(i).padStart(5, "0")}-of-${String(total).padStart(5, "0")}.parquet`,
      );
      renameSync(partial, final);
      return final;
    });
    this.shardPaths = [];
    if (this.options.jsonlFile) renameSync(`${this.options.jsonlFile}.partial`, this.options.jsonlFile);
    return finals;
  }
}
