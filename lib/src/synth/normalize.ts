/**
 * Answer normalisation: the teacher writes "yes", "True", "7,2 %", "N/A"; steps b and c need one
 * canonical form. Numbers keep their unit in a separate field.
 */

export type NormalizedAnswer =
  | { kind: "boolean"; value: boolean }
  | { kind: "number"; value: number; unit: string | null }
  | { kind: "na" }
  | { kind: "text"; text: string }
  | { kind: "invalid"; detail: string };

const NA_WORDS = new Set([
  "na",
  "n/a",
  "n.a",
  "not available",
  "unknown",
  "not answerable",
  "unanswerable",
  "not applicable",
  "not mentioned",
  "not documented",
  "not stated",
  "not reported",
  "not specified",
  "not found",
  "not recorded",
  "cannot be determined",
  "can't be determined",
  "cannot determine",
  "undetermined",
  "null",
  "none given",
]);
const YES = new Set(["yes", "y", "true"]);
const NO = new Set(["no", "n", "false"]);

// sign, digits with optional thousands separators or a decimal comma/point, then whatever follows (the unit).
const NUMBER_PREFIX = /^([+-]?)(\d+(?:[.,]\d+)*)(.*)$/s;
// What a unit may look like: letters, %, /, ^, degree signs, digits inside (10^9/L), spaces, dots.
const UNIT = /^[\p{L}%°µ/^·.*()\s\d-]{0,24}$/u;

/** Parse "7.2", "7,2", "1,234.5", "140 mg/dL", "7.2 %" to a number and unit; undefined if not one number. */
export function parseNumber(text: string): { value: number; unit: string | null } | undefined {
  const match = NUMBER_PREFIX.exec(text.trim());
  if (!match) return undefined;
  const [, sign, digits, restRaw] = match;
  const rest = restRaw.trim();
  // A range or a ratio ("120-130", "120/80") is not one number.
  if (/^[-–/:]\s*\d/.test(rest)) return undefined;
  let numeric: string;
  const commas = digits.split(",").length - 1;
  const points = digits.split(".").length - 1;
  if (points > 1) return undefined;
  if (commas === 0) numeric = digits;
  else if (points === 1) {
    // "1,234.5": commas are thousands separators and must group by three.
    if (!/^\d{1,3}(,\d{3})+\.\d+$/.test(digits)) return undefined;
    numeric = digits.replace(/,/g, "");
  } else if (commas === 1 && !/,\d{3}$/.test(digits)) {
    numeric = digits.replace(",", "."); // "7,2": decimal comma
  } else {
    if (!/^\d{1,3}(,\d{3})+$/.test(digits)) return undefined;
    numeric = digits.replace(/,/g, "");
  }
  const value = Number(sign + numeric);
  if (!Number.isFinite(value)) return undefined;
  if (rest !== "" && !UNIT.test(rest)) return undefined;
  return { value, unit: rest === "" ? null : rest };
}

export function normalizeAnswer(answer: unknown): NormalizedAnswer {
  if (answer === null) return { kind: "na" };
  if (typeof answer === "boolean") return { kind: "boolean", value: answer };
  if (typeof answer === "number") {
    return Number.isFinite(answer)
      ? { kind: "number", value: answer, unit: null }
      : { kind: "invalid", detail: "non-finite number" };
  }
  if (typeof answer !== "string")
    return { kind: "invalid", detail: `answer is ${Array.isArray(answer) ? "an array" : typeof answer}` };
  const lowered = answer
    .trim()
    .replace(/[.!]+$/, "")
    .trim()
    .toLowerCase();
  if (lowered === "") return { kind: "invalid", detail: "answer is an empty string" };
  if (NA_WORDS.has(lowered)) return { kind: "na" };
  if (YES.has(lowered)) return { kind: "boolean", value: true };
  if (NO.has(lowered)) return { kind: "boolean", value: false };
  const number = parseNumber(answer.trim().replace(/\.$/, ""));
  if (number) return { kind: "number", ...number };
  return { kind: "text", text: answer.trim() };
}

/** The canonical answer string written to outputs. */
export function canonicalAnswer(answer: NormalizedAnswer): string {
  switch (answer.kind) {
    case "boolean":
      return answer.value ? "Yes" : "No";
    case "na":
      return "NA";
    case "number":
      return String(answer.value);
    case "text":
      return answer.text;
    case "invalid":
      return "";
  }
}

/** Question text reduced for near-duplicate detection: lower case, no punctuation, digits as "#". */
export function normalizeQuestion(question: string): string {
  return question
    .toLowerCase()
    .replace(/\d+(?:[.,]\d+)*/g, "#")
    .replace(/[^\p{L}\p{N}#\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Text reduced for quote matching: lower case, one space, straight quotes and plain hyphens. */
export function normalizeForMatch(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u201b`´]/g, "'")
    .replace(/[\u201c\u201d\u201e]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/\s+/g, " ")
    .trim();
}
