import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { defaults } from "../config/defaults.js";
import { JsonlWriter } from "../core/jsonl.js";
import { readLineBatches } from "../core/lines.js";
import { readNotes } from "../data/notes.js";
import { writeBatchFile } from "../llm/batch-files.js";
import { type RunOptions, runRequests } from "../llm/run-requests.js";
import type { RunSummary } from "../llm/run-summary.js";
import type { FailureReason, ModelRequest, ModelResult, Sampling } from "../llm/types.js";
import {
  DEFAULT_QUESTION_COUNTS,
  QUESTION_TYPES,
  type QuestionCounts,
  type QuestionType,
  TEACHER_PROMPT_VERSION,
  type TeacherWording,
  teacherMessages,
  teacherResponseSchema,
  teacherSchemaName,
} from "../prompts/teacher.js";
import { type ContextBudget, planNote } from "./context-budget.js";
import type { RejectRecord, TeacherResponseRecord } from "./types.js";

/**
 * Step a: notes -> teacher requests (one per note, part and question type) -> answers, through the
 * LLM layer (cache, retries, resume) or as a batch file for an offline `vllm run-batch` job.
 * Responses are written in request order, so one note's responses stay together for step b.
 */

export interface TeacherSettings {
  model: string;
  temperature: number;
  top_p: number;
  max_tokens: number;
  seed?: number;
  /**
   * Rounds of asking again, with another seed, for answers that came back unusable (cut off, not
   * JSON, not matching the schema, empty). A usable new answer replaces the old one; otherwise the old
   * one stays (step b still looks at it item by item).
   */
  reask?: number;
}

/** The method's teacher defaults, synth.teacher's (Llama-3.1-70B-Instruct, temperature 0.7, top-p 0.95, 4,096 tokens). */
export const DEFAULT_TEACHER: TeacherSettings = {
  model: defaults.synth.teacher.model,
  temperature: defaults.synth.teacher.temperature,
  top_p: defaults.synth.teacher.top_p,
  max_tokens: defaults.synth.teacher.max_tokens,
  reask: defaults.synth.teacher.reask,
};

export interface TeacherRequestOptions {
  teacher?: Partial<TeacherSettings>;
  counts?: Partial<QuestionCounts>;
  wording?: TeacherWording;
  /** Send each type's zod schema as the structured-output schema (default true). */
  structuredOutput?: boolean;
  /** The teacher's context (vLLM --max-model-len) and the chars-per-token estimate for notes. */
  contextTokens?: number;
  charsPerToken?: number;
  /** Notes over the context: split into parts (default) or skip; counted either way. */
  overflow?: "split" | "skip";
  /** Skip this many notes first (the original's start_row), and stop after `limit` notes. */
  startRow?: number;
  limit?: number;
}

export interface TeacherRequestMeta {
  note_id: string;
  chunk: number;
  chunk_range: [number, number] | null;
  question_type: QuestionType;
}

export type TeacherRequest = ModelRequest & { meta: TeacherRequestMeta };

export interface NoteSkip {
  reason: "empty_note" | "note_over_context" | "bad_record";
  note_id: string | null;
  detail: string;
}

export function teacherRequestId(noteId: string, chunk: number, type: QuestionType): string {
  return chunk === 0 ? `${noteId}:${type}` : `${noteId}#${chunk}:${type}`;
}

function resolvedTeacher(options: TeacherRequestOptions): TeacherSettings {
  return { ...DEFAULT_TEACHER, ...options.teacher };
}

export function teacherSampling(teacher: TeacherSettings): Sampling {
  const sampling: Sampling = { temperature: teacher.temperature, top_p: teacher.top_p, max_tokens: teacher.max_tokens };
  if (teacher.seed !== undefined) sampling.seed = teacher.seed;
  return sampling;
}

// Schemas are built once per (type, count): the LLM layer caches their JSON form by object identity.
const schemaCache = new Map<string, ReturnType<typeof teacherResponseSchema>>();
function schemaFor(type: QuestionType, count: number) {
  const id = `${type}:${count}`;
  let schema = schemaCache.get(id);
  if (!schema) {
    schema = teacherResponseSchema(type, count);
    schemaCache.set(id, schema);
  }
  return schema;
}

/** Requests for one note (all parts, all types with a count above zero), or why it is skipped. */
export function teacherRequestsForNote(
  note: { note_id: string; text: string },
  options: TeacherRequestOptions = {},
): { requests: TeacherRequest[]; skip?: NoteSkip; parts: number } {
  const teacher = resolvedTeacher(options);
  const counts = { ...DEFAULT_QUESTION_COUNTS, ...options.counts };
  const types = QUESTION_TYPES.filter((type) => counts[type] > 0);
  const charsPerToken = options.charsPerToken ?? defaults.synth.context.charsPerToken;
  // The longest prompt around the note, in tokens, plus room for the chat template.
  const overhead = Math.max(
    ...types.map((type) =>
      teacherMessages("", type, counts[type], options.wording).reduce((sum, m) => sum + m.content.length, 0),
    ),
  );
  const budget: ContextBudget = {
    contextTokens: options.contextTokens ?? defaults.synth.context.contextTokens,
    maxOutputTokens: teacher.max_tokens,
    promptOverheadTokens: Math.ceil(overhead / charsPerToken) + 64,
    charsPerToken,
  };
  const plan = planNote(note.text, budget, options.overflow ?? defaults.synth.context.overflow);
  if (plan.kind === "skip")
    return { requests: [], skip: { reason: plan.reason, note_id: note.note_id, detail: plan.detail }, parts: 0 };
  const parts: { chunk: number; range: [number, number] | null; text: string }[] =
    plan.kind === "whole"
      ? [{ chunk: 0, range: null, text: note.text }]
      : plan.ranges.map((range, i) => ({ chunk: i + 1, range, text: note.text.slice(range[0], range[1]) }));
  const sampling = teacherSampling(teacher);
  const requests: TeacherRequest[] = [];
  for (const part of parts) {
    for (const type of types) {
      const request: TeacherRequest = {
        id: teacherRequestId(note.note_id, part.chunk, type),
        model: teacher.model,
        messages: teacherMessages(part.text, type, counts[type], options.wording),
        sampling,
        meta: { note_id: note.note_id, chunk: part.chunk, chunk_range: part.range, question_type: type },
      };
      if (options.structuredOutput ?? defaults.synth.teacher.structuredOutput) {
        request.schema = schemaFor(type, counts[type]);
        request.schemaName = teacherSchemaName(type);
      }
      requests.push(request);
    }
  }
  return { requests, parts: parts.length };
}

export interface RequestPlanStats {
  notesRead: number;
  notesUsed: number;
  notesSplit: number;
  parts: number;
  requests: number;
  skipped: Partial<Record<NoteSkip["reason"], number>>;
}

/** Teacher requests for every note of a notes JSONL, streamed; skipped notes go to `onSkip`. */
export async function* teacherRequests(
  notesFile: string,
  options: TeacherRequestOptions,
  onSkip: (skip: NoteSkip) => void,
  stats: RequestPlanStats = emptyPlanStats(),
): AsyncGenerator<TeacherRequest> {
  const startRow = options.startRow ?? defaults.synth.startRow;
  const skip = (item: NoteSkip) => {
    stats.skipped[item.reason] = (stats.skipped[item.reason] ?? 0) + 1;
    onSkip(item);
  };
  let row = -1;
  const notes = readNotes(notesFile, {
    onReject: (reject) => {
      // Empty notes are counted like any other row; other bad lines are reported by file and line.
      row++;
      if (row < startRow || (options.limit !== undefined && stats.notesRead >= options.limit)) return;
      stats.notesRead++;
      skip({
        reason: reject.reason === "empty-text" ? "empty_note" : "bad_record",
        note_id: null,
        detail: `${reject.file}${reject.line ? ` line ${reject.line}` : ""}: ${reject.message}`,
      });
    },
  });
  for await (const note of notes) {
    row++;
    if (row < startRow) continue;
    if (options.limit !== undefined && stats.notesRead >= options.limit) break;
    stats.notesRead++;
    const planned = teacherRequestsForNote(note, options);
    if (planned.skip) {
      skip(planned.skip);
      continue;
    }
    stats.notesUsed++;
    if (planned.parts > 1) stats.notesSplit++;
    stats.parts += planned.parts;
    for (const request of planned.requests) {
      stats.requests++;
      yield request;
    }
  }
}

export function emptyPlanStats(): RequestPlanStats {
  return { notesRead: 0, notesUsed: 0, notesSplit: 0, parts: 0, requests: 0, skipped: {} };
}

/** A teacher-responses.jsonl record from a model result and its request's meta. */
export function teacherResponseRecord(
  result: ModelResult,
  meta: TeacherRequestMeta,
  model: string,
): TeacherResponseRecord {
  const record: TeacherResponseRecord = {
    request_id: result.id,
    note_id: meta.note_id,
    chunk: meta.chunk,
    chunk_range: meta.chunk_range,
    question_type: meta.question_type,
    model,
    prompt_version: TEACHER_PROMPT_VERSION,
    key: result.key,
    ok: result.ok,
    text: result.text ?? null,
  };
  if (!result.ok) {
    record.reason = result.reason as FailureReason;
    record.detail = result.detail;
  }
  if (result.finishReason !== undefined) record.finish_reason = result.finishReason;
  if (result.usage) record.usage = result.usage;
  return record;
}

export interface GenerateOptions extends TeacherRequestOptions {
  notesFile: string;
  /** teacher-responses.jsonl (written through .partial, renamed at the end). */
  outFile: string;
  /** Skipped notes (empty, over the context, bad lines) as reject records. */
  rejectsFile: string;
  /** LLM run options: backend, cache, concurrency, ... (from llm.llmFromConfig(...).options). */
  run: RunOptions;
}

export interface GenerateSummary {
  plan: RequestPlanStats;
  responses: number;
  /** Final state of the written responses (after re-asking). */
  ok: number;
  failed: Partial<Record<FailureReason, number>>;
  cached: number;
  /** The first pass over all requests. */
  run: RunSummary;
  /** Re-asking unusable answers: requests asked per round, and how many got a usable answer. */
  reask: { rounds: number; asked: number[]; recovered: number };
}

/** Answers the teacher gave that cannot be used as they are; another sample may well be fine. */
const UNUSABLE: ReadonlySet<FailureReason> = new Set(["truncated", "no_content", "unparseable", "schema_mismatch"]);

/**
 * Run the teacher over the notes. Answers already in the cache are not asked again, so re-running
 * after a crash or a stop resumes; `startRow` starts later in the notes file.
 */
export async function generateTeacherResponses(options: GenerateOptions): Promise<GenerateSummary> {
  mkdirSync(dirname(options.outFile), { recursive: true });
  const plan = emptyPlanStats();
  const rejects = new JsonlWriter(options.rejectsFile);
  const out = new JsonlWriter(options.outFile);
  const model = resolvedTeacher(options).model;
  // Results arrive in completion order; write them in request order (held back at most a window's worth).
  const order: (TeacherRequestMeta | undefined)[] = [];
  const orderIds: string[] = [];
  let head = 0;
  const finished = new Map<string, ModelResult>();
  const summary: Omit<GenerateSummary, "run" | "plan" | "reask"> = { responses: 0, ok: 0, failed: {}, cached: 0 };
  const unusable = new Set<string>();
  const source = (async function* () {
    for await (const request of teacherRequests(
      options.notesFile,
      options,
      (skip) => rejects.write(skipToReject(skip)),
      plan,
    )) {
      order.push(request.meta);
      orderIds.push(request.id);
      const { meta: _meta, ...plain } = request;
      yield plain as ModelRequest;
    }
  })();
  const run = runRequests(source, options.run);
  let failed = true;
  try {
    for await (const result of run) {
      finished.set(result.id, result);
      while (head < orderIds.length && finished.has(orderIds[head])) {
        const done = finished.get(orderIds[head])!;
        finished.delete(orderIds[head]);
        out.write(teacherResponseRecord(done, order[head]!, model));
        summary.responses++;
        if (done.ok) summary.ok++;
        else {
          summary.failed[done.reason] = (summary.failed[done.reason] ?? 0) + 1;
          if (UNUSABLE.has(done.reason)) unusable.add(done.id);
        }
        if (done.cached) summary.cached++;
        // Drop what is written so memory stays bounded.
        orderIds[head] = "";
        order[head] = undefined;
        head++;
      }
    }
    failed = false;
  } finally {
    // A run that ended with an error leaves teacher-responses.jsonl.partial, never a complete-looking file;
    // the answers themselves are in the cache, so running again resumes.
    if (failed) {
      out.abort();
      rejects.abort();
    } else {
      out.close();
      rejects.close();
    }
  }
  const firstRun = run.summary();
  const reask = await reaskUnusable(options, unusable, model, summary);
  const result = { plan, ...summary, run: firstRun, reask };
  writeFileSync(`${options.outFile.replace(/\.jsonl$/, "")}.summary.json`, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/**
 * Ask again, round by round with seed + round, for the requests whose answer was unusable; then
 * rewrite the responses file with the usable new answers in place of the old (same order; the record
 * says `attempt`). Each round goes through the cache like any request, so a re-run resumes here too.
 */
async function reaskUnusable(
  options: GenerateOptions,
  unusable: Set<string>,
  model: string,
  summary: Omit<GenerateSummary, "run" | "plan" | "reask">,
): Promise<GenerateSummary["reask"]> {
  const teacher = resolvedTeacher(options);
  const rounds = teacher.reask ?? 0;
  const report: GenerateSummary["reask"] = { rounds, asked: [], recovered: 0 };
  const replaced = new Map<string, TeacherResponseRecord>();
  for (let round = 1; round <= rounds && unusable.size > 0; round++) {
    report.asked.push(unusable.size);
    const metas = new Map<string, TeacherRequestMeta>();
    const seed = (teacher.seed ?? 0) + round;
    const requests = (async function* () {
      for await (const request of teacherRequests(options.notesFile, options, () => {})) {
        if (!unusable.has(request.id)) continue;
        metas.set(request.id, request.meta);
        const { meta: _meta, ...plain } = request;
        yield { ...plain, sampling: { ...plain.sampling, seed } } as ModelRequest;
      }
    })();
    for await (const result of runRequests(requests, { ...options.run, total: unusable.size })) {
      if (!result.ok) continue;
      unusable.delete(result.id);
      replaced.set(result.id, { ...teacherResponseRecord(result, metas.get(result.id)!, model), attempt: round + 1 });
    }
  }
  if (replaced.size === 0) return report;
  const out = new JsonlWriter(`${options.outFile}.reasked`);
  for await (const batch of readLineBatches(options.outFile))
    for (const line of batch) {
      const old = JSON.parse(line.text) as TeacherResponseRecord;
      const fresh = replaced.get(old.request_id);
      if (!fresh) {
        out.writeLine(line.text);
        continue;
      }
      out.write(fresh);
      report.recovered++;
      summary.ok++;
      if (!old.ok && old.reason) {
        const left = (summary.failed[old.reason] ?? 1) - 1;
        if (left > 0) summary.failed[old.reason] = left;
        else delete summary.failed[old.reason];
      }
    }
  out.close();
  renameSync(`${options.outFile}.reasked`, options.outFile);
  return report;
}

function skipToReject(skip: NoteSkip): RejectRecord {
  return {
    reason: skip.reason,
    detail: skip.detail,
    note_id: skip.note_id,
    request_id: null,
    question_type: null,
    item_index: null,
    question: null,
    raw: null,
  };
}

/** Write the teacher requests as an OpenAI batch file for `vllm run-batch` (no model call here). */
export async function writeTeacherBatch(
  options: TeacherRequestOptions & { notesFile: string; batchFile: string; rejectsFile: string },
): Promise<{ written: number; plan: RequestPlanStats }> {
  const plan = emptyPlanStats();
  const rejects = new JsonlWriter(options.rejectsFile);
  try {
    const { written } = await writeBatchFile(
      teacherRequests(options.notesFile, options, (skip) => rejects.write(skipToReject(skip)), plan),
      options.batchFile,
    );
    return { written, plan };
  } finally {
    rejects.close();
  }
}

/**
 * Read a `vllm run-batch` output file back into teacher-responses.jsonl (the same records as a live
 * run; answers are also put in the cache when one is given). Requests without an output line are
 * counted as missing: write them to a new batch with `llm.missingFromBatch`.
 */
export async function readTeacherBatch(
  options: TeacherRequestOptions & {
    notesFile: string;
    batchOutputFile: string;
    outFile: string;
    rejectsFile: string;
    cache?: import("../llm/response-cache.js").ResponseCache;
  },
): Promise<{ responses: number; missing: number; badLines: number[] }> {
  const { readBatchOutput } = await import("../llm/batch-files.js");
  const metas = new Map<string, TeacherRequestMeta>();
  const rejects = new JsonlWriter(options.rejectsFile);
  const out = new JsonlWriter(options.outFile);
  const model = resolvedTeacher(options).model;
  const report = { badLines: [] as number[], missing: 0 };
  const requests = (async function* () {
    for await (const request of teacherRequests(options.notesFile, options, (skip) =>
      rejects.write(skipToReject(skip)),
    )) {
      metas.set(request.id, request.meta);
      yield request as ModelRequest;
    }
  })();
  let responses = 0;
  try {
    for await (const result of readBatchOutput(options.batchOutputFile, requests, { cache: options.cache, report })) {
      const meta = metas.get(result.id)!;
      metas.clear(); // results come in request order: nothing before this one is needed again
      out.write(teacherResponseRecord(result, meta, model));
      responses++;
    }
  } finally {
    out.close();
    rejects.close();
  }
  return { responses, missing: report.missing, badLines: report.badLines };
}
