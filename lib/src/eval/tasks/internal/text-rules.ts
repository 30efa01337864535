/**
 * Text helpers behind the rule-based baseline: records and their dates, a small NegEx-style
 * negation check, and lab-value extraction. Deliberately simple and transparent: the baseline is a
 * comparator, and every answer it gives can be traced to one rule.
 */

const RECORD_SEPARATOR = /^\*{100}$/m;
const RECORD_DATE = /Record date:\s*(\d{4}-\d{2}-\d{2})/;

export interface DatedRecord {
  date?: Date;
  text: string;
}

/** n2c2 TEXT: records separated by a line of 100 `*`, each starting with `Record date: YYYY-MM-DD`. */
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

// Negation and "not the patient" cues looked for between the sentence start and the match.
const NEGATION_CUE =
  /\b(no|not|denies|denied|deny|negative for|without|free of|ruled out|rules out|r\/o|resolved|never|none)\b/i;
const OTHER_PERSON_CUE = /\b(family history|fhx|fh:|mother|father|brother|sister|son|daughter|sibling)\b/i;
function sentencePrefix(text: string, index: number): string {
  let start = 0;
  for (const match of text.slice(0, index).matchAll(/[.;\n!?]/g)) start = (match.index ?? 0) + 1;
  return text.slice(start, index);
}

/** Whether `pattern` matches somewhere in `text` outside a negated or family-history context. */
export function mentions(text: string, pattern: RegExp): boolean {
  const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
  for (const match of text.matchAll(global)) {
    const prefix = sentencePrefix(text, match.index ?? 0);
    if (NEGATION_CUE.test(prefix) || OTHER_PERSON_CUE.test(prefix)) continue;
    return true;
  }
  return false;
}

const NUMBER = String.raw`(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)`;

/**
 * Numbers that follow a lab name within a few non-digit characters ("Cr 1.4", "creatinine of
 * 1.4 mg/dL", "Platelets: 95,000"). `exclude` drops matches whose lab name is followed by it
 * (hemoglobin but not hemoglobin A1c), `excludeBefore` those it precedes (albumin/creatinine ratio).
 */
export function labValues(text: string, label: RegExp, exclude?: RegExp, excludeBefore?: RegExp): number[] {
  const pattern = new RegExp(String.raw`(?:${label.source})(?![a-z])([^0-9\n]{0,25}?)${NUMBER}`, "gi");
  const values: number[] = [];
  for (const match of text.matchAll(pattern)) {
    // Look a little past the match too: "hemoglobin A1c 7.2" stops matching at "A1".
    const start = match.index ?? 0;
    if (exclude?.test(text.slice(start, start + match[0].length + 4))) continue;
    if (excludeBefore?.test(text.slice(Math.max(0, start - 20), start))) continue;
    const value = Number((match[2] ?? "").replace(/,/g, ""));
    if (Number.isFinite(value)) values.push(value);
  }
  return values;
}

/** Round to at most `digits` decimals and print without trailing zeros. */
export function formatNumber(value: number, digits = 2): string {
  return String(Number(value.toFixed(digits)));
}
