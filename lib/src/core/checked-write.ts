import { writeSync } from "node:fs";
import { ToolkitError } from "./errors.js";

/** A write that failed, naming the file (a bare ENOSPC says nothing about which disk filled up). */
export class FileWriteError extends ToolkitError {
  declare readonly file: string;
  readonly code?: string;
  /** Bytes of this write that reached the file before it failed. */
  readonly written: number;
  constructor(file: string, what: string, cause: unknown, written: number) {
    const e = cause as NodeJS.ErrnoException;
    super(
      `cannot write ${what} ${file}: ${e?.code ? `${e.code}: ` : ""}${e?.message ?? String(cause)}`,
      { stage: "llm", file },
      { cause },
    );
    this.name = "FileWriteError";
    this.code = e?.code;
    this.written = written;
  }
}

/**
 * Write all of `data` (at the file's end, or at `position`). A regular file can take part of a write (a
 * disk filling up mid-record); the rest is written in further calls until done or an error, which is
 * rethrown naming the file with how much got in, so the caller can cut the torn bytes off.
 */
export function writeAllSync(fd: number, data: Buffer, file: string, what: string, position?: number): void {
  let written = 0;
  while (written < data.length) {
    let n: number;
    try {
      const at = position === undefined ? null : position + written;
      n = writeSync(fd, data, written, data.length - written, at);
    } catch (error) {
      throw new FileWriteError(file, what, error, written);
    }
    if (n <= 0) throw new FileWriteError(file, what, new Error("write returned 0 bytes"), written);
    written += n;
  }
}
