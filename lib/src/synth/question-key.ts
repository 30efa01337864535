import { normalizeForMatch } from "../text/match-text.js";

/**
 * The identity of a question for near-duplicate detection within a note. Case, punctuation, spacing and
 * Unicode spellings are folded (the match form of lib/src/text/match-text.ts), but numbers and comparators
 * stay: "creatinine above 1.3" and "above 2.0", "> 7" and "< 7" are different questions (a threshold
 * variant is often the hard one). A number is written canonically, so "1.30" = "1.3", "2.0" = "2",
 * "007" = "7" and "1,000" = "1000".
 */
export function normalizeQuestion(question: string): string {
  const form = normalizeForMatch(question);
  // Only a number with a leading zero, "." or "," can change (most questions have none).
  if (!NUMBER_TO_CANONICALISE.test(form)) return form;
  return form
    .split(" ")
    .map((token) => (token.charCodeAt(0) >= 48 && token.charCodeAt(0) <= 57 ? canonicalNumber(token) : token))
    .join(" ");
}

const NUMBER_TO_CANONICALISE = /(?:^| )0\d|\d[.,]/;
const THOUSANDS = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

function canonicalNumber(token: string): string {
  const plain = THOUSANDS.test(token) ? token.replace(/,/g, "") : token;
  const match = DECIMAL.exec(plain);
  if (!match) return plain; // "3:30", "1,5": kept as written
  const whole = match[1].replace(/^0+(?=\d)/, "");
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  return fraction === "" ? whole : `${whole}.${fraction}`;
}
