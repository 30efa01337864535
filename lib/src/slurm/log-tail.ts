import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";

/** Reads what was appended to a file since the last call: a `tail -f` that never blocks. */
export class LogFollower {
  private offset = 0;
  private partial = "";
  constructor(readonly file: string) {}

  /** Complete new lines since the last call ("" when nothing new or no file yet). */
  readNew(flush = false): string {
    if (existsSync(this.file)) {
      const size = statSync(this.file).size;
      if (size < this.offset) this.offset = 0; // truncated or replaced: start again
      if (size > this.offset) {
        const buffer = Buffer.alloc(Math.min(size - this.offset, 4 * 1024 * 1024));
        const fd = openSync(this.file, "r");
        try {
          const read = readSync(fd, buffer, 0, buffer.length, this.offset);
          this.offset += read;
          this.partial += buffer.subarray(0, read).toString("utf8");
        } finally {
          closeSync(fd);
        }
      }
    }
    if (flush) {
      const all = this.partial;
      this.partial = "";
      return all;
    }
    const end = this.partial.lastIndexOf("\n");
    if (end < 0) return "";
    const complete = this.partial.slice(0, end + 1);
    this.partial = this.partial.slice(end + 1);
    return complete;
  }
}

/** The last `lines` lines of a file ("" when it does not exist); reads at most the last 256 KiB. */
export function tailFile(file: string | null, lines = 40): string {
  if (!file || !existsSync(file)) return "";
  const size = statSync(file).size;
  const length = Math.min(size, 256 * 1024);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString("utf8").replace(/\n$/, "");
  return text.split("\n").slice(-lines).join("\n");
}
