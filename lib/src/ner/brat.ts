import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { ToolkitError } from "../core/errors.js";
import { type EntityType, isEntityType, type NerNote, type NerReject, type Span, sortSpans } from "./types.js";
import { checkSpans } from "./validate-spans.js";

/**
 * BRAT standoff (https://brat.nlplab.org/standoff.html): a `.txt` with the text and an `.ann` with one
 * annotation per line. Text-bound lines look like `T1<TAB>Type START END<TAB>covered text`; discontinuous
 * ones use `START END;START END`. Other line kinds (#, A, R, E, N, M, *) carry no spans for NER: they are
 * counted, not read.
 *
 * BRAT offsets count Unicode code points (Python string indices); JavaScript strings count UTF-16 code
 * units. They differ only after a character outside the BMP (emoji, some CJK), so offsets are converted
 * when, and only when, the text has one.
 */

/** UTF-16 index of each code-point index (plus one past the end), or undefined when they coincide. */
function codePointToUtf16(text: string): Int32Array | undefined {
  if (!/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text)) return undefined;
  const map: number[] = [];
  let unit = 0;
  for (const char of text) {
    map.push(unit);
    unit += char.length;
  }
  map.push(unit);
  return Int32Array.from(map);
}

export interface BratOptions {
  /** Map from the corpus's type names to ours, e.g. { Drug: "medication" }. Names already ours pass through. */
  typeMap?: Record<string, EntityType>;
  /** Corpus types that are not entities here (e.g. Strength, Dosage): counted under ignored["type:Name"], not rejected. */
  ignoreTypes?: readonly string[];
}

export interface BratParse {
  spans: Span[];
  rejects: NerReject[];
  /** Lines that are valid BRAT but carry no entity span (notes, attributes, relations, ...), by kind. */
  ignored: Record<string, number>;
}

function mapType(raw: string, typeMap: Record<string, EntityType> | undefined): EntityType | undefined {
  const mapped = typeMap?.[raw];
  if (mapped) return mapped;
  return isEntityType(raw) ? raw : undefined;
}

/** Parse one `.ann` against its text. `source` names the file in rejects. */
export function parseAnn(
  text: string,
  ann: string,
  noteId: string,
  source: string,
  options: BratOptions = {},
): BratParse {
  const rejects: NerReject[] = [];
  const ignored: Record<string, number> = {};
  const candidates: Span[] = [];
  const toUtf16 = codePointToUtf16(text);
  const lines = ann.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `${source}:${index + 1}`;
    const reject = (reason: string, detail: string) => rejects.push({ source: where, noteId, reason, detail });
    const kind = line[0];
    if (kind !== "T") {
      if ("#ARENM*".includes(kind)) ignored[kind] = (ignored[kind] ?? 0) + 1;
      else reject("malformed_line", `unknown annotation kind "${kind}" (expected T, #, A, R, E, N, M or *)`);
      return;
    }
    const columns = line.split("\t");
    if (columns.length !== 3) {
      reject(
        "malformed_line",
        `text-bound line needs 3 tab-separated columns (id, type and offsets, text); found ${columns.length}`,
      );
      return;
    }
    const [id, typeAndOffsets, covered] = columns;
    const match = /^(\S+) (\d+ \d+(?:;\d+ \d+)*)$/.exec(typeAndOffsets);
    if (!match) {
      reject("malformed_line", `${id}: expected "Type START END", found ${JSON.stringify(typeAndOffsets)}`);
      return;
    }
    const [, rawType, offsets] = match;
    if (offsets.includes(";")) {
      reject("discontinuous", `${id}: discontinuous span ${offsets} cannot be tagged with BIO`);
      return;
    }
    if (options.ignoreTypes?.includes(rawType)) {
      ignored[`type:${rawType}`] = (ignored[`type:${rawType}`] ?? 0) + 1;
      return;
    }
    const type = mapType(rawType, options.typeMap);
    if (!type) {
      reject("unknown_type", `${id}: type "${rawType}" is not one of medication, disease, symptom (add it to typeMap)`);
      return;
    }
    let [start, end] = offsets.split(" ").map(Number);
    if (toUtf16) {
      // Out-of-range code-point offsets stay out of range, so checkSpans reports them.
      start = start < toUtf16.length ? toUtf16[start] : text.length + start;
      end = end < toUtf16.length ? toUtf16[end] : text.length + end;
    }
    const checked = checkSpans(text, [{ start, end, type, text: covered }], {
      source: `${where} (${id})`,
      noteId,
      overlaps: "keep",
    });
    rejects.push(...checked.rejects);
    candidates.push(...checked.spans);
  });
  const final = checkSpans(text, candidates, { source, noteId });
  rejects.push(...final.rejects);
  return { spans: final.spans, rejects, ignored };
}

/** Write one note's `.ann` text (T1, T2, ... in span order). */
export function formatAnn(note: NerNote): string {
  const toUtf16 = codePointToUtf16(note.text);
  const fromUtf16 = new Map<number, number>();
  if (toUtf16) for (let point = 0; point < toUtf16.length; point++) fromUtf16.set(toUtf16[point], point);
  const offset = (unit: number) => (toUtf16 ? (fromUtf16.get(unit) ?? unit) : unit);
  return sortSpans(note.spans)
    .map(
      (span, i) =>
        `T${i + 1}\t${span.type} ${offset(span.start)} ${offset(span.end)}\t${note.text.slice(span.start, span.end).replace(/\s/g, " ")}\n`,
    )
    .join("");
}

export interface BratDirRead {
  notes: NerNote[];
  rejects: NerReject[];
  ignored: Record<string, number>;
}

/**
 * Read every `<id>.txt` with its `<id>.ann` from a folder (sorted by name). Empty notes and `.txt` files
 * without an `.ann` are counted skips; a missing folder is an error.
 */
export async function readBratDir(dir: string, options: BratOptions = {}): Promise<BratDirRead> {
  const names = (await readdir(dir)).sort();
  const files = new Set(names);
  const notes: NerNote[] = [];
  const rejects: NerReject[] = [];
  const ignored: Record<string, number> = {};
  for (const name of names) {
    if (name.endsWith(".ann") && !files.has(name.replace(/\.ann$/, ".txt"))) {
      rejects.push({ source: join(dir, name), reason: "missing_text", detail: "an .ann file without its .txt" });
    }
    if (!name.endsWith(".txt")) continue;
    const id = basename(name, ".txt");
    const txtPath = join(dir, name);
    const annPath = join(dir, `${id}.ann`);
    const text = await readFile(txtPath, "utf8");
    if (text.trim() === "") {
      rejects.push({ source: txtPath, noteId: id, reason: "empty_note", detail: "the note text is empty" });
      continue;
    }
    if (!files.has(`${id}.ann`)) {
      rejects.push({ source: txtPath, noteId: id, reason: "missing_ann", detail: `no ${id}.ann beside the text` });
      continue;
    }
    const parsed = parseAnn(text, await readFile(annPath, "utf8"), id, annPath, options);
    notes.push({ id, text, spans: parsed.spans });
    rejects.push(...parsed.rejects);
    for (const [kind, count] of Object.entries(parsed.ignored)) ignored[kind] = (ignored[kind] ?? 0) + count;
  }
  return { notes, rejects, ignored };
}

/** Write notes as `<id>.txt` + `<id>.ann` into a folder (created if needed). */
export async function writeBratDir(dir: string, notes: Iterable<NerNote>): Promise<number> {
  await mkdir(dir, { recursive: true });
  let count = 0;
  for (const note of notes) {
    if (!/^[\w.-]+$/.test(note.id))
      throw new ToolkitError(`note id ${JSON.stringify(note.id)} is not safe as a file name`, {
        stage: "ner",
        field: "id",
      });
    await writeFile(join(dir, `${note.id}.txt`), note.text);
    await writeFile(join(dir, `${note.id}.ann`), formatAnn(note));
    count++;
  }
  return count;
}
