import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { ToolkitError } from "../core/errors.js";

/** A key file that must not be used: names the file and says how to fix it. */
export class KeyFileError extends ToolkitError {
  override name = "KeyFileError";
  declare readonly file: string;
  constructor(
    file: string,
    readonly reason: "unreadable" | "not-a-file" | "too-open" | "empty" | "too-large" | "not-one-line",
    message: string,
  ) {
    super(message, { stage: "secrets", file });
  }
}

// A key is a few dozen bytes; anything this big is the wrong file (a data file named by mistake).
const MAX_BYTES = 64 * 1024;

/**
 * Read an API key from a file: the one reader and policy for every key file (llm.apiKeyFile, a vLLM serve
 * job's key). Refused: a file group or others may read or write (mode & 077; the error names the mode and the
 * chmod), not a regular file, empty, over 64 KiB, or a key that is not one line of visible characters. One
 * trailing newline (LF or CRLF) is stripped. The mode is checked on the opened file, so a swap between check
 * and read cannot slip an open file through.
 */
export function readKeyFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new KeyFileError(file, "unreadable", `API key file ${file}: cannot read it (${code})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KeyFileError(file, "not-a-file", `API key file ${file} is not a regular file`);
    const mode = stat.mode & 0o777;
    if (mode & 0o077) {
      throw new KeyFileError(
        file,
        "too-open",
        `API key file ${file} has mode ${mode.toString(8).padStart(4, "0")}: group or others may read or write it; ` +
          `run \`chmod 600 ${file}\` (only its owner may read a key)`,
      );
    }
    if (stat.size > MAX_BYTES) {
      throw new KeyFileError(file, "too-large", `API key file ${file} is ${stat.size} bytes; a key file holds one key`);
    }
    const buffer = Buffer.alloc(Math.max(stat.size, 1) + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    const key = buffer
      .subarray(0, length)
      .toString("utf8")
      .replace(/\r?\n$/, "");
    if (key === "") throw new KeyFileError(file, "empty", `API key file ${file} is empty`);
    // Spaces, further lines or control characters: a wrong or damaged file (and an invalid HTTP header).
    if (/[\s\x00-\x1f\x7f]/.test(key)) {
      throw new KeyFileError(
        file,
        "not-one-line",
        `API key file ${file} must hold the key alone on one line (found spaces, line breaks or control characters)`,
      );
    }
    return key;
  } finally {
    closeSync(fd);
  }
}
