/**
 * The dictionary matcher on the 207 real ACI-BENCH visit notes (read in place, never copied here), with a
 * small realistic dictionary of drug and condition names that occur in them. Three checks against an
 * independent reading (regular expressions with Unicode word boundaries):
 *  - every occurrence of a term on one line is labelled, including beside curly apostrophes, quotes and
 *    bullets ("Cushing’s", "Tinel’s", "“seizure-like”");
 *  - no span holds a line break, even for terms built from a line's last word and the next line's first;
 *  - every span starts and ends on a word boundary and reads as one of the terms.
 */
import assert from "node:assert/strict";
import { test } from "uvu";
import { Dictionary, type DictionaryTerm } from "../../lib/src/ner/dictionary.js";
import type { EntityType } from "../../lib/src/ner/types.js";
import { aciBenchNotes } from "../helpers/aci-bench.js";

const TERMS: Record<EntityType, string[]> = {
  medication: [
    "metformin",
    "lisinopril",
    "ibuprofen",
    "Tylenol",
    "Motrin",
    "prednisone",
    "albuterol",
    "Lasix",
    "Flonase",
    "montelukast",
    "Zarbee's",
  ],
  disease: [
    "diabetes",
    "type 2 diabetes",
    "hypertension",
    "asthma",
    "depression",
    "gout",
    "anemia",
    "migraine",
    "COPD",
    "GERD",
    "CHF",
    "CKD",
    "atrial fibrillation",
    "sleep apnea",
    "congestive heart failure",
    "chronic kidney disease",
    "Cushing's syndrome",
    "non-Hodgkin's lymphoma",
  ],
  symptom: [
    "shortness of breath",
    "chest pain",
    "nausea",
    "vomiting",
    "fatigue",
    "fever",
    "chills",
    "headache",
    "dizziness",
    "cough",
    "Tinel's sign",
    "seizure-like",
  ],
};
// Two-letter abbreviations, kept only because they are case-sensitive.
const CASE_SENSITIVE = ["RA", "MI", "AF", "PE"];

const WORD = "[\\p{L}\\p{M}\\p{N}]";
const LINE_BREAK = /[\n\r\v\f\u0085\u2028\u2029]/;

function escapeRegex(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The oracle: a term on one line, any apostrophe or hyphen form, spaces and tabs between words. */
function termPattern(term: string, caseSensitive: boolean): RegExp {
  const body = term
    .split(/\s+/)
    .map((word) => escapeRegex(word).replace(/'/g, "['’ʼ′]").replace(/-/g, "[-‐‑–]"))
    .join("[^\\S\\n\\r\\v\\f\\u0085\\u2028\\u2029]+");
  return new RegExp(`(?<!${WORD})${body}(?!${WORD})`, caseSensitive ? "gu" : "giu");
}

/** A span as a term reads: apostrophe and hyphen forms folded, spacing collapsed. */
function canonical(surface: string) {
  return surface.replace(/[’ʼ′]/g, "'").replace(/[‐‑–]/g, "-").replace(/\s+/g, " ");
}

test("ACI-BENCH: terms beside Unicode punctuation are found, no span crosses a line, spans are terms", async () => {
  const notes = await aciBenchNotes();
  if (!notes) return;
  assert.equal(notes.length, 207);
  const terms: DictionaryTerm[] = Object.entries(TERMS).flatMap(([type, list]) =>
    list.map((term) => ({ term, type: type as EntityType })),
  );
  for (const term of CASE_SENSITIVE) terms.push({ term, type: "disease", caseSensitive: true });
  // Adversarial terms from the notes themselves: a line's last word joined to the next line's first word
  // (a header: "HISTORY\n\nPatient" gives "history patient"). A matcher that crosses line breaks labels them.
  const acrossLines = new Set<string>();
  for (const note of notes) {
    for (const m of note.text.matchAll(/(\p{Lu}{3,})[ \t]*(?:\r?\n)+[ \t]*(\p{L}{3,})/gu)) {
      acrossLines.add(`${m[1]} ${m[2]}`.toLowerCase());
    }
  }
  assert.ok(acrossLines.size > 50, `line-crossing pairs in the notes: ${acrossLines.size}`);
  for (const term of acrossLines) terms.push({ term, type: "symptom" });
  const dictionary = new Dictionary(terms);
  assert.equal(dictionary.stats.skipped.tooShort, 0, "the case-sensitive abbreviations are kept");

  const known = new Map<string, boolean>();
  for (const term of terms) known.set(term.caseSensitive ? term.term : term.term.toLowerCase(), !!term.caseSensitive);
  const patterns = [
    ...Object.values(TERMS)
      .flat()
      .map((term) => ({ term, pattern: termPattern(term, false) })),
    ...CASE_SENSITIVE.map((term) => ({ term, pattern: termPattern(term, true) })),
  ];
  const missed: string[] = [];
  const wrong: string[] = [];
  const found = new Map<string, number>();
  let spanCount = 0;
  for (const note of notes) {
    const spans = dictionary.match(note.text);
    spanCount += spans.length;
    for (const span of spans) {
      const where = `${note.id}@${span.start}`;
      assert.equal(note.text.slice(span.start, span.end), span.text, where);
      if (LINE_BREAK.test(span.text)) wrong.push(`${where} crosses a line: ${JSON.stringify(span.text)}`);
      const before = note.text.slice(Math.max(0, span.start - 2), span.start);
      const after = note.text.slice(span.end, span.end + 2);
      if (new RegExp(`${WORD}$`, "u").test(before) || new RegExp(`^${WORD}`, "u").test(after))
        wrong.push(`${where} not on a word boundary: ${JSON.stringify(before + span.text + after)}`);
      const surface = canonical(span.text);
      if (!(known.has(surface) || known.get(surface.toLowerCase()) === false))
        wrong.push(`${where} is no term: ${JSON.stringify(span.text)}`);
    }
    for (const { term, pattern } of patterns) {
      for (const m of note.text.matchAll(pattern)) {
        const start = m.index as number;
        const end = start + m[0].length;
        found.set(term, (found.get(term) ?? 0) + 1);
        if (!spans.some((span) => span.start <= start && end <= span.end))
          missed.push(`${note.id}@${start} ${JSON.stringify(note.text.slice(start - 10, end + 10))}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
  assert.deepEqual(missed, []);
  // The cases this test is about do occur in the notes (with curly apostrophes or quotes).
  for (const term of ["Cushing's syndrome", "non-Hodgkin's lymphoma", "Tinel's sign", "seizure-like", "RA", "COPD"])
    assert.ok((found.get(term) ?? 0) > 0, `${term} occurs in the notes`);
  assert.ok(spanCount > 1000, `spans: ${spanCount}`);
});

test.run();
