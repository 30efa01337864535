import { test } from "uvu";
import * as assert from "uvu/assert";
import { canonicalAnswer, normalizeAnswer, parseNumber } from "../../lib/src/synth/normalize.js";
import { normalizeTypeLabel, validateItem } from "../../lib/src/synth/validate-item.js";
import { firstNumber } from "../../lib/src/text/number-text.js";

test("numbers: decimal point, decimal comma, thousands, units", () => {
  assert.equal(parseNumber("7.2"), { value: 7.2, unit: null });
  assert.equal(parseNumber("7.2 %"), { value: 7.2, unit: "%" });
  assert.equal(parseNumber("7.2%"), { value: 7.2, unit: "%" });
  assert.equal(parseNumber("7,2"), { value: 7.2, unit: null });
  assert.equal(parseNumber("7,2 %"), { value: 7.2, unit: "%" });
  assert.equal(parseNumber("2,870"), { value: 2870, unit: null });
  assert.equal(parseNumber("1,234.5 pg/mL"), { value: 1234.5, unit: "pg/mL" });
  assert.equal(parseNumber("140 mg/dL"), { value: 140, unit: "mg/dL" });
  assert.equal(parseNumber("-3"), { value: -3, unit: null });
  assert.equal(parseNumber("5.2 x10^9/L"), { value: 5.2, unit: "x10^9/L" });
  assert.equal(parseNumber("140mg/dL"), { value: 140, unit: "mg/dL" });
  assert.equal(parseNumber("1.2e-3"), { value: 0.0012, unit: null });
});

test("numbers: separators read as the evaluation reads them (one rule for targets and scoring)", () => {
  for (const [text, value] of [
    ["0,125", 0.125],
    ["1.234,5", 1234.5],
    ["7,2500", 7.25],
    ["12,345,678", 12345678],
  ] as const) {
    assert.equal(parseNumber(text), { value, unit: null }, text);
    assert.is(firstNumber(text)?.value, value, text);
  }
  assert.is(parseNumber("3rd"), undefined);
  assert.is(parseNumber("2131-05-02"), undefined, "a date");
});

test("numbers: ranges, ratios, comparators and prose are not one number", () => {
  for (const text of [
    "120/80",
    "120-130",
    "<5",
    "about 5",
    "1.2.3",
    "12,34,5",
    "5 mg then 10 mg daily for a week in the morning",
  ]) {
    assert.is(parseNumber(text), undefined, text);
  }
});

test("answers: yes/no/true/false, NA words, numbers, text", () => {
  assert.equal(normalizeAnswer("Yes"), { kind: "boolean", value: true });
  assert.equal(normalizeAnswer(" no. "), { kind: "boolean", value: false });
  assert.equal(normalizeAnswer("TRUE"), { kind: "boolean", value: true });
  assert.equal(normalizeAnswer(false), { kind: "boolean", value: false });
  for (const na of ["NA", "N/A", "not available", "Unknown", "not answerable", null])
    assert.equal(normalizeAnswer(na), { kind: "na" }, String(na));
  assert.equal(normalizeAnswer(45), { kind: "number", value: 45, unit: null });
  assert.equal(normalizeAnswer("8,1 %"), { kind: "number", value: 8.1, unit: "%" });
  const maybe = normalizeAnswer("Maybe");
  assert.is(maybe.kind, "text");
  if (maybe.kind === "text") assert.is(maybe.text, "Maybe");
  assert.is(normalizeAnswer([1]).kind, "invalid");
  assert.is(normalizeAnswer({}).kind, "invalid");
  assert.is(normalizeAnswer("  ").kind, "invalid");
  assert.is(normalizeAnswer(Number.NaN).kind, "invalid");
  assert.is(canonicalAnswer(normalizeAnswer("7,20")), "7.2");
  assert.is(canonicalAnswer(normalizeAnswer("y")), "Yes");
  assert.is(canonicalAnswer(normalizeAnswer("n/a")), "NA");
});

// Question keys and quote matching: tests/synth/grounding.test.ts.

test("type labels: aliases accepted, unknown refused", () => {
  assert.is(normalizeTypeLabel("Yes/No"), "boolean");
  assert.is(normalizeTypeLabel("number"), "numeric");
  assert.is(normalizeTypeLabel("Not answerable numeric"), "na_numeric");
  assert.is(normalizeTypeLabel("diagnosis"), undefined);
});

test("validateItem: a clean item and its normalised fields", () => {
  const checked = validateItem({
    question: " What was the HbA1c? ",
    type: "numeric",
    answer: "7,2 %",
    section: "Pertinent Results",
    source: "HbA1c 7.2%",
    difficulty: "4",
    explanation: "x",
  });
  assert.ok(checked.ok);
  if (checked.ok) {
    assert.is(checked.item.question, "What was the HbA1c?");
    assert.is(checked.item.answer, "7.2");
    assert.is(checked.item.answerNumber, 7.2);
    assert.is(checked.item.answerUnit, "%");
    assert.is(checked.item.answerRaw, "7,2 %");
    assert.is(checked.item.difficulty, 4);
  }
});

test.run();
