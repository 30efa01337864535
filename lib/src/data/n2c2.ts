import { isUtf8 } from "node:buffer";
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { SaxesParser } from "saxes";
import { DataError, type DataErrorLocation } from "../core/data-error.js";
import { ToolkitError } from "../core/errors.js";
import { assertReadableFile, invalidUtf8Handler } from "../core/jsonl.js";
import { type RejectHandler, type WarningHandler, warningSink } from "../core/rejects.js";
import { decoderForLabel, forEachInvalidUtf8Line, hasUtf8Bom, type InvalidUtf8Mode } from "../core/text-bytes.js";
import { type Criterion, type CriterionLabel, isCriterion, N2C2_CRITERIA } from "./n2c2-criteria.js";
import { isCalendarDate } from "./note.js";

/** A malformed n2c2 2018 Track 1 XML file: bad XML, missing TEXT, missing/duplicate/unknown tag, bad label. */
export class N2c2FormatError extends DataError {
  constructor(location: DataErrorLocation, reason: string) {
    super(location, reason);
    this.name = "N2c2FormatError";
  }
}

/**
 * Records in a patient's TEXT are separated by a line of 100 asterisks (what the release and
 * formatN2c2Xml write). Copies re-saved by other tools have other widths, so a line of 20 or more
 * `*` alone on its line separates records too, when a `Record date:` line follows it.
 */
export const N2C2_RECORD_SEPARATOR = "*".repeat(100);
const SEPARATOR_LINE = /^[ \t]*\*{20,}[ \t]*$/;
const EXACT_SEPARATOR = /^[ \t]*\*{100}[ \t]*$/;
const RECORD_DATE_LINE = /^\s*Record date:\s*(\d{4}-\d{2}-\d{2})\s*$/;

export interface N2c2Record {
  /** The `Record date:` of this record, YYYY-MM-DD. */
  date: string;
  /** The record's text, from its `Record date:` line on, without surrounding blank lines. */
  text: string;
  /** 1-based line in the XML file where the record starts. */
  line: number;
}

export interface N2c2Patient {
  /** File name without `.xml` (the challenge's patient id, e.g. "100"). */
  patientId: string;
  /** The file as named by the caller. */
  file: string;
  /** The whole TEXT content, as in the file. */
  text: string;
  /** The dated records, in file order. */
  records: N2c2Record[];
  /** One label per criterion: all 13 are required. */
  tags: Record<Criterion, CriterionLabel>;
}

/**
 * Parse one n2c2 2018 Track 1 file: root `PatientMatching`, a `TEXT` (CDATA) of dated records and
 * `TAGS` with all 13 criteria as `<NAME met="met" />` or `met="not met"` (compared after trimming
 * and lower-casing, as the official scorer does). Anything else throws an N2c2FormatError naming
 * the file, line and column: malformed XML, missing TEXT or TAGS, a missing, duplicate or unknown
 * tag, a bad `met` value, or a record without a `Record date:` line.
 */
export function parseN2c2Xml(xml: string, fileName: string): N2c2Patient {
  // XML normalises line ends to \n; doing it first keeps offsets in the string equal to parser positions.
  const source = xml.replace(/\r\n?/g, "\n");
  const parser = new SaxesParser({ position: true, fileName });
  const fail = (reason: string, line = parser.line, column?: number, field?: string): never => {
    throw new N2c2FormatError({ file: fileName, line, column, field }, reason);
  };

  const stack: string[] = [];
  let textParts: string[] | undefined;
  let textStart = 0;
  let textLine = 0;
  let tagsSeen = false;
  let tagsCloseLine = 0;
  let textCloseLine = 0;
  let rootCloseLine = 0;
  const tags = new Map<Criterion, { label: CriterionLabel; line: number }>();

  parser.on("error", (error) => {
    // saxes reads a raw `&` as the start of an entity running to the next `;`, so its error comes
    // lines later (often "unclosed tag" at the end); a bare `&` before that point is the real cause.
    const errorOffset = offsetOf(source, parser.line, parser.column);
    const ampersand = firstBareAmpersand(source, errorOffset);
    if (ampersand >= 0) {
      const at = lineAndColumn(source, ampersand);
      fail("malformed XML: a bare '&' (write &amp; or put the text in a CDATA section)", at.line, at.column);
    }
    fail(`malformed XML: ${error.message.replace(/^.*?:\d+:\d+: /, "")}`, parser.line, parser.column + 1);
  });
  parser.on("opentag", (tag) => {
    const parent = stack.at(-1);
    stack.push(tag.name);
    if (parent === undefined) {
      if (tag.name !== "PatientMatching") fail(`root element is <${tag.name}>, expected <PatientMatching>`);
      return;
    }
    if (parent === "PatientMatching") {
      if (tag.name === "TEXT") {
        if (textParts) fail("more than one <TEXT> element", parser.line, undefined, "TEXT");
        textParts = [];
        textStart = parser.position;
        textLine = parser.line;
      } else if (tag.name === "TAGS") {
        if (tagsSeen) fail("more than one <TAGS> element", parser.line, undefined, "TAGS");
        tagsSeen = true;
      }
      return;
    }
    if (parent === "TAGS") {
      if (!isCriterion(tag.name)) {
        fail(
          `unknown tag <${tag.name}> in TAGS; expected one of ${N2C2_CRITERIA.join(", ")}`,
          parser.line,
          undefined,
          tag.name,
        );
        return;
      }
      const previous = tags.get(tag.name);
      if (previous)
        fail(`duplicate tag <${tag.name}> (first on line ${previous.line})`, parser.line, undefined, tag.name);
      const raw = tag.attributes.met;
      if (typeof raw !== "string")
        fail(`tag <${tag.name}> has no met="..." attribute`, parser.line, undefined, tag.name);
      const label = String(raw).trim().toLowerCase();
      if (label !== "met" && label !== "not met")
        fail(`tag <${tag.name}> has met="${raw}"; expected "met" or "not met"`, parser.line, undefined, tag.name);
      tags.set(tag.name as Criterion, { label: label as CriterionLabel, line: parser.line });
    }
  });
  parser.on("closetag", (tag) => {
    stack.pop();
    if (stack.length === 0) rootCloseLine = parser.line;
    else if (stack.length === 1 && tag.name === "TEXT") textCloseLine = parser.line;
    else if (stack.length === 1 && tag.name === "TAGS") tagsCloseLine = parser.line;
  });
  const collectText = (value: string): void => {
    if (stack.at(-1) === "TEXT" && textParts) textParts.push(value);
  };
  parser.on("text", collectText);
  parser.on("cdata", collectText);

  parser.write(source).close();

  if (!textParts)
    return fail("no <TEXT> element (expected inside <PatientMatching>)", rootCloseLine, undefined, "TEXT");
  const text = textParts.join("");
  if (text.trim() === "") fail("<TEXT> is empty", textLine, undefined, "TEXT");
  if (!tagsSeen)
    fail(
      `no <TAGS> element: expected after </TEXT> (line ${textCloseLine}), before </PatientMatching> (line ${rootCloseLine})`,
      rootCloseLine,
      undefined,
      "TAGS",
    );
  const missing = N2C2_CRITERIA.filter((criterion) => !tags.has(criterion));
  if (missing.length > 0)
    fail(`TAGS is missing ${missing.map((name) => `<${name}>`).join(", ")}`, tagsCloseLine, undefined, missing[0]);

  // Where TEXT's content begins in the file, so record line numbers point into it.
  const offset = source.indexOf(text, textStart);
  const firstLine = offset >= 0 ? lineAt(source, offset) : textLine;
  const records = splitN2c2Records(text, { file: fileName, firstLine });

  const labels = Object.fromEntries(N2C2_CRITERIA.map((c) => [c, tags.get(c)!.label])) as Record<
    Criterion,
    CriterionLabel
  >;
  return { patientId: basename(fileName).replace(/\.xml$/i, ""), file: fileName, text, records, tags: labels };
}

/**
 * Split a TEXT into its records at separator lines: 100 `*`, or 20 or more `*` followed (after
 * blank lines) by a `Record date:` line, so a row of stars inside a record stays text. Each record
 * must start with `Record date: YYYY-MM-DD` (a real calendar date); `firstLine` is the file line
 * TEXT starts on.
 */
export function splitN2c2Records(text: string, where: { file: string; firstLine?: number }): N2c2Record[] {
  const base = where.firstLine ?? 1;
  const chunks: { start: number; lines: string[] }[] = [{ start: 0, lines: [] }];
  const lines = text.split("\n");
  lines.forEach((lineText, index) => {
    if (isN2c2RecordSeparator(lines, index)) chunks.push({ start: index + 1, lines: [] });
    else chunks.at(-1)!.lines.push(lineText);
  });
  const records: N2c2Record[] = [];
  chunks.forEach((chunk, index) => {
    const first = chunk.lines.findIndex((lineText) => lineText.trim() !== "");
    const line = base + chunk.start + Math.max(first, 0);
    if (first === -1) {
      // Blank before the first or after the last separator is harmless; between two it means a lost record.
      if (index === 0 || index === chunks.length - 1) return;
      throw new N2c2FormatError({ file: where.file, line, field: "TEXT" }, "empty record between two separator lines");
    }
    let last = chunk.lines.length - 1;
    while (chunk.lines[last].trim() === "") last -= 1;
    const match = RECORD_DATE_LINE.exec(chunk.lines[first]);
    if (!match)
      throw new N2c2FormatError(
        { file: where.file, line, field: "TEXT" },
        // The offending line is not quoted: it is patient text, and error messages end up in logs.
        `record ${records.length + 1} does not start with a "Record date: YYYY-MM-DD" line`,
      );
    if (!isCalendarDate(match[1]))
      throw new N2c2FormatError(
        { file: where.file, line, field: "TEXT" },
        `record date ${match[1]} is not a real date`,
      );
    records.push({ date: match[1], text: chunk.lines.slice(first, last + 1).join("\n"), line });
  });
  if (records.length === 0)
    throw new N2c2FormatError({ file: where.file, line: base, field: "TEXT" }, "TEXT has no dated records");
  return records;
}

/**
 * Whether line `index` of a TEXT's lines separates records: a line of 100 `*`, or of 20 or more
 * `*` (spaces around allowed) followed, after blank lines, by a `Record date:` line or the end.
 */
export function isN2c2RecordSeparator(lines: readonly string[], index: number): boolean {
  const line = lines[index];
  if (line.length < 20 || !SEPARATOR_LINE.test(line)) return false;
  if (EXACT_SEPARATOR.test(line)) return true;
  let next = index + 1;
  while (next < lines.length && lines[next].trim() === "") next++;
  // The last line of TEXT: a separator that closes the last record, whatever its width.
  return next >= lines.length || RECORD_DATE_LINE.test(lines[next]);
}

/** The latest `Record date` of a patient: "in the past N months" criteria count back from it. */
export function mostRecentRecordDate(patient: Pick<N2c2Patient, "records">): string {
  if (patient.records.length === 0)
    throw new ToolkitError("patient has no records", { stage: "data", field: "records" });
  // Dates are YYYY-MM-DD strings, so the lexical maximum is the latest day.
  return patient.records
    .map((record) => record.date)
    .sort()
    .at(-1)!;
}

/**
 * The records dated within `months` calendar months before the most recent record (inclusive),
 * e.g. the window a "MI in the past 6 months" question is about.
 */
export function recordsWithinMonths(patient: Pick<N2c2Patient, "records">, months: number): N2c2Record[] {
  const latest = mostRecentRecordDate(patient);
  const [year, month, day] = latest.split("-").map(Number);
  // Same day `months` earlier, clamped to the month's end (6 months before 2070-08-31 is 2070-02-28).
  const first = new Date(Date.UTC(year, month - 1 - months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(day, lastDay));
  const start = first.toISOString().slice(0, 10);
  return patient.records.filter((record) => record.date >= start);
}

export interface ReadN2c2FileOptions {
  /** Bytes that are not UTF-8 in a UTF-8 file: `report` (default: read as U+FFFD, warned per line) or `fail`. */
  onInvalidUtf8?: InvalidUtf8Mode;
  /** Problems with files that were kept (`invalid-utf8`); without it, one process warning per file. */
  onWarning?: WarningHandler;
}

/**
 * Read and parse one file (see parseN2c2Xml), decoded as its XML declaration says: `encoding=`
 * any WHATWG label (UTF-8, ISO-8859-1, windows-1252, ...); UTF-8 when there is none. A byte order
 * mark decides first (UTF-8 or UTF-16). An unknown encoding is an N2c2FormatError.
 */
export async function readN2c2File(file: string, options: ReadN2c2FileOptions = {}): Promise<N2c2Patient> {
  await assertReadableFile(file);
  const warnings = warningSink(options.onWarning);
  const patient = parseN2c2Xml(decodeXml(await readFile(file), file, options, warnings.warn), file);
  warnings.finish(file);
  return patient;
}

function decodeXml(bytes: Buffer, file: string, options: ReadN2c2FileOptions, warn: WarningHandler): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decoderForLabel("utf-16le")!.decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decoderForLabel("utf-16be")!.decode(bytes.subarray(2));
  const bom = hasUtf8Bom(bytes);
  const declared = bom
    ? undefined
    : /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])(.*?)\1/.exec(bytes.toString("latin1", 0, 256));
  const label = declared?.[2].trim();
  const decoder = label === undefined ? undefined : decoderForLabel(label);
  if (label !== undefined && !decoder) {
    const column = declared!.index + declared![0].length - declared![2].length;
    throw new N2c2FormatError(
      { file, line: 1, column },
      `unknown encoding "${label}" in the XML declaration (use a standard label such as UTF-8, ISO-8859-1 or windows-1252)`,
    );
  }
  if (decoder && decoder.encoding !== "utf-8") return decoder.decode(bytes);
  const body = bom ? bytes.subarray(3) : bytes;
  if (!isUtf8(body))
    forEachInvalidUtf8Line(body, 1, bom ? 3 : 0, invalidUtf8Handler(file, options.onInvalidUtf8, warn));
  return body.toString("utf8");
}

export interface ReadN2c2DirOptions extends ReadN2c2FileOptions {
  /** Collect files that fail to parse (reason `n2c2-format`) instead of throwing on the first. */
  onReject?: RejectHandler;
}

/** Parse every `*.xml` in a folder, in natural file-name order (100.xml before 1000.xml). */
export async function readN2c2Dir(dir: string, options: ReadN2c2DirOptions = {}): Promise<N2c2Patient[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new DataError(
      { file: dir },
      `cannot list the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const files = names
    .filter((name) => name.toLowerCase().endsWith(".xml"))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  if (files.length === 0) throw new DataError({ file: dir }, "no .xml files in this folder");
  const patients: N2c2Patient[] = [];
  for (const name of files) {
    try {
      patients.push(await readN2c2File(join(dir, name), options));
    } catch (error) {
      if (!options.onReject || !DataError.isInstance(error)) throw error;
      const { file, line, column, field, byte, reason } = error;
      // Only invalid UTF-8 (under onInvalidUtf8: "fail") has a byte offset.
      const code = byte !== undefined ? "invalid-utf8" : "n2c2-format";
      options.onReject({ file, line, column, field, byte, reason: code, message: reason });
    }
  }
  return patients;
}

/**
 * Write a patient in the challenge's format (what the official scorer reads, for gold and for
 * predictions). `]]>` inside the text is split across two CDATA sections, so any text round-trips.
 */
export function formatN2c2Xml(patient: Pick<N2c2Patient, "text" | "tags">): string {
  const cdata = patient.text.replaceAll("]]>", "]]]]><![CDATA[>");
  const tags = N2C2_CRITERIA.map((criterion) => {
    const label = patient.tags[criterion];
    if (label !== "met" && label !== "not met")
      throw new ToolkitError(`tag ${criterion} has label "${label}"`, { stage: "data", field: criterion });
    return `<${criterion} met="${label}" />`;
  });
  return `<?xml version="1.0" encoding="UTF-8" ?>\n<PatientMatching>\n<TEXT><![CDATA[${cdata}]]></TEXT>\n<TAGS>\n${tags.join("\n")}\n</TAGS>\n</PatientMatching>\n`;
}

/** Offset in `source` of a saxes position (1-based line, 0-based column). */
function offsetOf(source: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = source.indexOf("\n", offset);
    if (next < 0) return source.length;
    offset = next + 1;
  }
  return Math.min(offset + column, source.length);
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  const line = lineAt(source, offset);
  return { line, column: offset - (source.lastIndexOf("\n", offset - 1) + 1) + 1 };
}

const ENTITY_REFERENCE = /&(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z_:][-A-Za-z0-9._:]*);/y;

/** Offset of the first `&` before `limit` that starts no entity reference, outside CDATA, comments and PIs; -1 if none. */
function firstBareAmpersand(source: string, limit: number): number {
  const skips: [string, string][] = [
    ["<![CDATA[", "]]>"],
    ["<!--", "-->"],
    ["<?", "?>"],
  ];
  let at = 0;
  while (at < limit) {
    const ampersand = source.indexOf("&", at);
    if (ampersand < 0 || ampersand >= limit) return -1;
    // The first section opening before the `&` (which may sit inside it): jump past its end.
    let section: { start: number; open: string; close: string } | undefined;
    for (const [open, close] of skips) {
      const start = source.indexOf(open, at);
      if (start >= 0 && start < ampersand && (!section || start < section.start)) section = { start, open, close };
    }
    if (section) {
      const end = source.indexOf(section.close, section.start + section.open.length);
      at = end < 0 ? source.length : end + section.close.length;
      continue;
    }
    ENTITY_REFERENCE.lastIndex = ampersand;
    if (!ENTITY_REFERENCE.test(source)) return ampersand;
    at = ampersand + 1;
  }
  return -1;
}

function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let index = source.indexOf("\n"); index !== -1 && index < offset; index = source.indexOf("\n", index + 1))
    line += 1;
  return line;
}
