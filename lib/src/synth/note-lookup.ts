import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { ToolkitError } from "../core/errors.js";
import { hasUtf8Bom } from "../core/text-bytes.js";

/** Non-empty lines with their byte offsets (offsets are what the index stores); a leading UTF-8 BOM is skipped. */
async function* byteLines(
  file: string,
): AsyncGenerator<{ lineNo: number; start: number; length: number; text: string }> {
  let carry = Buffer.alloc(0);
  let carryStart = 0;
  let lineNo = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buffer = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let from = carryStart === 0 && hasUtf8Bom(buffer) ? 3 : 0;
    for (;;) {
      const end = buffer.indexOf(10, from);
      if (end < 0) break;
      lineNo++;
      const stop = end > from && buffer[end - 1] === 13 ? end - 1 : end;
      const text = buffer.toString("utf8", from, stop);
      if (text.trim() !== "") yield { lineNo, start: carryStart + from, length: stop - from, text };
      from = end + 1;
    }
    carryStart += from;
    carry = buffer.subarray(from);
  }
  if (carry.length > 0) {
    const text = carry.toString("utf8");
    if (text.trim() !== "") yield { lineNo: lineNo + 1, start: carryStart, length: carry.length, text };
  }
}

/**
 * Notes by id without holding them all: the notes file is scanned once for byte offsets, and a
 * note is read from disk when asked for. Post-processing needs each note's text for the quote
 * check, one note at a time.
 */
export interface NoteLookup {
  get(noteId: string): string | undefined;
  readonly size: number;
  close?(): void;
}

export function noteLookupFromMap(notes: ReadonlyMap<string, string> | Record<string, string>): NoteLookup {
  const map = notes instanceof Map ? notes : new Map(Object.entries(notes));
  return { get: (id) => map.get(id), size: map.size };
}

export interface NoteIndexProblem {
  lineNo: number;
  problem: string;
}

/** A NoteIndex as plain data (structured-cloneable to a worker thread). */
export interface SharedNoteIndex {
  file: string;
  offsets: ReadonlyMap<string, { start: number; length: number }>;
}

/** A file-backed NoteLookup over a notes JSONL ({note_id, text, ...} per line). */
export class NoteIndex implements NoteLookup {
  readonly file: string;
  /** Lines that could not be indexed (bad JSON, missing note_id or text, duplicate id). */
  readonly problems: NoteIndexProblem[];
  private readonly offsets: ReadonlyMap<string, { start: number; length: number }>;
  private fd: number | undefined;
  private window = Buffer.allocUnsafe(1 << 18);
  private windowStart = 0;
  private windowLength = 0;

  private constructor(
    file: string,
    offsets: ReadonlyMap<string, { start: number; length: number }>,
    problems: NoteIndexProblem[],
  ) {
    this.file = file;
    this.offsets = offsets;
    this.problems = problems;
    this.fd = openSync(file, "r");
  }

  static async open(file: string): Promise<NoteIndex> {
    const offsets = new Map<string, { start: number; length: number }>();
    const problems: NoteIndexProblem[] = [];
    for await (const line of byteLines(file)) {
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch (error) {
        problems.push({ lineNo: line.lineNo, problem: `not valid JSON (${(error as Error).message})` });
        continue;
      }
      const record = value as { note_id?: unknown; text?: unknown };
      if (typeof record?.note_id !== "string" || record.note_id === "") {
        problems.push({ lineNo: line.lineNo, problem: "note_id is missing or not a string" });
        continue;
      }
      if (typeof record.text !== "string") {
        problems.push({ lineNo: line.lineNo, problem: `note ${record.note_id}: text is missing or not a string` });
        continue;
      }
      if (offsets.has(record.note_id)) {
        problems.push({ lineNo: line.lineNo, problem: `note ${record.note_id} appears again (first copy kept)` });
        continue;
      }
      offsets.set(record.note_id, { start: line.start, length: line.length });
    }
    return new NoteIndex(file, offsets, problems);
  }

  /** What another thread needs to open the same index without scanning the file again (see fromShared). */
  share(): SharedNoteIndex {
    return { file: this.file, offsets: this.offsets };
  }

  static fromShared(shared: SharedNoteIndex): NoteIndex {
    return new NoteIndex(shared.file, shared.offsets, []);
  }

  get size(): number {
    return this.offsets.size;
  }

  ids(): IterableIterator<string> {
    return this.offsets.keys();
  }

  get(noteId: string): string | undefined {
    const at = this.offsets.get(noteId);
    if (!at || this.fd === undefined) return undefined;
    // Steps b and c ask for notes mostly in file order: read a window ahead rather than one read per note.
    if (at.start < this.windowStart || at.start + at.length > this.windowStart + this.windowLength) {
      if (this.window.length < at.length) this.window = Buffer.allocUnsafe(at.length);
      this.windowStart = at.start;
      this.windowLength = readSync(this.fd, this.window, 0, this.window.length, at.start);
      if (this.windowLength < at.length)
        throw new ToolkitError(`${this.file}: shorter than indexed (changed while open?)`, {
          stage: "synth",
          file: this.file,
        });
    }
    const from = at.start - this.windowStart;
    return (JSON.parse(this.window.toString("utf8", from, from + at.length)) as { text: string }).text;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.windowLength = 0;
  }
}
