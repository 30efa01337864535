import { test } from "uvu";
import * as assert from "uvu/assert";
import { type ExpectedAnswer, parseAnswer } from "../../lib/src/eval/index.js";

type Want = { kind: string; value?: unknown; unit?: string; range?: [number, number] };
const cases: [string, ExpectedAnswer, Want][] = [
  // JSON shapes
  ['{"answer": "yes", "explanation": "AF on ECG"}', "boolean", { kind: "boolean", value: true }],
  ['```json\n{"answer": "No", "explanation": "none"}\n```', "boolean", { kind: "boolean", value: false }],
  [
    'Sure! Here is the JSON:\n{"answer": 7.2, "explanation": "HbA1c 7.2% on 2131-05-02"}\nHope it helps.',
    "numeric",
    { kind: "number", value: 7.2 },
  ],
  ["{'answer': 'Yes', 'explanation': 'patient\\'s EF is 30%',}", "boolean", { kind: "boolean", value: true }],
  ['{"answer": "1.4 mg/dL",}', "numeric", { kind: "number", value: 1.4, unit: "mg/dL" }],
  ["{answer: True}", "boolean", { kind: "boolean", value: true }],
  ["{'answer': None}", "numeric", { kind: "na" }],
  ['[{"answer": "no"}, {"answer": "yes"}]', "boolean", { kind: "boolean", value: false }],
  ['["N/A"]', "numeric", { kind: "na" }],
  ['{"Answer": "7,2 %"}', "numeric", { kind: "number", value: 7.2, unit: "%" }],
  ['{"result": {"answer": "150,000"}}', "numeric", { kind: "number", value: 150000 }],
  ['{"answer": null}', "numeric", { kind: "na" }],
  // yes/no spellings
  ["Yes.", "boolean", { kind: "boolean", value: true }],
  ["yes", "boolean", { kind: "boolean", value: true }],
  ["TRUE", "boolean", { kind: "boolean", value: true }],
  ["Y", "boolean", { kind: "boolean", value: true }],
  ["n", "boolean", { kind: "boolean", value: false }],
  ["**No**", "boolean", { kind: "boolean", value: false }],
  ["No, there is no history of stroke.", "boolean", { kind: "boolean", value: false }],
  ["Answer: yes", "boolean", { kind: "boolean", value: true }],
  ["Based on the note, the answer is yes.", "boolean", { kind: "boolean", value: true }],
  // not answerable
  ["NA", "numeric", { kind: "na" }],
  ["N/A", "boolean", { kind: "na" }],
  ["not available", "numeric", { kind: "na" }],
  ["Unknown.", "any", { kind: "na" }],
  ["cannot be determined", "boolean", { kind: "na" }],
  ["Cannot be determined from the note.", "numeric", { kind: "na" }],
  ["The LVEF is not documented.", "numeric", { kind: "na" }],
  // numbers
  ["7.2 %", "numeric", { kind: "number", value: 7.2, unit: "%" }],
  ["7.2%", "numeric", { kind: "number", value: 7.2, unit: "%" }],
  ["1.4 mg/dL", "numeric", { kind: "number", value: 1.4, unit: "mg/dL" }],
  ["1.4mg/dL", "numeric", { kind: "number", value: 1.4, unit: "mg/dL" }],
  ["7,2", "numeric", { kind: "number", value: 7.2 }],
  ["0,125", "numeric", { kind: "number", value: 0.125 }],
  ["150,000", "numeric", { kind: "number", value: 150000 }],
  ["1,234,567.5", "numeric", { kind: "number", value: 1234567.5 }],
  ["1.234,5", "numeric", { kind: "number", value: 1234.5 }],
  ["6.5-7.0", "numeric", { kind: "number", value: 6.75, range: [6.5, 7] }],
  ["6.5 – 7.0 %", "numeric", { kind: "number", value: 6.75, range: [6.5, 7], unit: "%" }],
  ["between 6.5 to 7.0", "numeric", { kind: "number", value: 6.75, range: [6.5, 7] }],
  ["-3.5", "numeric", { kind: "number", value: -3.5 }],
  ["\u22122", "numeric", { kind: "number", value: -2 }],
  ["1.2e-3", "numeric", { kind: "number", value: 0.0012 }],
  ["3E2", "numeric", { kind: "number", value: 300 }],
  ["150 x10^9/L", "numeric", { kind: "number", value: 150, unit: "x10^9/L" }],
  ["HbA1c was 7.2% on 2131-05-02", "numeric", { kind: "number", value: 7.2, unit: "%" }],
  ["CHADS2 score: 3", "numeric", { kind: "number", value: 3 }],
  // A date is never a value (this once read as 2131).
  ["2131-05-02", "numeric", { kind: "unparseable" }],
  ["The lowest platelet count was 98 on admission", "numeric", { kind: "number", value: 98 }],
  ["0", "numeric", { kind: "number", value: 0 }],
  ["<0.5", "numeric", { kind: "number", value: 0.5 }],
  ["<thinking>labs reviewed</thinking>\n<answer>No</answer>", "boolean", { kind: "boolean", value: false }],
  // unparseable, with reasons
  ["", "any", { kind: "unparseable" }],
  ["   ", "boolean", { kind: "unparseable" }],
  ["The patient is doing well.", "boolean", { kind: "unparseable" }],
  ["No", "numeric", { kind: "unparseable" }],
  ["42", "boolean", { kind: "unparseable" }],
  ['{"explanation": "x", "difficulty": "easy"}', "any", { kind: "unparseable" }],
  ["[]", "any", { kind: "unparseable" }],
  ['{"answer": true}', "numeric", { kind: "unparseable" }],
];

test("parses real-world answer shapes", () => {
  for (const [text, expected, want] of cases) {
    const parsed = parseAnswer(text, expected);
    const label = `${JSON.stringify(text)} as ${expected}`;
    assert.is(parsed.kind, want.kind, `${label}: kind (${JSON.stringify(parsed)})`);
    if ("value" in want) assert.is(parsed.value, want.value, `${label}: value`);
    if (want.unit !== undefined) assert.is((parsed as { unit?: string }).unit, want.unit, `${label}: unit`);
    if (want.range !== undefined) assert.equal((parsed as { range?: number[] }).range, want.range, `${label}: range`);
    assert.is(parsed.raw, text, `${label}: raw kept`);
  }
});

test("unparseable answers carry a reason and the raw text, never throw", () => {
  const parsed = parseAnswer("The patient is doing well.", "boolean");
  assert.is(parsed.kind, "unparseable");
  if (parsed.kind === "unparseable") assert.match(parsed.reason, /no yes\/no found/);
  const noField = parseAnswer('{"explanation": "x", "difficulty": "easy"}', "any");
  if (noField.kind === "unparseable") assert.match(noField.reason, /without an "answer" field/);
  // Hostile input: deep nesting, unbalanced brackets, non-strings.
  assert.is(parseAnswer("[".repeat(5000), "any").kind, "unparseable");
  assert.is(parseAnswer(`${"[".repeat(200)}1${"]".repeat(200)}`, "numeric").kind, "unparseable");
  assert.is(parseAnswer('{"answer": "yes"', "boolean").kind, "boolean"); // cut off JSON: the text still says yes
  assert.is(parseAnswer(undefined as unknown as string, "any").kind, "unparseable");
});

test("thousands versus decimal comma follows the documented rule", () => {
  // Exactly three digits after a 1-3 digit integer part not starting with 0: thousands.
  assert.is(parseAnswer("7,250", "numeric").value, 7250);
  // Otherwise a decimal comma.
  assert.is(parseAnswer("7,25", "numeric").value, 7.25);
  assert.is(parseAnswer("7,2500", "numeric").value, 7.25);
  assert.is(parseAnswer("1234,5", "numeric").value, 1234.5);
  // A descending pair that could be day and month is a date, not a range and not the value 10 (as it once read).
  const descending = parseAnswer("10-5", "numeric");
  assert.is(descending.kind, "unparseable");
  if (descending.kind === "unparseable") assert.is(descending.code, "date_only");
  // Not date-like: two values, never the first alone.
  assert.is(parseAnswer("140-90", "numeric").kind, "unparseable");
});

test("the fast JSON path and the full parser agree", () => {
  const shapes = [
    '{"answer": "yes", "explanation": "He said \\"no\\" once"}',
    '{"explanation": "x \\"answer\\": no", "answer": "yes"}',
    '{"evidence": {"answer": "no"}, "answer": "yes"}',
    '{"answer": "y\\u0065s"}',
    '{"answer": 1.5e1}',
    '{"answer": false, "x": 1}',
    '{"difficulty": 3, "answer": null}',
  ];
  const expected = [true, true, true, true, 15, false, null];
  shapes.forEach((text, i) => {
    const parsed = parseAnswer(text, "any");
    assert.is(parsed.value, expected[i], text);
    assert.is(parsed.source, "json", text);
  });
});

test("prefixes: 'Answer: -5' keeps its sign, 'A: yes' is read, 'a-fib' is not a prefix", () => {
  assert.is(parseAnswer("Answer: -5", "numeric").value, -5);
  assert.is(parseAnswer("Final answer = 12 mg", "numeric").value, 12);
  assert.is(parseAnswer("A: yes", "boolean").value, true);
  assert.is(parseAnswer("a-fib", "boolean").kind, "unparseable");
  assert.is(parseAnswer("After review, the answer is: No.", "boolean").value, false);
  assert.is(parseAnswer("On 2131-05-02 labs were drawn, so the answer is 7.1%", "numeric").value, 7.1);
});
test.run();
