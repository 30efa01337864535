import { defaults } from "../config/defaults.js";
import { ToolkitError } from "../core/errors.js";
import { isQuestionType } from "../prompts/teacher.js";
import type { NoteLookup } from "./note-lookup.js";
import { parseTeacherText } from "./parse-response.js";
import { normalizeQuestion } from "./question-key.js";
import { checkExplanationQuotes, checkSource, type NoteForMatching, prepareNote, sourceFound } from "./source-check.js";
import type {
  QuestionType,
  RejectReason,
  RejectRecord,
  SourceCheck,
  SynthRow,
  TeacherResponseRecord,
} from "./types.js";
import { validateItem } from "./validate-item.js";

/**
 * Step b as a streaming state machine: push one teacher response at a time, get accepted rows and
 * rejects through callbacks. Every response ends either as one whole-response reject or with each
 * of its items accepted or rejected, so accepted + rejected items = items, always (the stats say so).
 */

export interface PostProcessOptions {
  notes: NoteLookup;
  /** Drop items the teacher rated easier than this (1 keeps all). */
  minDifficulty?: number;
  /** Reject items whose source quote is not in the note (default false: keep, with source_check). */
  requireSourceInNote?: boolean;
  /** Accept JSON found inside code fences or prose (counted); false rejects it as wrapped_json. */
  recoverWrappedJson?: boolean;
  /** Most characters of the note between the parts of a source quote joined by "..." (default 200). */
  maxEllipsisGap?: number;
  /**
   * Duplicate questions within a note: exact text, also after folding case, punctuation and spacing
   * (numbers stay part of the question), or not at all.
   */
  dedupe?: "normalized" | "exact" | "off";
  /**
   * "contiguous" (default): responses of one note arrive together (step a writes them so), and
   * dedupe state is dropped when the note changes; a note coming back later is an error.
   * "any": keep dedupe state for every note (memory grows with the number of questions).
   */
  grouping?: "contiguous" | "any";
}

export interface PostProcessStats {
  responses: number;
  /** Responses rejected whole (bad JSON, failed request, ...). */
  responsesRejected: number;
  /** Items found in parsed responses. */
  items: number;
  accepted: number;
  rejected: number;
  byReason: Partial<Record<RejectReason, number>>;
  acceptedByType: Record<QuestionType, number>;
  /** Responses whose JSON was found in a code fence or in prose, or repaired (see parseTeacherText). */
  recovered: { fence: number; prose: number; repaired: number };
  sourceCheck: Record<SourceCheck, number>;
  difficulty: number[];
  notes: number;
}

export function emptyStats(): PostProcessStats {
  return {
    responses: 0,
    responsesRejected: 0,
    items: 0,
    accepted: 0,
    rejected: 0,
    byReason: {},
    acceptedByType: { boolean: 0, numeric: 0, na_numeric: 0, na_boolean: 0 },
    recovered: { fence: 0, prose: 0, repaired: 0 },
    sourceCheck: { exact: 0, normalized: 0, fragments: 0, not_found: 0, empty: 0 },
    difficulty: new Array(11).fill(0),
    notes: 0,
  };
}

/**
 * Adds the stats of a later part of the input to `into`. Counts of reasons keep the order in which they
 * first occur, so parts added in input order give the stats of one pass over the whole input.
 */
export function addStats(into: PostProcessStats, part: PostProcessStats): void {
  into.responses += part.responses;
  into.responsesRejected += part.responsesRejected;
  into.items += part.items;
  into.accepted += part.accepted;
  into.rejected += part.rejected;
  into.notes += part.notes;
  for (const [reason, n] of Object.entries(part.byReason) as [RejectReason, number][])
    into.byReason[reason] = (into.byReason[reason] ?? 0) + n;
  const addCounts = <K extends string>(to: Record<K, number>, from: Record<K, number>) => {
    for (const key in from) to[key] += from[key];
  };
  addCounts(into.acceptedByType, part.acceptedByType);
  addCounts(into.recovered, part.recovered);
  addCounts(into.sourceCheck, part.sourceCheck);
  part.difficulty.forEach((n, d) => {
    into.difficulty[d] += n;
  });
}

/** Thrown for input that cannot be processed as configured (names the response). */
export class PostProcessError extends ToolkitError {
  /** `field`: the option or response field at fault, where there is one. */
  constructor(message: string, field?: string) {
    super(message, { stage: "synth", field });
    this.name = "PostProcessError";
  }
}

interface NoteState {
  note: NoteForMatching;
  exact: Set<string>;
  normalized: Set<string>;
}

const LLM_FAILURES: ReadonlySet<string> = new Set([
  "truncated",
  "no_content",
  "http_error",
  "timeout",
  "cancelled",
  "replay_miss",
]);

export class PostProcessor {
  readonly stats = emptyStats();
  private readonly options: Required<Omit<PostProcessOptions, "notes">> & { notes: NoteLookup };
  private current: { noteId: string; state: NoteState | undefined } | undefined;
  private readonly closed = new Set<string>();
  private readonly allStates = new Map<string, NoteState | undefined>();

  constructor(
    options: PostProcessOptions,
    private readonly onRow: (row: SynthRow) => void,
    private readonly onReject: (reject: RejectRecord) => void,
  ) {
    this.options = {
      ...defaults.synth.postProcess,
      grouping: "contiguous",
      ...options,
    };
  }

  private reject(reason: RejectReason, fields: Omit<RejectRecord, "reason">, isItem: boolean): void {
    this.stats.byReason[reason] = (this.stats.byReason[reason] ?? 0) + 1;
    if (isItem) this.stats.rejected++;
    else this.stats.responsesRejected++;
    // Fixed key order, so every line of rejects.jsonl reads the same way.
    this.onReject({
      reason,
      detail: fields.detail,
      note_id: fields.note_id,
      request_id: fields.request_id,
      question_type: fields.question_type,
      item_index: fields.item_index,
      question: fields.question,
      raw: fields.raw,
    });
  }

  /** The notes met so far, in order ("contiguous" grouping: each once). */
  notesInOrder(): string[] {
    return this.current ? [...this.closed, this.current.noteId] : [...this.closed];
  }

  /** Reject a record that is not a TeacherResponseRecord at all (bad line in the responses file). */
  rejectBadRecord(detail: string, raw: string | null): void {
    this.stats.responses++;
    this.reject(
      "bad_record",
      { detail, note_id: null, request_id: null, question_type: null, item_index: null, question: null, raw },
      false,
    );
  }

  private noteState(noteId: string, requestId: string): NoteState | undefined {
    if (this.current?.noteId === noteId) return this.current.state;
    if (this.options.grouping === "any") {
      if (!this.allStates.has(noteId)) {
        this.allStates.set(noteId, this.loadNote(noteId));
        this.stats.notes++;
      }
      const state = this.allStates.get(noteId);
      this.current = { noteId, state };
      return state;
    }
    if (this.closed.has(noteId)) {
      throw new PostProcessError(
        `responses for note ${noteId} are not contiguous (request ${requestId} comes after other notes); ` +
          `sort the responses by note_id or use grouping: "any"`,
        "grouping",
      );
    }
    if (this.current) this.closed.add(this.current.noteId);
    const state = this.loadNote(noteId);
    this.stats.notes++;
    this.current = { noteId, state };
    return state;
  }

  private loadNote(noteId: string): NoteState | undefined {
    const text = this.options.notes.get(noteId);
    if (text === undefined) return undefined;
    return { note: prepareNote(text), exact: new Set(), normalized: new Set() };
  }

  push(input: unknown): void {
    const record = input as TeacherResponseRecord;
    if (
      record === null ||
      typeof record !== "object" ||
      typeof record.note_id !== "string" ||
      typeof record.request_id !== "string" ||
      !isQuestionType(record.question_type)
    ) {
      this.rejectBadRecord(
        "record lacks note_id, request_id or a known question_type",
        JSON.stringify(input)?.slice(0, 2000) ?? null,
      );
      return;
    }
    this.stats.responses++;
    const base = {
      note_id: record.note_id,
      request_id: record.request_id,
      question_type: record.question_type,
      item_index: null,
      question: null,
    };
    const state = this.noteState(record.note_id, record.request_id);
    const text = typeof record.text === "string" ? record.text : null;

    if (!record.ok && record.reason && (LLM_FAILURES.has(record.reason) || text === null)) {
      // The LLM layer's own verdict; "schema_mismatch"/"unparseable" with text get a lenient second look below.
      const reason = (record.reason === "unparseable" ? "unparseable" : record.reason) as RejectReason;
      this.reject(reason, { ...base, detail: record.detail ?? `request failed: ${record.reason}`, raw: text }, false);
      return;
    }
    if (record.finish_reason === "length") {
      this.reject("truncated", { ...base, detail: "finish_reason length: the answer was cut off", raw: text }, false);
      return;
    }
    if (!state) {
      this.reject(
        "unknown_note",
        { ...base, detail: `note ${record.note_id} is not in the notes file`, raw: text },
        false,
      );
      return;
    }
    const parsed = parseTeacherText(text);
    if (!parsed.ok) {
      this.reject(parsed.reason, { ...base, detail: parsed.detail, raw: text }, false);
      return;
    }
    if (parsed.recovered !== "none") {
      if (!this.options.recoverWrappedJson) {
        this.reject("wrapped_json", { ...base, detail: `JSON inside ${parsed.recovered}`, raw: text }, false);
        return;
      }
      this.stats.recovered[parsed.recovered]++;
    }
    if (parsed.repaired) this.stats.recovered.repaired++;
    const value = parsed.value as { questions?: unknown } | unknown[];
    const items = Array.isArray(value)
      ? value
      : value && typeof value === "object" && Array.isArray((value as { questions?: unknown }).questions)
        ? ((value as { questions: unknown[] }).questions as unknown[])
        : undefined;
    if (!items || items.length === 0) {
      this.reject(
        "no_questions",
        { ...base, detail: items ? "questions array is empty" : "no questions array in the JSON", raw: text },
        false,
      );
      return;
    }
    for (let index = 0; index < items.length; index++) this.pushItem(items[index], index, record, state);
  }

  private pushItem(raw: unknown, index: number, record: TeacherResponseRecord, state: NoteState): void {
    this.stats.items++;
    const itemReject = (reason: RejectReason, detail: string, question: string | null) =>
      this.reject(
        reason,
        {
          detail,
          note_id: record.note_id,
          request_id: record.request_id,
          question_type: record.question_type,
          item_index: index,
          question,
          raw: JSON.stringify(raw) ?? null,
        },
        true,
      );
    const checked = validateItem(raw);
    if (!checked.ok) return void itemReject(checked.reason, checked.detail, checked.question);
    const item = checked.item;

    const matchOptions = { maxEllipsisGap: this.options.maxEllipsisGap };
    const source = checkSource(item.source, state.note, matchOptions);
    if (
      this.options.requireSourceInNote &&
      item.type !== "na_boolean" &&
      item.type !== "na_numeric" &&
      !sourceFound(source.check)
    ) {
      return void itemReject(
        "source_not_in_note",
        `source quote ${source.check === "empty" ? "is empty" : "is not in the note"}`,
        item.question,
      );
    }
    if (this.options.dedupe !== "off") {
      if (state.exact.has(item.question))
        return void itemReject("duplicate_exact", "same question already asked about this note", item.question);
      const normalized = this.options.dedupe === "normalized" ? normalizeQuestion(item.question) : "";
      if (normalized && state.normalized.has(normalized))
        return void itemReject(
          "duplicate_normalized",
          "same question up to case, punctuation and spacing",
          item.question,
        );
      state.exact.add(item.question);
      if (normalized) state.normalized.add(normalized);
    }
    if (item.difficulty < this.options.minDifficulty) {
      return void itemReject(
        "below_min_difficulty",
        `difficulty ${item.difficulty} < ${this.options.minDifficulty}`,
        item.question,
      );
    }

    this.stats.accepted++;
    this.stats.acceptedByType[item.type]++;
    this.stats.sourceCheck[source.check]++;
    this.stats.difficulty[item.difficulty]++;
    this.onRow({
      question_id: `${record.request_id}:${index}`,
      note_id: record.note_id,
      chunk: typeof record.chunk === "number" ? record.chunk : 0,
      chunk_start: Array.isArray(record.chunk_range) ? record.chunk_range[0] : null,
      chunk_end: Array.isArray(record.chunk_range) ? record.chunk_range[1] : null,
      request_id: record.request_id,
      question_type: item.type,
      question: item.question,
      answer: item.answer,
      answer_bool: item.answerBool,
      answer_number: item.answerNumber,
      answer_unit: item.answerUnit,
      answer_raw: item.answerRaw,
      section: item.section,
      source: item.source,
      source_check: source.check,
      source_start: source.start,
      source_end: source.end,
      explanation: item.explanation,
      explanation_quote_check: checkExplanationQuotes(item.explanation, state.note, matchOptions),
      difficulty: item.difficulty,
      model: typeof record.model === "string" ? record.model : "",
      prompt_version: typeof record.prompt_version === "string" ? record.prompt_version : "",
    });
  }
}

/** Post-process an in-memory or streamed list of responses; yields rows and rejects in input order. */
export async function* postProcess(
  responses: Iterable<unknown> | AsyncIterable<unknown>,
  options: PostProcessOptions,
): AsyncGenerator<{ kind: "row"; row: SynthRow } | { kind: "reject"; reject: RejectRecord }, PostProcessStats> {
  const out: ({ kind: "row"; row: SynthRow } | { kind: "reject"; reject: RejectRecord })[] = [];
  const processor = new PostProcessor(
    options,
    (row) => out.push({ kind: "row", row }),
    (reject) => out.push({ kind: "reject", reject }),
  );
  for await (const response of responses) {
    processor.push(response);
    for (const event of out) yield event;
    out.length = 0;
  }
  return processor.stats;
}
