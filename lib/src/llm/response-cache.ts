import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
} from "node:fs";
import { dirname } from "node:path";
import { defaults } from "../config/defaults.js";
import { FileWriteError, writeAllSync } from "../core/checked-write.js";
import { ToolkitError } from "../core/errors.js";
import { hasUtf8Bom } from "../core/text-bytes.js";
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
  /** Bytes of an unfinished last line (a process killed mid-write, a full disk) found on open. */
  tornBytes: number;
  /**
   * Torn or unreadable lines found on this open, none of them counted as stored: a last line without
   * its newline, a line that is not one record, a torn record with the next one glued to it (1-based
   * line numbers, at most 20 listed). Each is copied to `quarantineFile` and then removed from the cache
   * file (blanked, or cut off at the end), so its key is asked again once and the next open is clean.
   */
  badLines: { line: number; reason: string }[];
  badLineCount: number;
  /** Keys stored more than once (later copies are ignored). */
  duplicates: number;
  /** `<file>.quarantine`: JSONL of `{line, offset, reason, at, bytes, text | base64}`. */
  quarantineFile: string;
  /** Lines the quarantine file holds, from this open and earlier ones. */
  quarantined: number;
  /** Set when a bad line could not be quarantined (it then stays in place, still not counted). */
  quarantineError?: string;
}

/**
 * When to fsync. Every record is written with one write() before the answer is handed on, which already
 * survives SIGKILL of the process (the data is in the kernel); fsync only adds safety against power loss.
 */
export type FsyncPolicy = "always" | "interval" | "never";

const keyPrefix = Buffer.from('{"key":"');
const KEY_LENGTH = 64;
const NEWLINE = Buffer.from("\n");

/** A torn or unreadable stretch of the cache file, on its way to the quarantine file. */
interface BadLine {
  /** 1-based line number (0: found on a read, after open). */
  line: number;
  offset: number;
  bytes: Buffer;
  reason: string;
  /** The blank ends in a newline (the torn part of a glued line). */
  newline?: boolean;
  /** false: not blanked in place (a torn tail, which is cut off instead). */
  inPlace?: boolean;
}

function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const data = readFileSync(file);
  let count = 0;
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) count++;
  return count;
}

/** A line of spaces: a quarantined line blanked in place (keeps the byte offsets of later lines). */
function isBlank(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) if (line[i] !== 32) return false;
  return true;
}

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
  /** The file ends in torn bytes that could not be cut off: the next record starts with a newline. */
  private needsNewline = false;
  /** Keys whose indexed line turned out unreadable on a get (stored again when re-asked). */
  private readonly unreadable = new Set<string>();
  private quarantineFd: number | undefined;
  private quarantineFailed = false;

  private constructor(file: string, fsync: FsyncPolicy) {
    this.file = file;
    this.fsync = fsync;
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, "a+");
    const { size, report } = this.load();
    this.size = size;
    this.loadReport = report;
  }

  /** Open (creating if needed) a cache file; torn and unreadable lines are quarantined (see `loadReport`). */
  static open(file: string, options: { fsync?: FsyncPolicy } = {}): ResponseCache {
    return new ResponseCache(file, options.fsync ?? defaults.llm.fsync);
  }

  get count(): number {
    return this.index.size;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /**
   * The stored answer for a key, or undefined. A line that loaded by its key prefix but is not JSON
   * (damaged in the middle) is quarantined here and its key asked again, then stored again by `put`.
   */
  get(key: string): CacheRecord | undefined {
    const offset = this.index.get(key);
    if (offset === undefined || this.fd === undefined || this.unreadable.has(key)) return undefined;
    const line = this.readLine(offset);
    let record: CacheRecord;
    try {
      record = JSON.parse(line.toString("utf8")) as CacheRecord;
    } catch {
      this.unreadable.add(key);
      const error = this.quarantine([
        { line: 0, offset, bytes: Buffer.from(line), reason: "not JSON (found on read)" },
      ]);
      if (error) this.loadReport.quarantineError ??= error;
      return undefined;
    }
    return record.key === key ? record : undefined;
  }

  /**
   * Append one answer; a key already stored (and readable) is not written again. The write is checked:
   * on a failure (ENOSPC, a short write) the torn bytes are cut off, nothing is counted as stored, and
   * the error names the cache file.
   */
  put(record: Omit<CacheRecord, "at"> & { at?: number }): void {
    if (this.fd === undefined)
      throw new ToolkitError(`response cache ${this.file} is closed`, { stage: "llm", file: this.file });
    if (this.index.has(record.key) && this.get(record.key)) return;
    const { key, ...rest } = record;
    const line = Buffer.from(`${JSON.stringify({ key, ...rest, at: record.at ?? Date.now() })}\n`);
    const lead = this.needsNewline ? 1 : 0;
    try {
      writeAllSync(this.fd, lead ? Buffer.concat([NEWLINE, line]) : line, this.file, "to the response cache");
    } catch (error) {
      this.cutBack();
      throw error;
    }
    this.needsNewline = false;
    this.index.set(key, this.size + lead);
    this.unreadable.delete(key);
    this.size += lead + line.length;
    this.unsynced = true;
    if (this.fsync === "always" || (this.fsync === "interval" && Date.now() - this.lastSync > 1000)) this.sync();
  }

  /** After a failed write: cut the torn bytes off, or failing that, start the next record on a new line. */
  private cutBack(): void {
    try {
      ftruncateSync(this.fd!, this.size);
    } catch {
      this.needsNewline = true;
    }
  }

  /** Flush to disk now (an fsync error names the file: the answers since the last sync may be lost). */
  sync(): void {
    if (this.fd === undefined || !this.unsynced) return;
    try {
      fsyncSync(this.fd);
    } catch (error) {
      throw new FileWriteError(this.file, "(fsync) the response cache", error, 0);
    }
    this.unsynced = false;
    this.lastSync = Date.now();
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      if (this.fsync !== "never") this.sync();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
      if (this.quarantineFd !== undefined) closeSync(this.quarantineFd);
      this.quarantineFd = undefined;
    }
  }

  /**
   * Copy bad lines to `<file>.quarantine` (fsynced), then blank them in the cache file with spaces, which
   * keeps every later offset valid (`newline`: the blank ends in a newline, splitting a torn record from
   * the complete one glued to it). A line that cannot be copied is left in place. Returns an error
   * message when the copy failed.
   */
  private quarantine(lines: BadLine[]): string | undefined {
    if (lines.length === 0) return undefined;
    const target = `${this.file}.quarantine`;
    if (this.quarantineFailed) return `${target} could not be written earlier`;
    const at = new Date().toISOString();
    try {
      this.quarantineFd ??= openSync(target, "a");
      const text = lines.map(({ line, offset, bytes, reason }) => {
        const utf8 = bytes.toString("utf8");
        const content = Buffer.from(utf8).equals(bytes) ? { text: utf8 } : { base64: bytes.toString("base64") };
        return `${JSON.stringify({ line, offset, reason, at, bytes: bytes.length, ...content })}\n`;
      });
      writeAllSync(this.quarantineFd, Buffer.from(text.join("")), target, "the cache quarantine file");
      fsyncSync(this.quarantineFd);
    } catch (error) {
      this.quarantineFailed = true;
      return `cannot quarantine ${lines.length} bad line(s) of ${this.file}: ${(error as Error).message}`;
    }
    let blankFd: number | undefined;
    try {
      blankFd = openSync(this.file, "r+");
      for (const { offset, bytes, newline, inPlace } of lines) {
        if (inPlace === false) continue;
        const blank = Buffer.alloc(bytes.length, 32);
        if (newline) blank[blank.length - 1] = 10;
        writeAllSync(blankFd, blank, this.file, "(blanking a quarantined line in) the response cache", offset);
      }
    } catch {
      // Copied but not blanked: the line is found (and copied) again on the next open; nothing is lost.
    } finally {
      if (blankFd !== undefined) closeSync(blankFd);
    }
    return undefined;
  }

  private readLine(offset: number): Buffer {
    let length = 4096;
    for (;;) {
      const buffer = Buffer.allocUnsafe(length);
      const read = readSync(this.fd!, buffer, 0, length, offset);
      const end = buffer.subarray(0, read).indexOf(10);
      if (end >= 0) return buffer.subarray(0, end);
      if (read < length) return buffer.subarray(0, read);
      length *= 4;
    }
  }

  /**
   * Scan the file in chunks and index complete records. Bad lines are collected (copies of the bytes:
   * rare) and quarantined at the end; a torn tail is cut off once it is safely copied.
   */
  private load(): { size: number; report: CacheLoadReport } {
    const report: CacheLoadReport = {
      file: this.file,
      records: 0,
      tornBytes: 0,
      badLines: [],
      badLineCount: 0,
      duplicates: 0,
      quarantineFile: `${this.file}.quarantine`,
      quarantined: 0,
    };
    const bad: BadLine[] = [];
    const found = (entry: BadLine) => {
      bad.push(entry);
      report.badLineCount++;
      if (report.badLines.length < 20) report.badLines.push({ line: entry.line, reason: entry.reason });
    };
    const total = fstatSync(this.fd!).size;
    const chunkSize = 1 << 20;
    let carry = Buffer.alloc(0);
    let carryOffset = 0; // file offset of carry[0]
    let position = 0;
    let lineNumber = 0;
    while (position < total) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkSize, total - position));
      const read = readSync(this.fd!, chunk, 0, chunk.length, position);
      if (read <= 0) break;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      // A UTF-8 byte order mark (the file saved by an editor) is not part of the first record.
      let start = position === 0 && hasUtf8Bom(data) ? 3 : 0;
      position += read;
      for (;;) {
        const end = data.indexOf(10, start);
        if (end < 0) break;
        lineNumber++;
        const line = data.subarray(start, end);
        const lineOffset = carryOffset + start;
        start = end + 1;
        if (line.length === 0 || (line[0] === 32 && isBlank(line))) continue;
        // A second record start on one line: a torn record with the next append glued to it (a record's
        // own text cannot hold `{"key":"` unescaped). The last record on the line may be whole.
        const glued = line.lastIndexOf(keyPrefix);
        let key: string | undefined;
        let keyOffset = lineOffset;
        if (glued > 0) {
          key = this.parsedKeyOf(line.subarray(glued));
          if (key !== undefined) {
            keyOffset = lineOffset + glued;
            found({
              line: lineNumber,
              offset: lineOffset,
              bytes: Buffer.from(line.subarray(0, glued)),
              reason: "torn record with the next record glued to it",
              newline: true,
            });
          } else {
            found({
              line: lineNumber,
              offset: lineOffset,
              bytes: Buffer.from(line),
              reason: "records glued together, none complete",
            });
            continue;
          }
        } else key = this.keyOf(line);
        if (key === undefined) {
          found({
            line: lineNumber,
            offset: lineOffset,
            bytes: Buffer.from(line),
            reason: "not a cache record (expected a JSON object starting with its key)",
          });
          continue;
        }
        if (this.index.has(key)) {
          report.duplicates++;
          continue;
        }
        this.index.set(key, keyOffset);
        report.records++;
      }
      carry = Buffer.from(data.subarray(start));
      carryOffset += start;
    }
    let size = total;
    if (carry.length > 0) {
      // A last line without its newline: a write cut short (a kill, a full disk). Never counted.
      report.tornBytes = carry.length;
      found({
        line: lineNumber + 1,
        offset: carryOffset,
        bytes: carry,
        reason: "torn last line (no newline at the end of the file)",
        inPlace: false,
      });
    }
    const error = this.quarantine(bad);
    if (error) report.quarantineError = error;
    if (carry.length > 0) {
      if (error)
        this.needsNewline = true; // keep the bytes; the next record starts on a new line
      else {
        ftruncateSync(this.fd!, carryOffset);
        size = carryOffset;
      }
    }
    report.quarantined = countLines(report.quarantineFile);
    return { size, report };
  }

  /** The key of a line that must parse as a whole record (the rare glued case: no fast path). */
  private parsedKeyOf(line: Buffer): string | undefined {
    try {
      const record = JSON.parse(line.toString("utf8")) as { key?: unknown };
      return typeof record.key === "string" && /^[0-9a-f]{64}$/.test(record.key) ? record.key : undefined;
    } catch {
      return undefined;
    }
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
