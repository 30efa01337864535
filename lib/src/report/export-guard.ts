import { closeSync, createReadStream, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { RegistryDataset } from "./dataset-registry.js";
import { joinSource, type NotebookDocument, type NotebookOutput } from "./notebook-file.js";

/**
 * The export guard: executed notebooks must not carry text from restricted datasets (MIMIC, n2c2, under
 * data use agreements) into a report that leaves the machine.
 *
 * Method: every restricted dataset present on disk is read as a stream of words; each window of
 * `shingleWords` consecutive words (default 12) is hashed to a 52-bit number. The same is done for every
 * text in every notebook output; a shared hash is a hit. Twelve words in a row almost never recur by
 * chance, while a printed note excerpt, a table of note text or an explanation quoting a note does match.
 * To keep memory bounded on a large corpus (MIMIC-IV: hundreds of millions of windows; a JS Set holds at
 * most 2^24), only windows whose hash is 0 modulo `modulus` are kept, and the modulus doubles whenever the
 * set passes `maxShingles`. Selection is by hash value, so the same window in an output is selected too: a
 * copied run of `shingleWords + modulus - 1` words contains a selected window. The report names the
 * notebook, cell and dataset, never the matching text.
 */

export interface GuardOptions {
  shingleWords?: number;
  maxShingles?: number;
}

export interface RestrictedIndex {
  shingleWords: number;
  modulus: number;
  /** Hash -> index into `datasets`. */
  hashes: Map<number, number>;
  datasets: string[];
  /** Per dataset: files read, and why any dataset was not scanned (absent on this machine). */
  scanned: { dataset: string; files: number; notScanned?: string }[];
}

export interface GuardFinding {
  notebook: string;
  /** 1-based, counting every cell (as the runner reports cells). */
  cell: number;
  cellId?: string;
  /** Where the text was: the cell's outputs, or its source (pasted note text is published too). */
  part: "output" | "source";
  dataset: string;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** 52-bit hash of a window of word hashes (two 32-bit lanes), stable across runs. */
function windowHash(wordHashes: Uint32Array, start: number, size: number): { hash: number; low: number } {
  let high = 0x9e3779b9;
  let low = 0x85ebca6b;
  for (let i = 0; i < size; i++) {
    const word = wordHashes[(start + i) % size];
    high = Math.imul(high ^ word, 0x01000193) >>> 0;
    low = Math.imul(low ^ Math.imul(word, 0x5bd1e995), 0x27d4eb2f) >>> 0;
    low = (low ^ (low >>> 15)) >>> 0;
  }
  return { hash: (high & 0xfffff) * 0x100000000 + low, low };
}

/** FNV-1a of one word. */
function wordHash(word: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Rolling windows over a stream of words; `reset` starts a new document (windows never span two). */
class Shingler {
  private readonly ring: Uint32Array;
  private count = 0;
  constructor(
    private readonly size: number,
    private readonly onWindow: (hash: number, low: number) => void,
  ) {
    this.ring = new Uint32Array(size);
  }
  reset(): void {
    this.count = 0;
  }
  feed(text: string): void {
    for (const match of text.toLowerCase().matchAll(WORD)) {
      this.ring[this.count % this.size] = wordHash(match[0]);
      this.count++;
      if (this.count >= this.size) {
        const { hash, low } = windowHash(this.ring, this.count % this.size, this.size);
        this.onWindow(hash, low);
      }
    }
  }
}

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

async function feedFile(file: string, shingler: Shingler): Promise<void> {
  const raw = createReadStream(file);
  const stream = file.toLowerCase().endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  const perLineDocuments = /\.(jsonl|ndjson)(\.gz)?$/i.test(file);
  shingler.reset();
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (perLineDocuments) {
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
    } else {
      shingler.feed(line);
    }
  }
}

/** Build the shingle index over every restricted dataset that exists on this machine. */
export async function buildRestrictedIndex(
  datasets: RegistryDataset[],
  options: GuardOptions = {},
): Promise<RestrictedIndex> {
  const index: RestrictedIndex = {
    shingleWords: options.shingleWords ?? 12,
    modulus: 1,
    hashes: new Map(),
    datasets: [],
    scanned: [],
  };
  const maxShingles = options.maxShingles ?? 4_000_000;
  for (const dataset of datasets.filter((entry) => entry.restricted)) {
    const present = dataset.paths.filter((path) => existsSync(path));
    if (present.length === 0) {
      const why = `not on this machine (${dataset.declaredPaths.join(", ")})`;
      index.scanned.push({ dataset: dataset.name, files: 0, notScanned: why });
      continue;
    }
    const datasetIndex = index.datasets.push(dataset.name) - 1;
    const shingler = new Shingler(index.shingleWords, (hash, low) => {
      if (low % index.modulus !== 0) return;
      if (!index.hashes.has(hash)) index.hashes.set(hash, datasetIndex);
      if (index.hashes.size > maxShingles) {
        index.modulus *= 2;
        for (const [kept, _] of index.hashes) {
          if ((kept % 0x100000000) % index.modulus !== 0) index.hashes.delete(kept);
        }
      }
    });
    const files = present.flatMap(listFiles);
    const readable = files.filter(isTextFile);
    for (const file of readable) await feedFile(file, shingler);
    const skipped = files.length - readable.length;
    index.scanned.push({
      dataset: dataset.name,
      files: readable.length,
      ...(skipped > 0 ? { notScanned: `${skipped} file(s) in a binary format were not read` } : {}),
    });
  }
  return index;
}

/** Every text an output carries: streams, every string inside rich bundles (HTML with tags removed), errors. */
export function outputTexts(output: NotebookOutput): string[] {
  const texts: string[] = [];
  if (output.text !== undefined) texts.push(joinSource(output.text));
  if (output.evalue) texts.push(output.evalue);
  if (output.traceback) texts.push(output.traceback.join("\n"));
  for (const [mime, value] of Object.entries(output.data ?? {})) {
    const strings: string[] = [];
    if (typeof value === "string" || Array.isArray(value)) strings.push(joinSource(value as string | string[]));
    if (mime.endsWith("json")) jsonStrings(value, strings);
    for (const text of strings)
      texts.push(
        mime === "text/html" || mime === "image/svg+xml"
          ? text.replace(/<[^>]*>/g, " ").replace(/&[a-z#0-9]+;/gi, " ")
          : text,
      );
  }
  return texts;
}

/** Cells of one notebook whose outputs contain restricted text (one finding per cell and dataset). */
export function scanNotebook(nb: NotebookDocument, notebook: string, index: RestrictedIndex): GuardFinding[] {
  const findings: GuardFinding[] = [];
  if (index.hashes.size === 0) return findings;
  nb.cells.forEach((cell, cellIndex) => {
    const scan = (texts: string[], part: GuardFinding["part"]) => {
      const hits = new Set<number>();
      const shingler = new Shingler(index.shingleWords, (hash, low) => {
        if (low % index.modulus !== 0) return;
        const dataset = index.hashes.get(hash);
        if (dataset !== undefined) hits.add(dataset);
      });
      for (const text of texts) {
        shingler.reset();
        shingler.feed(text);
      }
      for (const dataset of hits)
        findings.push({ notebook, cell: cellIndex + 1, cellId: cell.id, part, dataset: index.datasets[dataset] });
    };
    scan((cell.outputs ?? []).flatMap(outputTexts), "output");
    scan([joinSource(cell.source)], "source");
  });
  return findings;
}

/** Raised when the export refuses to run; the message lists notebook, cell and dataset for each finding. */
export class RestrictedOutputError extends Error {
  readonly findings: GuardFinding[];
  constructor(findings: GuardFinding[]) {
    const lines = findings.map(
      (finding) =>
        `  - ${finding.notebook}, cell ${finding.cell}${finding.cellId ? ` (id ${finding.cellId})` : ""}${finding.part === "source" ? " source" : ""}: text from restricted dataset "${finding.dataset}"`,
    );
    super(
      `Export refused: ${findings.length} notebook cell(s) contain text from datasets marked restricted ` +
        `(under a data use agreement):\n${lines.join("\n")}\nChange those cells to show counts, metrics or ids ` +
        "instead of note text, re-run the notebooks, then export again. Nothing was exported.",
    );
    this.name = "RestrictedOutputError";
    this.findings = findings;
  }
}
