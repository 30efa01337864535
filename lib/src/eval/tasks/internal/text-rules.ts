/**
 * Text helpers behind the rule-based baseline: n2c2 records and their dates, word-bounded pattern
 * compilation, and a note context (clause boundaries and sections, computed once per text) that says
 * whether a mention is negated, in an allergy list, about another person, or past only. Deliberately
 * simple and transparent: the baseline is a comparator, and every answer it gives names one rule.
 */

// A line of `*` alone (n2c2 uses 100; other exports use other widths, 20 or more is a separator).
const RECORD_SEPARATOR = /^[ \t]*\*{20,}[ \t]*\r?$/m;
const RECORD_DATE = /Record date:\s*(\d{4}-\d{2}-\d{2})/;

export interface DatedRecord {
  date?: Date;
  text: string;
}

/** n2c2 TEXT: records separated by a line of `*`, each starting with `Record date: YYYY-MM-DD`. */
export function splitRecords(text: string): DatedRecord[] {
  return text
    .split(RECORD_SEPARATOR)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const match = RECORD_DATE.exec(part);
      const date = match ? new Date(`${match[1]}T00:00:00Z`) : undefined;
      return { date: date && !Number.isNaN(date.getTime()) ? date : undefined, text: part };
    });
}

/**
 * The text of the records dated within `days` before the most recent record date (the n2c2
 * guideline's reference point). Undated records are kept: dropping them would hide evidence.
 */
export function textWithinDays(text: string, days: number): string {
  const records = splitRecords(text);
  const dates = records.map((record) => record.date?.getTime()).filter((time): time is number => time !== undefined);
  if (dates.length === 0) return text;
  const latest = Math.max(...dates);
  const earliest = latest - days * 86_400_000;
  return records
    .filter((record) => record.date === undefined || record.date.getTime() >= earliest)
    .map((record) => record.text)
    .join("\n");
}

/** Round to at most `digits` decimals and print without trailing zeros. */
export function formatNumber(value: number, digits = 2): string {
  return String(Number(value.toFixed(digits)));
}

/**
 * One global regex for alternatives that only match whole words: no letter or digit on either side,
 * and not right after a negating or "pre" prefix (`nonalcoholic`, `non-alcoholic`, `pre-diabetes`,
 * `anti-anginal` never count as the plain word).
 */
export function wordPattern(alternatives: readonly string[], caseSensitive = false): RegExp {
  const guard = String.raw`(?<![\p{L}\p{N}])(?<!\bnon[- ])(?<!\b(?:anti|pre)-)`;
  return new RegExp(`${guard}(?:${alternatives.join("|")})(?![\\p{L}\\p{N}])`, caseSensitive ? "gu" : "giu");
}

// ---------------------------------------------------------------------------------------------
// Sections: headers found once per note. Allergy and family-history sections change what a
// mention means; any other known header ends them.

export type SectionKind = "allergy" | "family" | "other";

const SECTION_NAMES: Record<SectionKind, string> = {
  allergy: String.raw`(?:drug |medication |known )?allerg(?:y|ies)(?:\s*(?:\/|and|&)\s*(?:adverse (?:drug )?reactions?|intolerances?|sensitivities))?|adverse (?:drug )?reactions?|intolerances?|ADRs?`,
  family: `family (?:history|hx|medical history)|fh|fhx|fmhx`,
  other: String.raw`(?:current |home |discharge |admission )?medications?(?: on admission| at discharge)?|meds|(?:past )?(?:medical|surgical|social|psychiatric|obstetric) (?:history|hx)|past history|pmhx?|pshx?|shx?|social|habits|lifestyle|hpi|history(?: of present illness)?|ros|review of systems|(?:physical )?exam(?:ination)?|pe|vitals?|vital signs|labs?|laborator(?:y|ies)(?: data| results)?|results|investigations|studies|imaging|assessment(?: and plan)?|plan|a\/p|impression|diagnos[ie]s|problems?|problem list|chief complaint|cc|procedures?|hospital course|disposition|follow[- ]?up|(?:patient )?instructions|immunizations|vaccinations`,
};
const KNOWN_NAME = `(${Object.values(SECTION_NAMES).join("|")})`;
// A header line in capitals ("FAMILY HISTORY", "ALLERGIES:"), a known name at a line start
// ("Allergies: ...", "• Family history"), or a known name inline after a sentence ("... NKDA. Meds: ").
const CAPS_HEADER = /^[ \t]*([A-Z][A-Z &/,()'-]{2,60}?)[ \t]*:?[ \t]*\r?$/gm;
const LINE_HEADER = new RegExp(String.raw`^[ \t]*(?:[•*·–-][ \t]*)?${KNOWN_NAME}[ \t]*(:|\r?$)`, "gim");
const INLINE_HEADER = new RegExp(String.raw`(?:[.;][ \t]+|[ \t]{2,})${KNOWN_NAME}[ \t]*:`, "gi");
const KIND_TESTS = (Object.entries(SECTION_NAMES) as [SectionKind, string][]).map(
  ([kind, source]) => [kind, new RegExp(`^(?:${source})$`, "i")] as const,
);

function sectionKind(name: string): SectionKind | undefined {
  const clean = name.trim().replace(/\s+/g, " ").replace(/:$/, "");
  for (const [kind, test] of KIND_TESTS) if (test.test(clean)) return kind;
  // A capitalised header naming allergies or family history in other words ("ALLERGIES AND INTOLERANCES").
  if (/allerg|adverse reaction/i.test(clean)) return "allergy";
  if (/family/i.test(clean)) return "family";
  return undefined;
}

interface Section {
  start: number;
  end: number;
  kind: SectionKind;
}

interface Header {
  start: number;
  kind: SectionKind;
  /** Where a header with content on its own line ("Allergies: aspirin (rash).") stops: that sentence. */
  inlineEnd?: number;
}

function findSections(text: string): Section[] {
  const headers = new Map<number, Header>();
  const add = (start: number, kind: SectionKind, contentStart: number | undefined) => {
    if (headers.has(start)) return;
    let inlineEnd: number | undefined;
    if (contentStart !== undefined) {
      const rest = /\.(?=\s|$)|\n/g;
      rest.lastIndex = contentStart;
      const stop = rest.exec(text);
      // Only when something follows the colon on the same line.
      const lineEnd = text.indexOf("\n", contentStart);
      const sameLine = text.slice(contentStart, lineEnd < 0 ? text.length : lineEnd).trim();
      if (sameLine.length > 0) inlineEnd = stop ? stop.index : text.length;
    }
    headers.set(start, { start, kind, inlineEnd });
  };
  for (const match of text.matchAll(CAPS_HEADER)) {
    const kind = sectionKind(match[1]) ?? "other";
    add(match.index ?? 0, kind, undefined);
  }
  for (const match of text.matchAll(LINE_HEADER)) {
    const kind = sectionKind(match[1]);
    if (kind) add(match.index ?? 0, kind, match[2] === ":" ? (match.index ?? 0) + match[0].length : undefined);
  }
  for (const match of text.matchAll(INLINE_HEADER)) {
    const kind = sectionKind(match[1]);
    const start = (match.index ?? 0) + match[0].indexOf(match[1]);
    if (kind) add(start, kind, (match.index ?? 0) + match[0].length);
  }
  const sorted = [...headers.values()].sort((a, b) => a.start - b.start);
  const sections: Section[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const next = i + 1 < sorted.length ? sorted[i + 1].start : text.length;
    const end = Math.min(next, sorted[i].inlineEnd ?? next);
    if (sorted[i].kind !== "other") sections.push({ start: sorted[i].start, end, kind: sorted[i].kind });
  }
  return sections;
}

// ---------------------------------------------------------------------------------------------
// Clause boundaries: where a negation, family or "past" cue stops applying. Sentence ends, `;`,
// blank lines, a line break before anything but a lower-case continuation, field labels
// ("Respiratory: ..."), and words that switch the clause ("but", "however", "she", "reports", ...).

// Case matters here: a line break before a capital starts a new item, a lower-case word continues.
const BOUNDARY_MARKS = new RegExp(
  [
    String.raw`[.!?](?=\s|$)`,
    ";",
    String.raw`\n(?![ \t]*[a-z])`,
    String.raw`(?<=\s)[A-Z][A-Za-z]*(?: [A-Za-z]+){0,3}:(?!\d)`,
    // The writer speaking ("..., I suspect ...") starts a new clause.
    String.raw`\bI (?=[a-z])`,
  ].join("|"),
  "g",
);
const BOUNDARY_WORDS =
  /\b(?:but|however|although|though|yet|except|aside from|apart from|other than|whereas|while|he|she|reports?|reported|endorses?|endorsed|complains? of|c\/o|admits(?: to)?|positive for|presents? with|presented with)\b/gi;
/** A cue further back than this is not in scope even without a boundary (NegEx uses a few words). */
const MAX_SCOPE = 250;

function lastAtOrBefore(sorted: readonly number[], position: number): number {
  let low = 0;
  let high = sorted.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (sorted[mid] <= position) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Cues. Each is a small regex tested on the clause before or after a mention.

const NEGATION_BEFORE =
  /(?<![\p{L}\p{N}])(?:no|not|nil|denies|denied|deny|denying|negative for|neg for|without|w\/o|free of|never|none|absence of|absent|ruled out|rules out|rule out|r\/o|\p{L}+n't|cannot|no evidence of|fails to reveal)(?![\p{L}\p{N}])/iu;
// Phrases that contain a negation word but do not negate what follows.
const PSEUDO_NEGATION =
  /(?<![\p{L}\p{N}])(?:no (?:change|increase|interval change|further|significant change|longer)|not (?:only|necessarily|certain|sure)|not (?:been )?ruled out|without (?:difficulty|problems?|complications?)|gram[- ]negative)(?![\p{L}\p{N}])/giu;
const NEGATION_AFTER =
  /^\s*(?:(?:[:(–-]|was|were|is|are|has been|have been)\s*)(?:ruled out|denied|denies|negative|neg|none|never|nil|absent|not (?:present|seen|found|detected)|unlikely|no)(?![\p{L}\p{N}])|^\s*(?:(?:was|were|is|has been|subsequently|then|later|eventually)\s+)*ruled out\b/iu;

// Mentions that are not a fact about the patient: risks explained, fears, comparisons, prevention.
const HYPOTHETICAL_BEFORE =
  /(?<![\p{L}\p{N}])(?:risks? (?:of|for|include|including)|(?:felt|feels|feel|looked|looks) like|as if|thought (?:he|she|they) (?:was|were|had|might)|worried (?:about|that)|afraid of|fear of|to prevent|prevention of|(?:watch|monitor) for|signs (?:and symptoms )?of|if (?:he|she|they|you) (?:has|have|had|develops?))(?![\p{L}\p{N}])/iu;

const ALLERGY_BEFORE =
  /(?<![\p{L}\p{N}])(?:allerg(?:ic|y|ies)|intoleran(?:t|ce)|sensitiv(?:e|ity)|(?:adverse )?reactions?|anaphylaxis)\s+(?:to|with|from|of)\s+(?:[\p{L}-]+\s+){0,2}$/iu;
const ALLERGY_AFTER =
  /^\s*(?:[(:–-]\s*|->\s*)?(?:allerg\w*|intoleran\w*|sensitivity|anaphyla\w*|rash|hives|urticaria|angioedema|swelling|itch\w*|reaction)(?![\p{L}\p{N}])/iu;

const PERSON = `(?:mother|father|mom|mum|dad|brothers?|sisters?|sons?|daughters?|husband|wife|ex-husband|ex-wife|ex-partner|partner|spouse|boyfriend|girlfriend|fianc[eé]e?|siblings?|parents?|aunts?|uncles?|cousins?|grand(?:mother|father|parent|son|daughter|ma|pa)s?|nieces?|nephews?|friends?|roommates?|flatmates?|housemates?|children|child|kids?|step(?:mother|father|son|daughter)s?|(?:mother|father|son|daughter)-in-law|relatives?|family members?|mgm|mgf|pgm|pgf)`;
const FAMILY_BEFORE = /(?<![\p{L}\p{N}])(?:family (?:history|hx)|fhx?|fmhx)(?![\p{L}\p{N}])/iu;
const PERSON_WORD = new RegExp(String.raw`(?<![\p{L}\p{N}])${PERSON}(?![\p{L}\p{N}])`, "giu");
// "lives with his wife", "accompanied by her daughter": the person is not the subject.
const PERSON_NOT_SUBJECT =
  /(?<![\p{L}\p{N}])(?:with|by|to|and|per|from|called|told|informed|via|for|has|have|had|lost|visits?|visited|cares for|caring for|takes care of|supports?)\s+(?:(?:his|her|their|the|patient's|pt's|a|an|one|two|three|four|five|six|\d+)\s+)?(?:(?:maternal|paternal|older|younger|elder|adult|grown)\s+)?$/iu;
// "wife reports he drinks ...": the person tells about the patient.
const PERSON_REPORTS =
  /^\W*(?:[\p{L}'-]+\s+){0,2}?(?:reports?|reported|states?|stated|says|said|notes?|noted|tells|told|confirms?|confirmed|describes?|worried|concerned|believes|is present|present|at (?:the )?bedside|is (?:his|her|the) (?:hcp|health care proxy|proxy|caregiver))(?![\p{L}\p{N}])/iu;
const PERSON_AFTER = new RegExp(
  String.raw`^(?:[^.;\n]{0,30}?\s(?:in|of)\s+(?:(?:his|her|their|the patient's|patient's|a|one|both)\s+)?|\s*[(:–-]\s*)(?:(?:maternal|paternal)\s+)?${PERSON}(?![\p{L}\p{N}])`,
  "iu",
);

const PAST_BEFORE =
  /(?<![\p{L}\p{N}])(?:former(?:ly)?|previous(?:ly)?|prior(?! to)|past|remote|history of|hx of|h\/o|quit|stopped|used to|no longer|recovered|recovering|discontinued|d\/c'?d|in remission|sober|was on|were on|off)(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])ex-$/iu;
const PAST_AFTER =
  /(?<![\p{L}\p{N}])(?:quit(?! smoking| tobacco| cigarettes)|stopped(?! smoking| tobacco| cigarettes)|sober|abstinent|in (?:full |sustained |early )?remission|resolved|until|ago|no longer|discontinued|d\/c'?d|in (?:his|her|their) (?:teens|twenties|thirties|youth|\d0s)|as a (?:teen|teenager|young (?:man|woman|adult))|in the past|previously|formerly)(?![\p{L}\p{N}])/iu;

/** Why a mention does not count for the patient now. */
export type Exclusion = "negated" | "hypothetical" | "allergy" | "other-person" | "past";

/** Boundaries and sections of one text, computed once (linear) and looked up by binary search. */
export class NoteContext {
  readonly text: string;
  private readonly boundaries: number[];
  private readonly sections: Section[];
  private readonly sectionStarts: number[];

  constructor(text: string) {
    this.text = text;
    const boundaries = [0];
    for (const match of text.matchAll(BOUNDARY_WORDS)) boundaries.push(match.index ?? 0);
    for (const match of text.matchAll(BOUNDARY_MARKS)) {
      // Sentence ends and `;` end the clause after themselves; words and labels start one.
      const char = match[0][0];
      const at = match.index ?? 0;
      boundaries.push(char === "." || char === "!" || char === "?" || char === ";" ? at + 1 : at);
    }
    this.boundaries = boundaries.sort((a, b) => a - b);
    this.sections = findSections(text);
    this.sectionStarts = this.sections.map((section) => section.start);
  }

  /** The section kind (allergy / family) a position falls in, if any. */
  sectionAt(position: number): SectionKind | undefined {
    const index = lastAtOrBefore(this.sectionStarts, position);
    if (index < 0) return undefined;
    const section = this.sections[index];
    return position < section.end ? section.kind : undefined;
  }

  /** Text from the clause start to `start` (at most MAX_SCOPE characters). */
  before(start: number): string {
    const index = lastAtOrBefore(this.boundaries, start);
    const from = Math.max(this.boundaries[index] ?? 0, start - MAX_SCOPE);
    return this.text.slice(from, start);
  }

  /** Text from `end` to the clause end (at most MAX_SCOPE characters). */
  after(end: number): string {
    const index = lastAtOrBefore(this.boundaries, end - 1);
    const next = this.boundaries[index + 1] ?? this.text.length;
    return this.text.slice(end, Math.min(next, end + MAX_SCOPE));
  }

  /** The first exclusion of `checks` that applies to the mention at [start, end), if any. */
  exclusion(start: number, end: number, checks: readonly Exclusion[]): Exclusion | undefined {
    const before = this.before(start);
    const after = this.after(end);
    const section = checks.includes("allergy") || checks.includes("other-person") ? this.sectionAt(start) : undefined;
    for (const check of checks) {
      if (check === "allergy" && (section === "allergy" || ALLERGY_BEFORE.test(before) || ALLERGY_AFTER.test(after)))
        return check;
      if (check === "other-person" && (section === "family" || otherPerson(before, after))) return check;
      if (
        check === "negated" &&
        (NEGATION_BEFORE.test(before.replace(PSEUDO_NEGATION, " ")) || NEGATION_AFTER.test(after))
      )
        return check;
      if (check === "hypothetical" && HYPOTHETICAL_BEFORE.test(before)) return check;
      if (check === "past" && (PAST_BEFORE.test(before) || PAST_AFTER.test(after))) return check;
    }
    return undefined;
  }
}

function otherPerson(before: string, after: string): boolean {
  if (FAMILY_BEFORE.test(before) || PERSON_AFTER.test(after)) return true;
  for (const match of before.matchAll(PERSON_WORD)) {
    if (PERSON_NOT_SUBJECT.test(before.slice(Math.max(0, (match.index ?? 0) - 40), match.index ?? 0))) continue;
    if (PERSON_REPORTS.test(before.slice((match.index ?? 0) + match[0].length))) continue;
    return true;
  }
  return false;
}

// The baseline asks many questions of one note in a row, and the n2c2 rules alternate between a
// patient's whole text and its time windows: keep the last few contexts.
const CACHE_SIZE = 4;
const cache: NoteContext[] = [];

/** The context of `text`, reused while the same text is asked about. */
export function noteContext(text: string): NoteContext {
  const hit = cache.find((context) => context.text === text);
  if (hit) return hit;
  const context = new NoteContext(text);
  cache.unshift(context);
  if (cache.length > CACHE_SIZE) cache.pop();
  return context;
}
