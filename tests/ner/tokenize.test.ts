import assert from "node:assert/strict";
import { test } from "uvu";
import { spansToBio } from "../../lib/src/ner/bio.js";
import { Dictionary, normalise } from "../../lib/src/ner/dictionary.js";
import { isWordChar, tokenize, tokenStrings } from "../../lib/src/ner/tokenize.js";

const matched = (dictionary: Dictionary, text: string) =>
  dictionary.match(text).map((span) => [text.slice(span.start, span.end), span.type]);

test("tokenizer: Unicode punctuation and symbols are single tokens, never part of a word", () => {
  assert.deepEqual(tokenStrings("↑SOB ↓appetite →ED"), ["↑", "SOB", "↓", "appetite", "→", "ED"]);
  assert.deepEqual(tokenStrings("Crohn’s “pain”"), ["Crohn", "’", "s", "“", "pain", "”"]);
  assert.deepEqual(tokenStrings("non\u2011Hodgkin 5′2″"), ["non", "\u2011", "Hodgkin", "5", "′", "2", "″"]);
  assert.deepEqual(tokenStrings("T 38.5°C, HR 80±5 •Cough–worse—night"), [
    "T",
    "38",
    ".",
    "5",
    "°",
    "C",
    ",",
    "HR",
    "80",
    "±",
    "5",
    "•",
    "Cough",
    "–",
    "worse",
    "—",
    "night",
  ]);
  // º used as a degree sign and ʼ typed as an apostrophe are punctuation, though Unicode calls them letters.
  assert.deepEqual(tokenStrings("38ºC Crohnʼs"), ["38", "º", "C", "Crohn", "ʼ", "s"]);
});

test("tokenizer: letters, marks and numbers of any script are word characters; Unicode spaces are spaces", () => {
  assert.deepEqual(tokenStrings("Sjögren mg/m² µg naïve"), ["Sjögren", "mg", "/", "m²", "µg", "naïve"]);
  // A combining accent (NFD) stays inside its word.
  assert.deepEqual(tokenStrings("cafe\u0301 ok"), ["cafe\u0301", "ok"]);
  // NBSP, narrow NBSP, thin space, ideographic space, zero-width space, BOM, line separator.
  assert.deepEqual(tokenStrings("a\u00a0b\u202fc\u2009d\u3000e\u200bf\ufeffg\u2028h"), [
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
  ]);
  // A character outside the BMP is one token of two code units; offsets stay UTF-16 offsets.
  const text = "pain😀𝐁12";
  const tokens = tokenize(text);
  assert.deepEqual(tokenStrings(text), ["pain", "😀", "𝐁12"]);
  assert.deepEqual([...tokens.starts.slice(0, tokens.count)], [0, 4, 6]);
  assert.deepEqual([...tokens.ends.slice(0, tokens.count)], [4, 6, 10]);
  assert.equal(isWordChar("é".codePointAt(0) as number), true);
  assert.equal(isWordChar("’".codePointAt(0) as number), false);
  assert.equal(isWordChar("↑".codePointAt(0) as number), false);
});

test("dictionary: terms beside non-ASCII punctuation match", () => {
  const dictionary = new Dictionary([
    { term: "SOB", type: "symptom" },
    { term: "cough", type: "symptom" },
    { term: "asthma", type: "disease" },
    { term: "fever", type: "symptom" },
    { term: "Lasix", type: "medication" },
  ]);
  assert.deepEqual(matched(dictionary, "↑SOB, •cough; “asthma” ↓fever →Lasix°"), [
    ["SOB", "symptom"],
    ["cough", "symptom"],
    ["asthma", "disease"],
    ["fever", "symptom"],
    ["Lasix", "medication"],
  ]);
});

test("dictionary: straight and curly apostrophes, hyphens and dashes match each other", () => {
  const dictionary = new Dictionary([
    { term: "Crohn's disease", type: "disease" },
    { term: "Non‑Hodgkin’s lymphoma", type: "disease" },
    { term: "Epstein-Barr virus infection", type: "disease" },
  ]);
  assert.equal(normalise("Crohn’s  Disease"), "crohn ' s disease");
  const text =
    "Crohn’s disease; crohn's disease; Crohnʼs disease; Crohn′s disease; non-Hodgkin's lymphoma; " +
    "Non\u2011Hodgkin’s lymphoma; Epstein–Barr virus infection.";
  assert.deepEqual(
    matched(dictionary, text).map(([surface]) => surface),
    [
      "Crohn’s disease",
      "crohn's disease",
      "Crohnʼs disease",
      "Crohn′s disease",
      "non-Hodgkin's lymphoma",
      "Non\u2011Hodgkin’s lymphoma",
      "Epstein–Barr virus infection",
    ],
  );
  // The word before an apostrophe is still a word of its own: "patient" in "patient’s".
  const words = new Dictionary([{ term: "patient", type: "symptom" }]);
  assert.deepEqual(matched(words, "the patient’s cough"), [["patient", "symptom"]]);
  // The em dash is a clause break, not a hyphen.
  assert.deepEqual(matched(dictionary, "Epstein—Barr virus infection"), []);
});

test("dictionary: case-sensitive short abbreviations are kept and match only their case", () => {
  const dictionary = new Dictionary(
    [
      { term: "MI", type: "disease", caseSensitive: true },
      { term: "AF", type: "disease", caseSensitive: true },
      { term: "ms", type: "disease" },
      { term: "A", type: "disease", caseSensitive: true },
    ],
    { minTermChars: 3 },
  );
  assert.equal(dictionary.stats.terms, 2);
  assert.equal(dictionary.stats.skipped.tooShort, 2, "case-insensitive 'ms' and a one-letter term are too short");
  assert.deepEqual(matched(dictionary, "h/o MI, now AF. mi Mi af Af ms MS. A cough."), [
    ["MI", "disease"],
    ["AF", "disease"],
  ]);
});

test("dictionary: slash abbreviations are not numeric; numbers and single letters are still skipped", () => {
  const dictionary = new Dictionary([
    { term: "n/v", type: "symptom" },
    { term: "s/p", type: "symptom" },
    { term: "c/o", type: "symptom" },
    { term: "h/o", type: "symptom" },
    { term: "500", type: "medication" },
    { term: "1/2", type: "medication" },
    { term: "3.5", type: "medication" },
    { term: "a", type: "disease" },
    { term: "b", type: "disease" },
  ]);
  assert.equal(dictionary.stats.terms, 4);
  assert.equal(dictionary.stats.skipped.numeric, 3);
  assert.equal(dictionary.stats.skipped.tooShort, 2);
  assert.deepEqual(
    matched(dictionary, "Pt c/o N/V, s/p appy, H/O 1/2 a b 500").map(([surface]) => surface),
    ["c/o", "N/V", "s/p", "H/O"],
  );
});

test("dictionary: no match across a line break, whatever kind", () => {
  const dictionary = new Dictionary([
    { term: "chest pain", type: "symptom" },
    { term: "pain", type: "symptom" },
    { term: "aspirin", type: "medication" },
    { term: "aspirin rash", type: "symptom" },
  ]);
  for (const lineBreak of ["\n", "\r\n", "\r", "\n\n", " \n ", "\u2028", "\u2029", "\u0085", "\f", "\v"]) {
    const text = `chest${lineBreak}pain. Aspirin${lineBreak}Rash`;
    assert.deepEqual(
      matched(dictionary, text).map(([surface]) => surface),
      ["pain", "Aspirin"],
      JSON.stringify(lineBreak),
    );
  }
  // On one line, with any other spacing, the longer term wins.
  assert.deepEqual(
    matched(dictionary, "chest \t\u00a0pain").map(([surface]) => surface),
    ["chest \t\u00a0pain"],
  );
  // Opt-in for text hard-wrapped mid-sentence.
  const wrapped = new Dictionary([{ term: "chest pain", type: "symptom" }], { matchAcrossLineBreaks: true });
  assert.deepEqual(
    matched(wrapped, "chest\npain").map(([surface]) => surface),
    ["chest\npain"],
  );
});

test("student and dictionary share token boundaries next to non-ASCII punctuation", () => {
  const text = "↑SOB and Crohn’s disease";
  const spans = new Dictionary([
    { term: "SOB", type: "symptom" },
    { term: "Crohn's disease", type: "disease" },
  ]).match(text);
  assert.equal(spans.length, 2);
  const encoding = spansToBio(tokenize(text), spans);
  assert.equal(encoding.misaligned, 0);
  assert.equal(encoding.uncovered, 0);
});

test.run();
