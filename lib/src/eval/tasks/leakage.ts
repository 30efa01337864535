import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ToolkitError } from "../../core/errors.js";
import { numberedLines } from "../../core/lines.js";
import { noteTextHash } from "../../data/note-hash.js";
import { readNotes } from "../../data/notes.js";
import type { EvalItem } from "./types.js";

/**
 * Leakage guard: an evaluated question about a note the student was trained on measures memory,
 * not extraction. A note counts as trained on when its id is in step c's training split, or when
 * its normalised text (data/note-hash) equals a training note's text under another id.
 */

/** How an evaluated note overlaps the training split. */
export interface LeakageOverlap {
  noteId: string;
  /** "id": the same note id is in training; "text": another id with the same normalised text is. */
  via: "id" | "text";
  trainingNoteId: string;
  /** Evaluated items about this note. */
  items: number;
}

/** What the guard found; recorded with the loaded task and the scores. */
export interface LeakageReport {
  /** False when no training split was found (nothing to compare with): `unchecked` says why. */
  checked: boolean;
  unchecked?: string;
  /** The training split files read. */
  trainingSplits: string[];
  trainingNotes: number;
  /** Training note ids not in the notes file: their text could not be compared (ids still are). */
  trainingNotesWithoutText: number;
  evaluatedNotes: number;
  overlappingNotes: number;
  overlappingItems: number;
  overlaps: LeakageOverlap[];
  /** True when overlaps were found and eval.trainingOverlap.allow let the evaluation run. */
  overridden: boolean;
  reason?: string;
}

export interface TrainingNotes {
  files: string[];
  ids: Set<string>;
  /** noteTextHash -> a training note id with that text. */
  byHash: Map<string, string>;
  withoutText: number;
}

export class LeakageError extends ToolkitError {
  readonly report: LeakageReport;
  constructor(what: string, report: LeakageReport) {
    const shown = report.overlaps
      .slice(0, 10)
      .map((o) => (o.via === "id" ? o.noteId : `${o.noteId} (same text as training note ${o.trainingNoteId})`));
    const more = report.overlappingNotes > shown.length ? `, and ${report.overlappingNotes - shown.length} more` : "";
    super(
      `${what}: ${report.overlappingNotes} of ${report.evaluatedNotes} evaluated notes ` +
        `(${report.overlappingItems} items) are in the training split (${report.trainingSplits.join(", ")}): ` +
        `${shown.join(", ")}${more}. Evaluate notes outside training, or set ` +
        `eval.trainingOverlap: { allow: true, reason: "..." } to evaluate anyway (recorded with the scores).`,
      { stage: "eval", field: "eval.trainingOverlap" },
    );
    this.name = "LeakageError";
    this.report = report;
  }
}

/**
 * Note ids of the training split in one step-c dataset folder: the parquet shards (note_id column
 * only) or, without them, train.jsonl. Undefined when the folder has neither.
 */
export async function readTrainingNoteIds(
  datasetDir: string,
): Promise<{ files: string[]; ids: Set<string> } | undefined> {
  const dataDir = join(datasetDir, "data");
  const shards = existsSync(dataDir)
    ? readdirSync(dataDir)
        .filter((name) => /^train-\d+-of-\d+\.parquet$/.test(name))
        .sort()
        .map((name) => join(dataDir, name))
    : [];
  const ids = new Set<string>();
  if (shards.length > 0) {
    // Loaded lazily: the native binary is only needed for parquet input.
    const pl = await import("nodejs-polars");
    for (const shard of shards) {
      const column = pl.readParquet(shard, { columns: ["note_id"] }).getColumn("note_id");
      for (const id of column.unique().toArray()) ids.add(String(id));
    }
    return { files: shards, ids };
  }
  const jsonl = join(datasetDir, "train.jsonl");
  if (!existsSync(jsonl)) return undefined;
  for await (const [lineNo, line] of numberedLines(jsonl)) {
    let noteId: unknown;
    try {
      noteId = (JSON.parse(line) as { note_id?: unknown }).note_id;
    } catch (error) {
      throw new ToolkitError(
        `${jsonl}: line ${lineNo}: not JSON (${(error as Error).message})`,
        { stage: "eval", file: jsonl, line: lineNo },
        { cause: error },
      );
    }
    if (typeof noteId !== "string" || noteId === "")
      throw new ToolkitError(`${jsonl}: line ${lineNo}: no note_id`, {
        stage: "eval",
        file: jsonl,
        line: lineNo,
        field: "note_id",
      });
    ids.add(noteId);
  }
  return { files: [jsonl], ids };
}

/**
 * The training notes of every given step-c folder (ids, and hashes of their text from the notes
 * file). Undefined when none of the folders holds a training split.
 */
export async function loadTrainingNotes(
  datasetDirs: readonly string[],
  notesFile: string,
): Promise<TrainingNotes | undefined> {
  const files: string[] = [];
  const ids = new Set<string>();
  for (const dir of datasetDirs) {
    const split = await readTrainingNoteIds(dir);
    if (!split) continue;
    files.push(...split.files);
    for (const id of split.ids) ids.add(id);
  }
  if (files.length === 0) return undefined;
  const byHash = new Map<string, string>();
  let found = 0;
  // Duplicate-text warnings are the notes reader's job elsewhere; here the duplicates are what we look for.
  for await (const note of readNotes(notesFile, { onWarning: () => {} })) {
    if (!ids.has(note.note_id)) continue;
    found++;
    const hash = noteTextHash(note.text);
    if (!byHash.has(hash)) byHash.set(hash, note.note_id);
  }
  return { files, ids, byHash, withoutText: ids.size - found };
}

/** Evaluated notes that are training notes, by id first, then by text; in first-item order. */
export function findOverlaps(
  items: readonly EvalItem[],
  noteText: (noteId: string) => string | undefined,
  training: Pick<TrainingNotes, "ids" | "byHash">,
): { evaluatedNotes: number; overlaps: LeakageOverlap[] } {
  const itemsPerNote = new Map<string, number>();
  for (const item of items) itemsPerNote.set(item.noteId, (itemsPerNote.get(item.noteId) ?? 0) + 1);
  const overlaps: LeakageOverlap[] = [];
  for (const [noteId, count] of itemsPerNote) {
    if (training.ids.has(noteId)) {
      overlaps.push({ noteId, via: "id", trainingNoteId: noteId, items: count });
      continue;
    }
    const text = noteText(noteId);
    const twin = text === undefined ? undefined : training.byHash.get(noteTextHash(text));
    if (twin !== undefined) overlaps.push({ noteId, via: "text", trainingNoteId: twin, items: count });
  }
  return { evaluatedNotes: itemsPerNote.size, overlaps };
}

export interface GuardOptions {
  /** Names the evaluated set in the error (e.g. the held-out file). */
  what: string;
  override: { allow: boolean; reason?: string };
}

/**
 * The leakage report for these items, or a LeakageError when some of their notes are training notes
 * and the override is not set. Without a training split the report says it was not checked.
 */
export function guardLeakage(
  items: readonly EvalItem[],
  noteText: (noteId: string) => string | undefined,
  training: TrainingNotes | undefined,
  options: GuardOptions & { lookedIn: readonly string[] },
): LeakageReport {
  const evaluatedNotes = new Set(items.map((item) => item.noteId)).size;
  if (!training) {
    return {
      checked: false,
      unchecked: `no training split found in ${options.lookedIn.join(", ")} (run step c first to check)`,
      trainingSplits: [],
      trainingNotes: 0,
      trainingNotesWithoutText: 0,
      evaluatedNotes,
      overlappingNotes: 0,
      overlappingItems: 0,
      overlaps: [],
      overridden: false,
    };
  }
  const { overlaps } = findOverlaps(items, noteText, training);
  const report: LeakageReport = {
    checked: true,
    trainingSplits: training.files,
    trainingNotes: training.ids.size,
    trainingNotesWithoutText: training.withoutText,
    evaluatedNotes,
    overlappingNotes: overlaps.length,
    overlappingItems: overlaps.reduce((sum, o) => sum + o.items, 0),
    overlaps,
    overridden: overlaps.length > 0 && options.override.allow,
    ...(overlaps.length > 0 && options.override.allow ? { reason: options.override.reason } : {}),
  };
  if (overlaps.length > 0 && !options.override.allow) throw new LeakageError(options.what, report);
  return report;
}

/** One line for notebooks and the CLI: what was compared and what was found (or why nothing was). */
export function formatLeakage(report: LeakageReport): string {
  if (!report.checked) return `leakage guard: not checked: ${report.unchecked}`;
  const found =
    `${report.overlappingNotes} of ${report.evaluatedNotes} evaluated notes in the training split ` +
    `(${report.trainingNotes} training notes, by id and by normalised text)`;
  const missing =
    report.trainingNotesWithoutText > 0
      ? `; ${report.trainingNotesWithoutText} training notes not in the notes file were compared by id only`
      : "";
  const override = report.overridden ? `; OVERRIDDEN (${report.overlappingItems} items kept): ${report.reason}` : "";
  return `leakage guard: ${found}${missing}${override}`;
}
