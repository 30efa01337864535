import { closeSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";

/**
 * One split of a prepared dataset, written in shards: parquet files named the way Hugging Face
 * `datasets` expects (`data/train-00000-of-00003.parquet`) and, optionally, a JSONL file with the
 * prompt-completion records.
 *
 * Every row's prompt holds its note, several times over (`prompt_text`, the user message in `prompt`
 * and in `messages`). Building those strings in JavaScript dominated the cost, so rows carry only a
 * note key and small fields; each shard keeps one copy of each note, and polars joins it in and builds
 * the long strings and chat columns natively. The prompt is a template: text, note, text, question,
 * text (checked against the real prompt builder by the caller). Memory stays bounded by the shard size.
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

export interface ShardWriterOptions {
  dir: string;
  split: string;
  /** Small per-row columns, in output order (before the prompt columns). */
  columns: ColumnSpec;
  templates: PromptTemplates;
  /** Also write prompt-completion JSONL here (through .partial, renamed on close). */
  jsonlFile?: string;
  /** Flush when the shard's expanded text (notes repeated per row) passes this many bytes. */
  shardBytes?: number;
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

export class DatasetShardWriter {
  private columns: Record<string, unknown[]>;
  private noteKeys: string[] = [];
  private assistant: string[] = [];
  private completionText: string[] = [];
  private notes = new Map<string, string>();
  private bytes = 0;
  private shardPaths: string[] = [];
  private jsonlFd: number | undefined;
  private readonly shardBytes: number;
  rows = 0;

  constructor(private readonly options: ShardWriterOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.shardBytes = options.shardBytes ?? 32 << 20;
    this.columns = this.emptyColumns();
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
    for (const name in this.options.columns) this.columns[name].push(row[name] ?? null);
    this.noteKeys.push(noteKey);
    this.assistant.push(assistant);
    this.completionText.push(completionText);
    if (!this.notes.has(noteKey)) this.notes.set(noteKey, noteText);
    // What polars will hold once the note is repeated per row: prompt_text, two user messages, system twice.
    this.bytes += 3 * noteText.length + 2 * this.options.templates.system.length + assistant.length * 3 + 512;
    this.rows++;
    if (this.bytes >= this.shardBytes) this.flush();
  }

  private flush(force = false): void {
    if (this.noteKeys.length === 0 && !force) return;
    // polars cannot broadcast literals into a zero-row struct: build one blank row and drop it.
    const empty = this.noteKeys.length === 0;
    if (empty) {
      for (const name in this.options.columns) this.columns[name].push(null);
      this.noteKeys.push("");
      this.assistant.push("");
      this.completionText.push("");
      this.notes.set("", "");
    }
    const { templates } = this.options;
    const series = Object.entries(this.options.columns).map(([name, kind]) =>
      pl.Series(name, this.columns[name], DTYPE[kind]),
    );
    series.push(pl.Series(NOTE_KEY, this.noteKeys, pl.Utf8));
    series.push(pl.Series(ASSISTANT, this.assistant, pl.Utf8));
    series.push(pl.Series("completion_text", this.completionText, pl.Utf8));
    const notes = pl.DataFrame([
      pl.Series(NOTE_KEY, [...this.notes.keys()], pl.Utf8),
      pl.Series(NOTE, [...this.notes.values()], pl.Utf8),
    ]);
    const fill = (template: Template) =>
      pl.concatString(
        [pl.lit(template[0]), pl.col(NOTE), pl.lit(template[1]), pl.col("question"), pl.lit(template[2])],
        "",
      );
    const message = (role: string, content: ReturnType<typeof pl.col>) =>
      pl.struct([pl.lit(role).alias("role"), content.alias("content")]);
    // A left join keeps the rows' order, so shards are byte-stable.
    const base = pl
      .DataFrame(series)
      .join(notes, { on: NOTE_KEY, how: "left" })
      .withColumns(fill(templates.user).alias("_user"), fill(templates.promptText).alias("prompt_text"))
      .withRowCount(ROW);
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
    let frame = base.withColumns(
      chatList("prompt", [system, user]),
      chatList("completion", [assistant]),
      chatList("messages", [system, user, assistant]),
    );
    if (empty) frame = frame.head(0);
    const small = Object.keys(this.options.columns);
    const path = join(
      this.options.dir,
      `${this.options.split}-${String(this.shardPaths.length).padStart(5, "0")}.parquet.partial`,
    );
    frame
      .select(...small, "prompt_text", "completion_text", "prompt", "completion", "messages")
      .writeParquet(path, { compression: "zstd" });
    this.shardPaths.push(path);
    if (this.jsonlFd !== undefined && !empty) this.writeJsonLines(frame, this.jsonlFd);
    this.columns = this.emptyColumns();
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
  private writeJsonLines(frame: pl.DataFrame, fd: number): void {
    const { templates } = this.options;
    const small: Buffer = frame.select(...Object.keys(this.options.columns)).writeJSON({ format: "lines" });
    const questions = this.columns.question as string[];
    const inner = (text: string) => jsonString(text).slice(1, -1);
    // Each note escaped and encoded once; rows copy its bytes.
    const noteBytes = new Map<string, Buffer>();
    for (const [key, note] of this.notes) noteBytes.set(key, Buffer.from(inner(note), "utf8"));
    const promptHead = Buffer.from(
      `,"prompt":[{"role":"system","content":${jsonString(templates.system)}},{"role":"user","content":"${inner(templates.user[0])}`,
    );
    const userMid = inner(templates.user[1]);
    const userTail = `${inner(templates.user[2])}"}],"completion":[{"role":"assistant","content":`;
    const out = new BufferedFd(fd);
    let at = 0;
    for (let i = 0; i < this.noteKeys.length; i++) {
      // JSON text never holds a raw newline byte, so lines end at the next one; drop the closing brace.
      const end = small.indexOf(10, at);
      const stop = end < 0 ? small.length : end;
      if (small[stop - 1] !== 125) throw new Error(`${this.options.split} JSONL: polars wrote an unexpected line ${i}`);
      out.bytes(small.subarray(at, stop - 1));
      out.bytes(promptHead);
      out.bytes(noteBytes.get(this.noteKeys[i]) as Buffer);
      out.text(`${userMid}${inner(questions[i])}${userTail}${jsonString(this.assistant[i])}}]}\n`);
      at = stop + 1;
    }
    out.close();
  }

  /** Flush the last shard, give every shard its final `-of-N` name, finish the JSONL. Returns the parquet paths. */
  close(): string[] {
    // A split with no rows still gets one (empty) shard, so the card's data_files pattern matches a file.
    this.flush(this.shardPaths.length === 0);
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
    if (this.jsonlFd !== undefined && this.options.jsonlFile) {
      closeSync(this.jsonlFd);
      this.jsonlFd = undefined;
      renameSync(`${this.options.jsonlFile}.partial`, this.options.jsonlFile);
    }
    return finals;
  }
}
