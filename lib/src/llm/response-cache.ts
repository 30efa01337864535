import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { KeyIndex } from "./internal/key-index.js";
import type { ModelRequest, RawAnswer, Usage } from "./types.js";

/** One stored answer. `key` comes first on the line so loading can read it without parsing JSON. */
export interface CacheRecord {
  key: string;
  /** Id of the request that first asked (diagnostics only; the key is what matters). */
  id?: string;
  text: string | null;
  finishReason: string;
  usage?: Usage;
  model?: string;
  /** Epoch milliseconds when stored. */
  at: number;
}

export interface CacheLoadReport {
  file: string;
  records: number;
  /** Bytes of an unfinished last line (a process killed mid-write) that were cut off on open. */
  tornBytes: number;
  /** Complete lines that could not be read (1-based line numbers, at most 20 listed). */
  badLines: { line: number; reason: string }[];
  badLineCount: number;
  /** Keys stored more than once (later copies are ignored). */
  duplicates: number;
}

/**
 * When to fsync. Every record is written with one write() before the answer is handed on, which already
 * survives SIGKILL of the process (the data is in the kernel); fsync only adds safety against power loss.
 */
export type FsyncPolicy = "always" | "interval" | "never";

const keyPrefix = Buffer.from('{"key":"');
const KEY_LENGTH = 64;

/**
 * Append-only JSONL store of answers, indexed in memory by key -> byte offset (not by record: a
 * million answers cost about 35 MB of index). One writer process per file.
 */
export class ResponseCache {
  readonly file: string;
  readonly loadReport: CacheLoadReport;
  private readonly index = new KeyIndex();
  private fd: number | undefined;
  private size: number;
  private readonly fsync: FsyncPolicy;
  private lastSync = Date.now();
  private unsynced = false;

  private constructor(file: string, fsync: FsyncPolicy) {
    this.file = file;
    this.fsync = fsync;
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, "a+");
    const { size, report } = this.load();
    this.size = size;
    this.loadReport = report;
  }

  /** Open (creating if needed) a cache file; a torn last line is cut off and reported in `loadReport`. */
  static open(file: string, options: { fsync?: FsyncPolicy } = {}): ResponseCache {
    return new ResponseCache(file, options.fsync ?? "interval");
  }

  get count(): number {
    return this.index.size;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /** The stored answer for a key, or undefined (also when its line turns out unreadable). */
  get(key: string): CacheRecord | undefined {
    const offset = this.index.get(key);
    if (offset === undefined || this.fd === undefined) return undefined;
    const line = this.readLine(offset);
    try {
      const record = JSON.parse(line) as CacheRecord;
      return record.key === key ? record : undefined;
    } catch {
      return undefined;
    }
  }

  /** Append one answer; a key already stored is not written again. */
  put(record: Omit<CacheRecord, "at"> & { at?: number }): void {
    if (this.fd === undefined) throw new Error(`response cache ${this.file} is closed`);
    if (this.index.has(record.key)) return;
    const { key, ...rest } = record;
    const line = Buffer.from(`${JSON.stringify({ key, ...rest, at: record.at ?? Date.now() })}\n`);
    writeSync(this.fd, line);
    this.index.set(key, this.size);
    this.size += line.length;
    this.unsynced = true;
    if (this.fsync === "always" || (this.fsync === "interval" && Date.now() - this.lastSync > 1000)) this.sync();
  }

  /** Flush to disk now. */
  sync(): void {
    if (this.fd === undefined || !this.unsynced) return;
    fsyncSync(this.fd);
    this.unsynced = false;
    this.lastSync = Date.now();
  }

  close(): void {
    if (this.fd === undefined) return;
    if (this.fsync !== "never") this.sync();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private readLine(offset: number): string {
    let length = 4096;
    for (;;) {
      const buffer = Buffer.allocUnsafe(length);
      const read = readSync(this.fd!, buffer, 0, length, offset);
      const end = buffer.subarray(0, read).indexOf(10);
      if (end >= 0) return buffer.toString("utf8", 0, end);
      if (read < length) return buffer.toString("utf8", 0, read);
      length *= 4;
    }
  }

  /** Scan the file in chunks, index complete lines, cut off a torn tail. */
  private load(): { size: number; report: CacheLoadReport } {
    const report: CacheLoadReport = {
      file: this.file,
      records: 0,
      tornBytes: 0,
      badLines: [],
      badLineCount: 0,
      duplicates: 0,
    };
    const total = fstatSync(this.fd!).size;
    const chunkSize = 1 << 20;
    let carry = Buffer.alloc(0);
    let carryOffset = 0; // file offset of carry[0]
    let position = 0;
    let lineNumber = 0;
    const bad = (reason: string) => {
      report.badLineCount++;
      if (report.badLines.length < 20) report.badLines.push({ line: lineNumber, reason });
    };
    while (position < total) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkSize, total - position));
      const read = readSync(this.fd!, chunk, 0, chunk.length, position);
      if (read <= 0) break;
      position += read;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (;;) {
        const end = data.indexOf(10, start);
        if (end < 0) break;
        lineNumber++;
        const line = data.subarray(start, end);
        const lineOffset = carryOffset + start;
        start = end + 1;
        if (line.length === 0) continue;
        const key = this.keyOf(line);
        if (key === undefined) {
          bad("not a cache record (expected a JSON object starting with its key)");
          continue;
        }
        if (this.index.has(key)) {
          report.duplicates++;
          continue;
        }
        this.index.set(key, lineOffset);
        report.records++;
      }
      carry = Buffer.from(data.subarray(start));
      carryOffset += start;
    }
    if (carry.length > 0) {
      // A line without its newline is a write cut short by a kill: drop it so the next append starts clean.
      report.tornBytes = carry.length;
      ftruncateSync(this.fd!, carryOffset);
      return { size: carryOffset, report };
    }
    return { size: total, report };
  }

  private keyOf(line: Buffer): string | undefined {
    if (line.length > keyPrefix.length + KEY_LENGTH && line.subarray(0, keyPrefix.length).equals(keyPrefix)) {
      if (line[keyPrefix.length + KEY_LENGTH] === 34 && line[line.length - 1] === 125) {
        return line.toString("latin1", keyPrefix.length, keyPrefix.length + KEY_LENGTH);
      }
    }
    try {
      const record = JSON.parse(line.toString("utf8")) as { key?: unknown };
      return typeof record.key === "string" && /^[0-9a-f]{64}$/.test(record.key) ? record.key : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Store a model's reply, whatever it said (an invalid answer asked again at the same settings is the
 * same answer); a reply without any choice is a server glitch and is not stored. Used by live runs and
 * by batch-output reading alike.
 */
export function storeReply(cache: ResponseCache | undefined, request: ModelRequest, key: string, raw: RawAnswer): void {
  if (!cache || raw.finishReason === "none") return;
  cache.put({
    key,
    id: request.id,
    text: raw.text,
    finishReason: raw.finishReason,
    usage: raw.usage,
    model: request.model,
  });
}
