import { z } from "zod";
import { defaults } from "../config/defaults.js";
import type { ChatMessage, ModelRequest, ModelResult, Sampling } from "../llm/types.js";
import { ENTITY_TYPES, type EntityType, type NerNote, type NerReject, type Span, sortSpans } from "./types.js";
import { resolveOverlaps } from "./validate-spans.js";

/** What the LLM teacher returns: the entity as written in the note, its type, and optionally its context. */
export const nerAnswerSchema = z
  .object({
    entities: z
      .array(
        z
          .object({
            text: z.string().describe("the entity exactly as written in the note"),
            type: z.enum(ENTITY_TYPES),
            context: z.string().optional().describe("a short verbatim phrase around the entity, to tell repeats apart"),
          })
          .strict(),
      )
      .max(500),
  })
  .strict();
export type NerAnswer = z.output<typeof nerAnswerSchema>;
export type TeacherEntity = NerAnswer["entities"][number];

export interface NerRequestOptions {
  model: string;
  sampling?: Partial<Sampling>;
  /** Replaces the default system prompt (the note and schema instructions stay). */
  systemPrompt?: string;
}

export const DEFAULT_NER_SYSTEM_PROMPT =
  "You are a clinical annotator. Find every mention of a medication (drug names, brands, drug classes given as treatment), " +
  "a disease (diagnosed disorders and conditions) and a symptom (signs and complaints the patient has or denies) in the note. " +
  "Copy each mention exactly as it is written in the note, character for character. Do not add entities that are not in the note. " +
  "When the same words occur more than once with different meanings, give a short verbatim context phrase for each mention.";

/** Temperature and max tokens are ner.teacher's defaults (config/sections/ner.ts). */
export const DEFAULT_NER_SAMPLING: Sampling = {
  temperature: defaults.ner.teacher.temperature,
  top_p: 1,
  max_tokens: defaults.ner.teacher.maxTokens,
  seed: 0,
};

/** One structured-output request per note; the request id is the note id. */
export function buildNerRequest(
  note: Pick<NerNote, "id" | "text">,
  options: NerRequestOptions,
): ModelRequest<NerAnswer> {
  const messages: ChatMessage[] = [
    { role: "system", content: options.systemPrompt ?? DEFAULT_NER_SYSTEM_PROMPT },
    {
      role: "user",
      content: `Note:\n"""\n${note.text}\n"""\n\nReturn JSON: {"entities": [{"text": ..., "type": "medication" | "disease" | "symptom", "context": ...}]}.`,
    },
  ];
  return {
    id: note.id,
    model: options.model,
    messages,
    sampling: { ...DEFAULT_NER_SAMPLING, ...options.sampling },
    schema: nerAnswerSchema,
    schemaName: "ner_entities",
  };
}

export type AlignMode = "all" | "context";

export interface AlignOptions {
  /** "all": every occurrence of the entity text is a span; "context": only occurrences inside the given context. */
  mode?: AlignMode;
  /** Match entity text to the note ignoring case (LLMs re-case words). Default true. */
  ignoreCase?: boolean;
  /**
   * Let an entity written on one line match across a line break in the note. Default false, as in the
   * dictionary matcher: a header and the line below it are not one mention. For hard-wrapped text.
   */
  matchAcrossLineBreaks?: boolean;
}

export interface AlignStats {
  entities: number;
  /** Entities found nowhere in the note: rejected, counted. */
  hallucinated: number;
  /** Context mode: entities without a context, or whose context was not found, aligned to all occurrences. */
  contextFallback: number;
  spans: number;
  duplicates: number;
  /** Spans dropped because a longer overlapping span was kept. */
  overlapsDropped: number;
}

export interface AlignResult {
  spans: Span[];
  rejects: NerReject[];
  stats: AlignStats;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const LINE_BREAK = /[\n\r\v\f\u0085\u2028\u2029]/;
// Apostrophe and hyphen look-alikes match each other, as in dictionary matching (models straighten quotes).
const APOSTROPHES = /['`´‘’‛′ʹʼ＇]/g;
const HYPHENS = /[-‐‑‒–−﹣－]/g;

/**
 * A regex matching the phrase with any whitespace between its parts (within one line unless `acrossLines`
 * or the phrase itself has a line break), on word boundaries where it starts/ends with a word character.
 */
function phrasePattern(phrase: string, ignoreCase: boolean, boundaries: boolean, acrossLines = true) {
  const parts = phrase.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return undefined;
  const gap = acrossLines || LINE_BREAK.test(phrase.trim()) ? "\\s+" : "[^\\S\\n\\r\\v\\f\\u0085\\u2028\\u2029]+";
  const escaped = parts.map((part) =>
    escapeRegex(part).replace(APOSTROPHES, "['`´‘’‛′ʹʼ＇]").replace(HYPHENS, "[-‐‑‒–−﹣－]"),
  );
  let body = escaped.join(gap);
  if (boundaries) {
    if (/^[\p{L}\p{M}\p{N}]/u.test(parts[0])) body = `(?<![\\p{L}\\p{M}\\p{N}])${body}`;
    if (/[\p{L}\p{M}\p{N}]$/u.test(parts[parts.length - 1])) body = `${body}(?![\\p{L}\\p{M}\\p{N}])`;
  }
  return new RegExp(body, ignoreCase ? "giu" : "gu");
}

function occurrences(text: string, pattern: RegExp): [number, number][] {
  const out: [number, number][] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    out.push([match.index, match.index + match[0].length]);
    if (match[0].length === 0) pattern.lastIndex++;
  }
  return out;
}

/**
 * Turn teacher entities into character spans in the note. Entities that occur nowhere are rejected as
 * hallucinations (with the reason); repeats are resolved by `mode`; overlapping spans keep the longer one.
 * Pure: the same note and entities always give the same spans.
 */
export function alignEntities(
  noteId: string,
  text: string,
  entities: readonly TeacherEntity[],
  options: AlignOptions = {},
): AlignResult {
  const mode = options.mode ?? defaults.ner.teacher.alignment;
  const ignoreCase = options.ignoreCase ?? true;
  const rejects: NerReject[] = [];
  const stats: AlignStats = {
    entities: entities.length,
    hallucinated: 0,
    contextFallback: 0,
    spans: 0,
    duplicates: 0,
    overlapsDropped: 0,
  };
  const candidates = new Map<string, Span>();
  for (const entity of entities) {
    // Models often add a trailing full stop or quotes that are not part of the mention.
    const surface = entity.text.trim().replace(/^["'“”‘’]+|["'“”‘’.,;:]+$/g, "");
    const pattern = phrasePattern(surface, ignoreCase, true, options.matchAcrossLineBreaks ?? false);
    const found = pattern ? occurrences(text, pattern) : [];
    if (found.length === 0) {
      stats.hallucinated++;
      rejects.push({
        source: "llm",
        noteId,
        reason: surface === "" ? "empty_entity" : "not_in_note",
        detail: `${entity.type} "${surface.slice(0, 80)}" does not occur in the note`,
      });
      continue;
    }
    let chosen = found;
    if (mode === "context") {
      const contextPattern = entity.context ? phrasePattern(entity.context, ignoreCase, false) : undefined;
      const windows = contextPattern ? occurrences(text, contextPattern) : [];
      const inside = found.filter(([start, end]) => windows.some(([ws, we]) => ws <= start && end <= we));
      if (inside.length > 0) chosen = inside;
      else stats.contextFallback++;
    }
    for (const [start, end] of chosen) {
      const span: Span = { start, end, type: entity.type as EntityType, text: text.slice(start, end) };
      const key = `${start}:${end}`;
      if (candidates.has(key)) {
        stats.duplicates++;
        continue;
      }
      candidates.set(key, span);
    }
  }
  const all = [...candidates.values()];
  const spans = resolveOverlaps(all);
  stats.overlapsDropped = all.length - spans.length;
  stats.spans = spans.length;
  return { spans: sortSpans(spans), rejects, stats };
}

export interface LlmLabels {
  /** Spans per note id, for notes the teacher answered. */
  labels: Map<string, Span[]>;
  rejects: NerReject[];
  stats: AlignStats & {
    notes: number;
    answered: number;
    failed: number;
    promptTokens: number;
    completionTokens: number;
  };
}

/**
 * Consume the LLM layer's results (one per note, id = note id): failures become rejects with the layer's
 * reason code and leave the note unlabelled; answers are aligned to the note text.
 */
export function labelsFromResults(
  notes: readonly Pick<NerNote, "id" | "text">[],
  results: Iterable<ModelResult<NerAnswer>>,
  options: AlignOptions = {},
): LlmLabels {
  const byId = new Map(notes.map((note) => [note.id, note]));
  const labels = new Map<string, Span[]>();
  const rejects: NerReject[] = [];
  const stats = {
    notes: notes.length,
    answered: 0,
    failed: 0,
    promptTokens: 0,
    completionTokens: 0,
    entities: 0,
    hallucinated: 0,
    contextFallback: 0,
    spans: 0,
    duplicates: 0,
    overlapsDropped: 0,
  };
  for (const result of results) {
    const note = byId.get(result.id);
    if (!note) {
      rejects.push({
        source: "llm",
        noteId: result.id,
        reason: "unknown_note",
        detail: "a result for a note id that is not in the input",
      });
      continue;
    }
    stats.promptTokens += result.usage?.promptTokens ?? 0;
    stats.completionTokens += result.usage?.completionTokens ?? 0;
    if (!result.ok) {
      stats.failed++;
      rejects.push({ source: "llm", noteId: result.id, reason: result.reason, detail: result.detail });
      continue;
    }
    stats.answered++;
    const aligned = alignEntities(note.id, note.text, result.value.entities, options);
    labels.set(note.id, aligned.spans);
    rejects.push(...aligned.rejects);
    for (const key of [
      "entities",
      "hallucinated",
      "contextFallback",
      "spans",
      "duplicates",
      "overlapsDropped",
    ] as const) {
      stats[key] += aligned.stats[key];
    }
  }
  return { labels, rejects, stats };
}

/**
 * Recorded answers in the replay format of lib/llm ({key, text, finishReason, usage}) for requests whose
 * answers are known by note id: how the project-written SAMPLE teacher answers are fed through the real
 * replay backend. `keyOf` is the LLM layer's request key function (llm.requestKey).
 */
export function replayRecordsFor(
  requests: readonly ModelRequest[],
  answersByNoteId: ReadonlyMap<string, unknown>,
  keyOf: (request: ModelRequest) => string,
): {
  key: string;
  id: string;
  text: string;
  finishReason: string;
  usage?: { promptTokens: number; completionTokens: number };
}[] {
  const out = [];
  for (const request of requests) {
    if (!answersByNoteId.has(request.id)) continue;
    const text = JSON.stringify(answersByNoteId.get(request.id));
    // A rough token count (4 characters per token) so cost tables have usage; real runs carry the server's counts.
    const promptChars = request.messages.reduce((sum, message) => sum + message.content.length, 0);
    out.push({
      key: keyOf(request),
      id: request.id,
      text,
      finishReason: "stop",
      usage: { promptTokens: Math.ceil(promptChars / 4), completionTokens: Math.ceil(text.length / 4) },
    });
  }
  return out;
}
