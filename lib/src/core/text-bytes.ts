import { isUtf8 } from "node:buffer";
import { TextDecoder } from "node:util";

/**
 * Byte-level checks shared by every reader: the UTF-8 byte order mark, and where invalid UTF-8 is.
 * Validity is decided by `buffer.isUtf8` (native, one pass); the slow scan that says where the bad
 * bytes are runs only on a buffer that failed it.
 */

/** EF BB BF: what Windows editors and Excel put at the start of "UTF-8" files. */
export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** What to do with bytes that are not UTF-8: report them (decoded as U+FFFD, counted) or fail on the first. */
export type InvalidUtf8Mode = "report" | "fail";
export const INVALID_UTF8_MODES = ["report", "fail"] as const;

export interface InvalidUtf8Run {
  /** Offset of the first bad byte in the buffer given. */
  offset: number;
  /** The bad bytes of that first sequence (what becomes one U+FFFD). */
  bytes: number[];
  /** How many bad sequences (U+FFFD characters) the buffer holds in all. */
  count: number;
}

/** Null when `bytes[start, end)` is valid UTF-8; else where the first bad sequence is and how many there are. */
export function findInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): InvalidUtf8Run | null {
  if (isUtf8(bytes.subarray(start, end))) return null;
  let first: InvalidUtf8Run | null = null;
  let index = start;
  while (index < end) {
    const lead = bytes[index];
    if (lead < 0x80) {
      index++;
      continue;
    }
    const length = validSequenceLength(bytes, index, end);
    if (length > 0) {
      index += length;
      continue;
    }
    // A bad sequence is its lead byte plus the continuation bytes that were still possible (the
    // "maximal subpart" TextDecoder replaces by one U+FFFD), so the count matches the decoded text.
    const bad = maximalSubpart(bytes, index, end);
    if (!first) first = { offset: index, bytes: Array.from(bytes.subarray(index, index + bad)), count: 0 };
    first.count++;
    index += bad;
  }
  return first;
}

/** Bytes of the well-formed sequence at `index` (lead >= 0x80), 0 when it is not well formed. */
function validSequenceLength(bytes: Uint8Array, index: number, end: number): number {
  const lead = bytes[index];
  const [length, low, high] = sequenceShape(lead);
  if (length === 0 || index + length > end) return 0;
  const second = bytes[index + 1];
  if (second < low || second > high) return 0;
  for (let k = 2; k < length; k++) if ((bytes[index + k] & 0xc0) !== 0x80) return 0;
  return length;
}

function maximalSubpart(bytes: Uint8Array, index: number, end: number): number {
  const [length, low, high] = sequenceShape(bytes[index]);
  if (length === 0) return 1;
  let taken = 1;
  if (index + 1 < end && bytes[index + 1] >= low && bytes[index + 1] <= high) {
    taken = 2;
    while (taken < length && index + taken < end && (bytes[index + taken] & 0xc0) === 0x80) taken++;
  }
  return taken;
}

/** Sequence length for a lead byte and the allowed range of its second byte (RFC 3629 table). */
function sequenceShape(lead: number): [number, number, number] {
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  return [0, 0, 0];
}

// Windows-1252 at 0x80-0x9F (the rest is Latin-1). Node 20's TextDecoder("windows-1252") decodes
// these as C1 control characters (Latin-1), so the table is here; 0x81, 0x8D, 0x8F, 0x90, 0x9D stay as is.
const CP1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** Bytes as Windows-1252 (what the WHATWG labels windows-1252, ISO-8859-1, latin1 and ASCII mean). */
export function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("latin1")
    .replace(/[\x80-\x9f]/g, (char) => CP1252_HIGH[char.charCodeAt(0) - 0x80]);
}

/**
 * A decoder for an encoding label (an XML declaration's `encoding=`), by the WHATWG Encoding
 * Standard's label list, or undefined when the label is not known.
 */
export function decoderForLabel(label: string): { encoding: string; decode(bytes: Uint8Array): string } | undefined {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    return undefined;
  }
  if (decoder.encoding === "windows-1252") return { encoding: decoder.encoding, decode: decodeWindows1252 };
  return { encoding: decoder.encoding, decode: (bytes) => decoder.decode(bytes) };
}

/**
 * `0x92` plus what a single stray byte most likely was: text saved as Windows-1252 / Latin-1 is the
 * usual source of invalid UTF-8 in clinical exports (0x92 ’, 0x96 –, 0xA0 no-break space, 0xB0 °,
 * 0xB5 µ). One character is shown, never surrounding text (the note may be restricted data).
 */
export function describeInvalidBytes(bytes: readonly number[]): string {
  const hex = bytes.map((byte) => `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`).join(" ");
  if (bytes.length !== 1) return hex;
  const char = decodeWindows1252(Uint8Array.from(bytes));
  const shown = char === "\u00a0" ? "no-break space" : char.codePointAt(0)! < 0x20 ? undefined : `"${char}"`;
  return shown ? `${hex} (${shown} in Windows-1252)` : hex;
}

/** A line holding bytes that are not UTF-8 (decoded, they become U+FFFD). */
export interface InvalidUtf8Line extends InvalidUtf8Run {
  /** 1-based line in the file. */
  lineNo: number;
  /** Offset of the first bad byte in the file (0-based, counting a BOM). */
  byte: number;
}

/**
 * Calls `onInvalid` once per line of `bytes` that holds invalid UTF-8. `bytes` starts a line:
 * line `firstLine`, at file offset `firstByte`. Callers run it only on a buffer isUtf8 refused.
 */
export function forEachInvalidUtf8Line(
  bytes: Uint8Array,
  firstLine: number,
  firstByte: number,
  onInvalid: (problem: InvalidUtf8Line) => void,
): void {
  let lineNo = firstLine;
  for (let start = 0; start < bytes.length; lineNo++) {
    const newline = bytes.indexOf(10, start);
    const end = newline < 0 ? bytes.length : newline;
    const run = findInvalidUtf8(bytes, start, end);
    if (run) onInvalid({ ...run, lineNo, byte: firstByte + run.offset });
    start = end + 1;
  }
}
