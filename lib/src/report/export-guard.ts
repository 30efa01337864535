import { closeSync, createReadStream, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { createGunzip } from "node:zlib";
import { defaults } from "../config/defaults.js";
import { ToolkitError } from "../core/errors.js";
import { readLineBatches } from "../core/lines.js";
import type { RegistryDataset } from "./dataset-registry.js";
import { renderCells } from "./export-html.js";
import { KeyCollector, type ShingleSet, WordSet, windowHash } from "./guard-index.js";
import { continueWordHash, forEachWord, htmlGuardText, isJoinableGap, normalizeGuardText } from "./guard-text.js";
import { joinSource, type NotebookDocument, type NotebookOutput } from "./notebook-file.js";
import { TABLE_MIME, type TablePayload } from "./types.js";
import { tableCsv } from "./write-table.js";

/**
 * The export guard: a published report must not carry text from restricted datasets (MIMIC, n2c2, under
 * data use agreements).
 *
 * Index: every restricted dataset on disk is read as words (normalised by guard-text.ts: entities,
 * invisible characters, look-alike letters, accents and case folded); the 64-bit hash of EVERY window of
 * `minWords` consecutive words (default 8, config `export.guard.minWords`) goes into an exact sorted set
 * (guard-index.ts). No sampling: any run of `minWords` words copied from a note is caught.
 *
 * Scan: each notebook is read as it will be published, as several streams, each concatenated over all
 * cells in order (so text printed over several outputs or cells is one run):
 *   - page: every cell as the HTML page shows it (code, markdown rendered, outputs rendered), raw HTML
 *     read with attribute values and comments;
 *   - prose: the same without code (markdown and outputs, as a reader reads them);
 *   - data: every representation of every output, shown or not (text/plain beside HTML, table and
 *     figure JSON strings, error values and tracebacks);
 *   - sources: every cell's source as written;
 *   - tables: every table as the CSV file the export writes.
 * A line break or markup between two letters is read both ways (split, and joined into one word when
 * the corpus has that word), so "clini-\ncal" and "<b>clini</b>cal" match "clinical".
 * A finding names notebook, cell(s) and the number of words in the longest matching run, never the text.
 */

export interface GuardOptions {
  /** Length of the shortest run of words that is refused (default 8). */
  minWords?: number;
}

/** export.guard.minWords' default (config/sections/export.ts). */
export const DEFAULT_GUARD_MIN_WORDS = defaults.export.guard.minWords;

export interface GuardDataset {
  name: string;
  shingles: ShingleSet;
}

export interface RestrictedIndex {
  minWords: number;
  datasets: GuardDataset[];
  /** Every distinct word of the restricted corpus (by hash). */
  vocabulary: WordSet;
  /** Per dataset: files read, and why any dataset was not scanned (absent on this machine). */
  scanned: { dataset: string; files: number; words?: number; notScanned?: string }[];
}

export interface GuardFinding {
  notebook: string;
  /** 1-based, counting every cell (as the runner reports cells): where the longest matching run starts. */
  cell: number;
  cellId?: string;
  /** Where that run ends (another cell when the text was printed over several cells). */
  endCell: number;
  endCellId?: string;
  /** Where the text was: the cells' outputs, or their source (pasted note text is published too). */
  part: "output" | "source";
  dataset: string;
  /** Words in the longest run that matches the dataset (at least `minWords`). */
  words: number;
}

/** Counts from scans, for the export's log: windows checked, starts with too many readings to try all. */
export interface ScanStats {
  windows: number;
  ambiguous: number;
}

/** Words placed from one start before other readings are skipped (and counted): only contrived text needs more. */
const MAX_READINGS = 4096;
/** At most this many parts are joined into one word. */
const MAX_PARTS = 6;

function listFiles(path: string): string[] {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return [];
  if (stat.isFile()) return [path];
  if (!stat.isDirectory()) return [];
  const files: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith(".")) continue;
    files.push(...listFiles(join(path, entry.name)));
  }
  return files;
}

/** Formats the guard cannot read as text (listed as not scanned); everything else is sniffed. */
const binaryExtension =
  /\.(parquet|arrow|feather|ipc|zip|bz2|xz|zst|7z|tar|png|jpe?g|gif|pdf|bin|safetensors|pt|pth|gguf|npy|npz|pkl|db|sqlite)$/i;

/** Read as text unless the name says binary, or (uncompressed) its first 8 KiB hold a NUL byte. */
function isTextFile(file: string): boolean {
  if (binaryExtension.test(file)) return false;
  if (file.toLowerCase().endsWith(".gz")) return !binaryExtension.test(file.slice(0, -3));
  const handle = openSync(file, "r");
  try {
    const head = Buffer.alloc(8192);
    const read = readSync(handle, head, 0, head.length, 0);
    return !head.subarray(0, read).includes(0);
  } finally {
    closeSync(handle);
  }
}

function jsonStrings(value: unknown, into: string[]): void {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) for (const item of value) jsonStrings(item, into);
  else if (value && typeof value === "object") for (const item of Object.values(value)) jsonStrings(item, into);
}

/** Windows of the corpus: every `size` consecutive words of one document go into `keys`. */
class CorpusShingler {
  private readonly ring: Uint32Array;
  private readonly hash = new Uint32Array(2);
  private count = 0;
  words = 0;
  constructor(
    private readonly size: number,
    private readonly keys: KeyCollector,
    private readonly vocabulary: WordSet,
  ) {
    this.ring = new Uint32Array(size);
  }
  /** A new document: windows never span two. */
  reset(): void {
    this.count = 0;
  }
  private readonly onWord = (word: number): void => {
    this.vocabulary.add(word);
    this.ring[this.count % this.size] = word;
    this.count++;
    this.words++;
    if (this.count >= this.size) {
      windowHash(this.ring, this.count % this.size, this.size, this.hash);
      this.keys.add(this.hash[1], this.hash[0]);
    }
  };
  feed(text: string): void {
    forEachWord(normalizeGuardText(text), this.onWord);
  }
}

async function feedFile(file: string, shingler: CorpusShingler): Promise<void> {
  const source = file.toLowerCase().endsWith(".gz") ? createReadStream(file).pipe(createGunzip()) : file;
  const perLineDocuments = /\.(jsonl|ndjson)(\.gz)?$/i.test(file);
  shingler.reset();
  // Blank lines hold no words; a byte order mark is dropped, so a JSONL file's first line parses as JSON.
  for await (const batch of readLineBatches(source)) {
    for (const { text: line } of batch) {
      if (!perLineDocuments) {
        shingler.feed(line);
        continue;
      }
      // One JSON object per line: each string field is its own document, so metadata never joins note text.
      const strings: string[] = [];
      try {
        jsonStrings(JSON.parse(line), strings);
      } catch {
        strings.push(line);
      }
      for (const text of strings) {
        shingler.reset();
        shingler.feed(text);
      }
    }
  }
}

/** Build the exact shingle index over every restricted dataset that exists on this machine. */
export async function buildRestrictedIndex(
  datasets: RegistryDataset[],
  options: GuardOptions = {},
): Promise<RestrictedIndex> {
  const minWords = options.minWords ?? DEFAULT_GUARD_MIN_WORDS;
  if (!Number.isInteger(minWords) || minWords < 2)
    throw new ToolkitError(`export guard: minWords must be an integer of at least 2 (got ${minWords})`, {
      stage: "report",
      field: "minWords",
    });
  const index: RestrictedIndex = { minWords, datasets: [], vocabulary: new WordSet(), scanned: [] };
  for (const dataset of datasets.filter((entry) => entry.restricted)) {
    const present = dataset.paths.filter((path) => existsSync(path));
    if (present.length === 0) {
      const why = `not on this machine (${dataset.declaredPaths.join(", ")})`;
      index.scanned.push({ dataset: dataset.name, files: 0, notScanned: why });
      continue;
    }
    const keys = new KeyCollector();
    const shingler = new CorpusShingler(minWords, keys, index.vocabulary);
    const files = present.flatMap(listFiles);
    const readable = files.filter(isTextFile);
    for (const file of readable) await feedFile(file, shingler);
    index.datasets.push({ name: dataset.name, shingles: keys.finish() });
    const skipped = files.length - readable.length;
    index.scanned.push({
      dataset: dataset.name,
      files: readable.length,
      words: shingler.words,
      ...(skipped > 0 ? { notScanned: `${skipped} file(s) in a binary format were not read` } : {}),
    });
  }
  return index;
}

/** Total distinct windows in the index (for the log and the manifest). */
export function indexShingles(index: RestrictedIndex): number {
  return index.datasets.reduce((sum, dataset) => sum + dataset.shingles.size, 0);
}

/** Every text an output carries, shown or not: streams, errors, every string of every rich representation. */
export function outputTexts(output: NotebookOutput): { text: string; html: boolean }[] {
  const texts: { text: string; html: boolean }[] = [];
  if (output.text !== undefined) texts.push({ text: joinSource(output.text), html: false });
  if (output.ename) texts.push({ text: output.ename, html: false });
  if (output.evalue) texts.push({ text: output.evalue, html: false });
  if (output.traceback) texts.push({ text: output.traceback.join("\n"), html: false });
  for (const [mime, value] of Object.entries(output.data ?? {})) {
    const strings: string[] = [];
    if (typeof value === "string" || Array.isArray(value)) strings.push(joinSource(value as string | string[]));
    if (mime.endsWith("json") || (value && typeof value === "object" && !Array.isArray(value)))
      jsonStrings(value, strings);
    const html = mime === "text/html" || mime === "image/svg+xml" || mime.endsWith("+xml");
    for (const text of strings) texts.push({ text, html });
  }
  return texts;
}

/** One scanned stream: normalised text of many pieces, each piece tagged with its cell and part. */
class ScanStream {
  private readonly pieces: string[] = [];
  private readonly pieceStarts: number[] = [];
  private readonly pieceCells: number[] = [];
  private readonly pieceSource: boolean[] = [];
  private length = 0;

  add(raw: string, cell: number, source: boolean, html: boolean): void {
    if (raw.length === 0) return;
    const text = normalizeGuardText(html ? htmlGuardText(raw) : raw);
    // Pieces are joined by a line break: what is printed in two outputs is read as one text.
    this.pieceStarts.push(this.length);
    this.pieceCells.push(cell);
    this.pieceSource.push(source);
    this.pieces.push(text, "\n");
    this.length += text.length + 1;
  }

  scan(index: RestrictedIndex, report: (run: MatchedRun) => void, stats?: ScanStats): void {
    if (this.pieces.length === 0) return;
    const text = this.pieces.join("");
    const hashes: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    forEachWord(text, (hash, start, end) => {
      hashes.push(hash);
      starts.push(start);
      ends.push(end);
    });
    const count = hashes.length;
    const size = index.minWords;
    if (count === 0) return;
    const joinable = new Uint8Array(count);
    for (let i = 0; i + 1 < count; i++) joinable[i] = isJoinableGap(text, ends[i], starts[i + 1]) ? 1 : 0;
    // Cell and part of every word, from the pieces (words are in text order).
    const cellOf = new Int32Array(count);
    const sourceOf = new Uint8Array(count);
    let piece = 0;
    for (let i = 0; i < count; i++) {
      while (piece + 1 < this.pieceStarts.length && this.pieceStarts[piece + 1] <= starts[i]) piece++;
      cellOf[i] = this.pieceCells[piece];
      sourceOf[i] = this.pieceSource[piece] ? 1 : 0;
    }

    const datasets = index.datasets;
    const vocabulary = index.vocabulary;
    const path = new Uint32Array(size);
    const hash = new Uint32Array(2);
    // Per start word and dataset: the last word of the furthest matching window, or -1.
    const matchEnd = new Int32Array(count * datasets.length).fill(-1);
    // Per word and dataset: 1 when it is a later part of the first word of a matching window ("clini-|cal").
    const continues = new Uint8Array(count * datasets.length);
    const firstWordLast = { at: 0 };
    let readings = 0;
    let start = 0;
    // Depth-first over the readings of the words from `at`: each word is one part or several joined parts.
    const extend = (at: number, depth: number): void => {
      let word = hashes[at];
      for (let last = at; ; ) {
        if (readings > MAX_READINGS) return;
        if (vocabulary.has(word)) {
          readings++;
          path[depth] = word;
          if (depth === 0) firstWordLast.at = last;
          if (depth + 1 === size) {
            if (stats) stats.windows++;
            windowHash(path, 0, size, hash);
            for (let d = 0; d < datasets.length; d++)
              if (datasets[d].shingles.has(hash[1], hash[0])) {
                const slot = start * datasets.length + d;
                if (last > matchEnd[slot]) matchEnd[slot] = last;
                for (let part = start + 1; part <= firstWordLast.at; part++) continues[part * datasets.length + d] = 1;
              }
          } else if (last + 1 < count) extend(last + 1, depth + 1);
        }
        if (!joinable[last] || last + 1 >= count || last - at + 1 >= MAX_PARTS) return;
        word = continueWordHash(word, text, starts[last + 1], ends[last + 1]);
        last++;
      }
    };
    // Joining parts only makes fewer words, so a window needs at least `size` parts from its start.
    for (start = 0; start + size <= count; start++) {
      readings = 0;
      extend(start, 0);
      if (readings > MAX_READINGS && stats) stats.ambiguous++;
    }

    // Runs of consecutive matching starts: one run per dataset and stretch, its length in words. The second
    // part of a word read joined ("clini-|cal") starts no window of its own: it continues the run.
    for (let d = 0; d < datasets.length; d++) {
      let first = -1;
      let lastStart = -1;
      let bridged = 0;
      for (let s = 0; s <= count; s++) {
        const end = s < count ? matchEnd[s * datasets.length + d] : -1;
        if (end >= 0) {
          if (first < 0) {
            first = s;
            bridged = 0;
          }
          lastStart = s;
          continue;
        }
        if (first < 0) continue;
        if (s < count && continues[s * datasets.length + d]) {
          bridged++;
          continue;
        }
        const lastEnd = matchEnd[lastStart * datasets.length + d];
        const inner = bridged - (s - 1 - lastStart); // bridged parts after the last match are not inside the run
        let source = true;
        for (let w = first; w <= lastEnd && source; w++) source = sourceOf[w] === 1;
        report({
          dataset: d,
          words: lastStart - first + 1 - inner + size - 1,
          cell: cellOf[first],
          endCell: cellOf[lastEnd],
          source,
        });
        first = -1;
      }
    }
  }
}

interface MatchedRun {
  dataset: number;
  words: number;
  cell: number;
  endCell: number;
  source: boolean;
}

/**
 * Restricted text in a notebook as it will be published: one finding per run of cells, part and dataset,
 * with the longest matching run's length.
 */
export function scanNotebook(
  nb: NotebookDocument,
  notebook: string,
  index: RestrictedIndex,
  stats?: ScanStats,
): GuardFinding[] {
  if (index.datasets.every((dataset) => dataset.shingles.size === 0)) return [];
  const page = new ScanStream();
  const prose = new ScanStream();
  const data = new ScanStream();
  const sources = new ScanStream();
  const tables = new ScanStream();
  renderCells(nb).forEach((rendered, cellIndex) => {
    const cell = nb.cells[cellIndex];
    page.add(rendered.source, cellIndex, true, true);
    if (cell.cell_type !== "code") prose.add(rendered.source, cellIndex, true, true);
    for (const output of rendered.outputs) {
      page.add(output, cellIndex, false, true);
      prose.add(output, cellIndex, false, true);
    }
    sources.add(joinSource(cell.source), cellIndex, true, false);
    for (const output of cell.outputs ?? []) {
      for (const { text, html } of outputTexts(output)) data.add(text, cellIndex, false, html);
      const table = output.data?.[TABLE_MIME] as TablePayload | undefined;
      if (table && Array.isArray(table.columns) && Array.isArray(table.rows))
        tables.add(tableCsv(table), cellIndex, false, false);
    }
  });

  const found = new Map<string, GuardFinding>();
  const report = (run: MatchedRun) => {
    const part = run.source ? "source" : "output";
    const key = `${run.cell}/${run.endCell}/${part}/${run.dataset}`;
    const known = found.get(key);
    if (known) {
      known.words = Math.max(known.words, run.words);
      return;
    }
    const endId = nb.cells[run.endCell].id;
    found.set(key, {
      notebook,
      cell: run.cell + 1,
      ...(nb.cells[run.cell].id ? { cellId: nb.cells[run.cell].id } : {}),
      endCell: run.endCell + 1,
      ...(endId ? { endCellId: endId } : {}),
      part,
      dataset: index.datasets[run.dataset].name,
      words: run.words,
    });
  };
  for (const stream of [page, prose, data, sources, tables]) stream.scan(index, report, stats);
  return [...found.values()].sort(
    (a, b) =>
      a.cell - b.cell || a.endCell - b.endCell || a.part.localeCompare(b.part) || (a.dataset < b.dataset ? -1 : 1),
  );
}

/** Raised when the export refuses to run; the message lists notebook, cell(s), run length and dataset. */
export class RestrictedOutputError extends ToolkitError {
  readonly findings: GuardFinding[];
  constructor(findings: GuardFinding[]) {
    const cellName = (cell: number, id?: string) => `cell ${cell}${id ? ` (id ${id})` : ""}`;
    const lines = findings.map(
      (finding) =>
        `  - ${finding.notebook}, ${cellName(finding.cell, finding.cellId)}` +
        `${finding.endCell !== finding.cell ? ` to ${cellName(finding.endCell, finding.endCellId)}` : ""}` +
        `${finding.part === "source" ? " source" : ""}: text from restricted dataset "${finding.dataset}"` +
        ` (${finding.words} words in a row)`,
    );
    super(
      `Export refused: ${findings.length} notebook cell(s) contain text from datasets marked restricted ` +
        `(under a data use agreement):\n${lines.join("\n")}\nChange those cells to show counts, metrics or ids ` +
        "instead of note text, re-run the notebooks, then export again. Nothing was exported.",
      { stage: "report", file: findings[0]?.notebook },
    );
    this.name = "RestrictedOutputError";
    this.findings = findings;
  }
}
