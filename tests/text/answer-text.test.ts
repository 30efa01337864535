import { test } from "uvu";
import * as assert from "uvu/assert";
import { countAnswerProblems, type ExpectedAnswer, parseAnswer } from "../../lib/src/eval/index.js";
import { gradeItem } from "../../lib/src/eval/tasks/grade.js";
import { n2c2Question } from "../../lib/src/eval/tasks/n2c2/questions.js";
import type { EvalItem } from "../../lib/src/eval/tasks/types.js";
import { validateItem } from "../../lib/src/synth/validate-item.js";
import { type AnswerExpect, type AnswerReading, readAnswerText } from "../../lib/src/text/answer-text.js";
import { aciBenchNotes } from "../helpers/aci-bench.js";

const CREATININE_MAX = "What is the highest serum creatinine value recorded for the patient, in mg/dL?";
const HBA1C = "What was the HbA1c?";
const ASPIRIN = "Does the patient take aspirin to prevent myocardial infarction?";

const read = (text: string, expected: AnswerExpect, question?: string): AnswerReading =>
  readAnswerText(text, expected, { question });

function isNumber(reading: AnswerReading, value: number, label: string): void {
  assert.is(reading.kind, "number", `${label}: ${JSON.stringify(reading)}`);
  if (reading.kind === "number") assert.is(reading.value, value, label);
}
function isProblem(reading: AnswerReading, problem: string, label: string): void {
  assert.is(
    reading.kind === "problem" ? reading.problem : reading.kind,
    problem,
    `${label}: ${JSON.stringify(reading)}`,
  );
}

test("ranges and lists are kept as such; the question's rule picks a value, else a named outcome", () => {
  const range = read("1.1 to 1.4", "numeric");
  assert.equal(range.kind === "number" && range.range, [1.1, 1.4]);
  isNumber(read("1.1 to 1.4", "numeric", CREATININE_MAX), 1.4, "highest of a range");
  isProblem(read("1.7 mg/dL and 2.1 mg/dL", "numeric"), "ambiguous_values", "list without a rule");
  isNumber(read("1.7 mg/dL and 2.1 mg/dL", "numeric", CREATININE_MAX), 2.1, "highest of a list");
  // The last of a trend is not the answer to "highest".
  isNumber(
    read("Creatinine 1.2 on admission, peaked at 2.3, 1.5 at discharge", "numeric", CREATININE_MAX),
    2.3,
    "peak",
  );
  isNumber(read("1.2, 1.5, 1.8", "numeric", "What was the lowest creatinine?"), 1.2, "min");
  isNumber(read("1.2, 1.5, 1.8", "numeric", "What was the creatinine on admission?"), 1.2, "first");
  isNumber(read("1.2, 1.5, 1.8", "numeric", "What is the most recent creatinine?"), 1.8, "last");
  isNumber(read("1.2, 1.5, 1.8", "numeric", "What was the creatinine at discharge?"), 1.8, "at discharge");
  // "in the last 6 months" is a time window, not the "last" rule.
  isProblem(
    read("1.2, 1.5, 1.8", "numeric", "What was the creatinine in the last 6 months?"),
    "ambiguous_values",
    "window",
  );
  // "highest ... on admission": max wins over first.
  isNumber(read("1.2, 1.8, 1.5", "numeric", "What was the highest creatinine on admission?"), 1.8, "max over first");
  // A value given for comparison came earlier: it answers "baseline", and gives way to the current value.
  const upFrom = "The creatinine was 1.2 mg/dL, up from a baseline of 0.9 mg/dL.";
  isNumber(read(upFrom, "numeric", "What was the creatinine?"), 1.2, "current over the earlier value");
  isNumber(read(upFrom, "numeric", "What was the baseline creatinine?"), 0.9, "baseline");
  isNumber(read("Creatinine 1.2 (previously 0.9)", "numeric", "What is the current creatinine?"), 1.2, "previously");
  // Reference ranges, other labs named before their values, ages and an explanation after the answer.
  isNumber(read("Creatinine 1.3 mg/dL (ref 0.6-1.2)", "numeric", "What was the creatinine?"), 1.3, "ref range");
  isNumber(read("The INR was 2.5 (goal 2-3).", "numeric", "What was the INR?"), 2.5, "goal");
  isNumber(read("Sodium 128, potassium 4.1, creatinine 1.8", "numeric", "What was the sodium?"), 128, "other labs");
  isNumber(read("Sodium 128, potassium 4.1, creatinine 1.8", "numeric", "What was the creatinine?"), 1.8, "lab list");
  isNumber(read("A 65-year-old man. His creatinine is 1.3 mg/dL.", "numeric", "What was the creatinine?"), 1.3, "age");
  isNumber(read("He is a 72-year-old man", "numeric", "What is the patient's age in years?"), 72, "age asked");
  isNumber(read("Answer: 2\nExplanation: syncope on 1/3 and 1/5.", "numeric", "How many episodes?"), 2, "explanation");
  // The same value twice is one value.
  isNumber(read("1.4 (1.4)", "numeric"), 1.4, "repeated value");
});

test("dates and times are never values", () => {
  isProblem(read("22 Nov 2025", "numeric"), "date_only", "22 Nov 2025");
  isProblem(read("2025-11-22", "numeric"), "date_only", "ISO date");
  isProblem(read("on 3/12", "numeric"), "date_only", "on 3/12");
  isProblem(read("14:30", "numeric"), "date_only", "time");
  isNumber(read("On 3/14 the creatinine was 2.1", "numeric"), 2.1, "value after a date");
  isNumber(read("HbA1c 8.1% on Nov 22, 2025", "numeric"), 8.1, "value before a date");
  isNumber(read("HbA1c 8.1% in 2019", "numeric"), 8.1, "a year");
  isNumber(read("Glucose 180 at 14:30", "numeric"), 180, "value before a time");
  // Australian durations (2/52 = two weeks) are not values either.
  isNumber(read("Cr 1.3, 2/52 ago", "numeric"), 1.3, "duration");
});

test("approximations are kept and flagged; number words are read", () => {
  for (const [text, value] of [
    ["approximately 8", 8],
    ["~0.9", 0.9],
    ["about 5 mg", 5],
    ["≈ 120", 120],
    ["roughly 7.5%", 7.5],
  ] as const) {
    const reading = read(text, "numeric");
    isNumber(reading, value, text);
    assert.is(reading.kind === "number" && reading.approximate, true, `${text}: flagged`);
  }
  isNumber(read("Five", "numeric"), 5, "Five");
  isNumber(read("twelve", "numeric"), 12, "twelve");
  isNumber(read("twenty-two days", "numeric"), 22, "compound");
  isNumber(read("one hundred and five", "numeric"), 105, "hundred");
  isNumber(read("Creatinine 0.9 mg/dL", "numeric"), 0.9, "label before the value");
});

test("units: only real-looking ones are kept; the same quantity in two units is one value", () => {
  const junk = read("1.4 mg/dL on 3/12", "numeric");
  assert.is(junk.kind === "number" && junk.unit, "mg/dL", "no junk after the unit");
  const onAdmission = read("98 on admission", "numeric");
  assert.is(onAdmission.kind === "number" && onAdmission.unit, undefined, "'on' is not a unit");
  isNumber(read("58 mmol/mol (7.5%)", "numeric", HBA1C), 7.5, "HbA1c in two units");
  isNumber(read("58 mmol/mol (7.5%)", "numeric"), 58, "two units, no question: one value");
  isNumber(read("1.2 mg/dL (106 µmol/L)", "numeric", CREATININE_MAX), 1.2, "creatinine in two units");
  isProblem(read("1.2 mg/dL (300 µmol/L)", "numeric", CREATININE_MAX), "conflicting", "two units that disagree");
  const micromol = read("106 µmol/L", "numeric", CREATININE_MAX);
  isNumber(micromol, 1.2, "creatinine converted to mg/dL");
  assert.equal(micromol.kind === "number" && micromol.converted, { value: 106, unit: "µmol/L" });
  isNumber(read("58 mmol/mol", "numeric", HBA1C), 7.5, "IFCC to NGSP");
  isNumber(read("8 percent", "numeric", HBA1C), 8, "percent spelled out");
  isNumber(read("7.2 mmol/L", "numeric", "What was the fasting glucose in mg/dL?"), 130, "glucose to mg/dL");
  // Unitless: the question's unit, unless the size is impossible in it (creatinine 120 mg/dL).
  isNumber(read("1.3", "numeric", CREATININE_MAX), 1.3, "unitless in the question's unit");
  isNumber(read("120", "numeric", CREATININE_MAX), 1.36, "unitless µmol/L by size");
  isNumber(read("30", "numeric", "What was the lowest glucose in mg/dL?"), 30, "a unit the question names is trusted");
  isProblem(read("1.2 mg", "numeric", CREATININE_MAX), "unknown_unit", "a unit creatinine is never in");
  isNumber(read("Creatinine 1.9 mg/dL on hospital day 3", "numeric", CREATININE_MAX), 1.9, "ordinal label");
  isNumber(read("2.1 mg/dL, 3 days after admission", "numeric", "What was the creatinine?"), 2.1, "a duration beside");
  isProblem(read("120/80", "numeric"), "ratio", "blood pressure");
  isNumber(read("120/80", "numeric", "What was the systolic blood pressure?"), 120, "systolic");
  const vitals = "Blood pressure of 124/80, heart rate is 64, weight 174 pounds, and pain is 0/10.";
  isNumber(read(vitals, "numeric", "What was the diastolic blood pressure?"), 80, "diastolic among vitals");
  isNumber(read("Current weight 120 pounds, previous weight 130", "numeric", "What is the weight?"), 120, "previous");
});

test("yes/no prose: a closing conclusion wins, negated statements are no, hedges are named", () => {
  const cases: [string, boolean | string, string?][] = [
    ["The patient does not take aspirin", false],
    ["The patient does not take aspirin.", false, ASPIRIN],
    ["He has coronary disease and takes aspirin daily. So yes.", true],
    ["Aspirin was stopped last year. Therefore, no.", false],
    ["Although aspirin is listed, the answer is no", false],
    ["No, there is no history of stroke.", false],
    ["There is no history of stroke", false, "Has the patient had a stroke?"],
    ["Denies alcohol use", false, "Does the patient currently drink alcohol above weekly recommended limits?"],
    ["The patient takes aspirin 81 mg daily", true, ASPIRIN],
    ["The patient takes aspirin and does not smoke", true, ASPIRIN],
    ["The patient may be on aspirin", "unclear_boolean", ASPIRIN],
    ["The patient is doing well", "unclear_boolean"],
    ["The patient does not smoke", "unclear_boolean", ASPIRIN],
    // Sharing only the question's verb is no answer ("speak English?").
    ["The patient speaks only Spanish", "unclear_boolean", "Does the patient speak English?"],
    ["He speaks English and Spanish", true, "Does the patient speak English?"],
    ["Yes/No", "conflicting"],
    ["Patient is a nonsmoker", false, "Does the patient smoke?"],
    ["He has prediabetes", "unclear_boolean", "Does the patient have diabetes mellitus?"],
    ["Likely yes", "unclear_boolean"],
    ["Negative for DVT", false, "Does the patient have a DVT?"],
    ["The patient has diabetes but no retinopathy", "conflicting", "Does the patient have diabetic retinopathy?"],
  ];
  for (const [text, want, question] of cases) {
    const reading = read(text, "boolean", question);
    const got =
      reading.kind === "boolean" ? reading.value : reading.kind === "problem" ? reading.problem : reading.kind;
    assert.is(got, want, `${text}: ${JSON.stringify(reading)}`);
  }
});

test("not answerable phrasings, and None/No told apart", () => {
  for (const text of [
    "Not mentioned in the note",
    "None",
    "No information",
    "-",
    "--",
    "not documented",
    "I cannot answer this based on the note.",
    "The note does not specify the dose.",
    "The note does not mention aspirin",
    "Insufficient information",
    "I don't know",
    "Unclear from the note",
  ]) {
    assert.is(read(text, "boolean").kind, "na", `${text} (yes/no question)`);
    assert.is(read(text, "numeric").kind, "na", `${text} (numeric question)`);
  }
  assert.equal(read("No", "boolean"), { kind: "boolean", value: false });
  isProblem(read("No", "numeric"), "boolean_for_number", "No to a numeric question");
  // "Not measured": no value for a number, but a plain no for "was it measured?".
  assert.is(read("HbA1c was not measured", "numeric").kind, "na");
  assert.is(read("No creatinine value was documented", "numeric").kind, "na");
  assert.equal(read("No aspirin was given", "boolean"), { kind: "boolean", value: false });
  // The patient as subject of "does not mention" is a no, not NA.
  assert.equal(read("The patient does not mention chest pain", "boolean"), { kind: "boolean", value: false });
});

test("model outputs: a correcting second JSON answer wins, a cut-off answer is truncated_json", () => {
  const corrected = parseAnswer('{"answer": "1.2"}\nCorrection: {"answer": "1.4"}', "numeric");
  assert.is(corrected.value, 1.4);
  const flipped = parseAnswer('{"answer": "yes"} On review: {"answer": "no", "explanation": "x"}', "boolean");
  assert.is(flipped.value, false);
  for (const cut of ['{"answer": "1.', '{"answer": 1.', '{"answer": 12']) {
    const parsed = parseAnswer(cut, "numeric");
    assert.is(parsed.kind === "unparseable" && parsed.code, "truncated_json", cut);
  }
  // A complete answer in cut-off JSON still answers.
  assert.is(parseAnswer('{"answer": "1.4", "explanation": "Cr pea', "numeric").value, 1.4);
  // Unparseable outcomes carry a named code, and the reason starts with it.
  const list = parseAnswer('{"answer": "1.7 mg/dL and 2.1 mg/dL"}', "numeric");
  assert.is(list.kind === "unparseable" && list.code, "ambiguous_values");
  assert.match(list.kind === "unparseable" ? list.reason : "", /^ambiguous_values: /);
  const counts = countAnswerProblems(
    ['{"answer": "1.', '{"answer": "1 or 2"}', "22 Nov 2025", "7.2"].map((text) => parseAnswer(text, "numeric")),
  );
  assert.equal(counts, { truncated_json: 1, ambiguous_values: 1, date_only: 1 });
});

test("n2c2 lab criteria: the question's 'highest' takes the maximum, other units are converted", () => {
  const grade = (criterion: "CREATININE" | "HBA1C", text: string) => {
    const question = n2c2Question(criterion);
    const item: EvalItem = {
      itemId: `n2c2:${criterion}`,
      task: "n2c2",
      noteId: "p1",
      questionId: criterion,
      questionType: "numeric",
      question: question.text,
      gold: "met",
    };
    return gradeItem(item, { item_id: item.itemId, model: "m", ok: true, text }).pred;
  };
  // The last of a trend is under the threshold; the peak is over it.
  assert.is(grade("CREATININE", '{"answer": "2.1 mg/dL on 3/12, then 1.1 mg/dL at discharge"}'), "met");
  // 150 µmol/L is 1.7 mg/dL (> 1.3); read as 150 mg/dL it would be met too, but 100 µmol/L (1.13) is not.
  assert.is(grade("CREATININE", '{"answer": "100 µmol/L"}'), "not met");
  // 58 mmol/mol is 7.5 % (within 6.5-9.5); the raw 58 would be outside the range.
  assert.is(grade("HBA1C", '{"answer": "58 mmol/mol"}'), "met");
});

// The same text through step b (validateItem) and the evaluation (parseAnswer): the same reading.
const PROBES: [string, "numeric" | "boolean" | "na_numeric" | "na_boolean", string][] = [
  ["1.1 to 1.4", "numeric", "What was the creatinine?"],
  ["1.1 to 1.4", "numeric", CREATININE_MAX],
  ["1.7 mg/dL and 2.1 mg/dL", "numeric", "What was the creatinine?"],
  ["1.7 mg/dL and 2.1 mg/dL", "numeric", CREATININE_MAX],
  ["22 Nov 2025", "numeric", "What was the creatinine?"],
  ["approximately 8", "numeric", "What was the HbA1c?"],
  ["~0.9", "numeric", "What was the creatinine?"],
  ["Creatinine 0.9 mg/dL", "numeric", "What was the creatinine?"],
  ["Five", "numeric", "How many days was the patient on IV antibiotics?"],
  ["1.4 mg/dL on 3/12", "numeric", "What was the creatinine?"],
  ["58 mmol/mol (7.5%)", "numeric", HBA1C],
  ["106 µmol/L", "numeric", CREATININE_MAX],
  ["On 3/14 the creatinine was 2.1", "numeric", "What was the creatinine?"],
  ["1.2 mg", "numeric", "What was the creatinine?"],
  ["Not mentioned in the note", "na_numeric", "What was the LDL?"],
  ["None", "na_boolean", "Is the patient on warfarin?"],
  ["No information", "na_boolean", "Is the patient on warfarin?"],
  ["-", "na_numeric", "What was the LDL?"],
  ["The patient does not take aspirin", "boolean", ASPIRIN],
  ["Yes", "boolean", ASPIRIN],
  ["He takes aspirin for his stents. So yes.", "boolean", ASPIRIN],
  ["The patient may be on aspirin", "boolean", ASPIRIN],
];

function stepB(answer: string, type: string, question: string): string {
  const checked = validateItem({ question, type, answer, section: "s", source: "q", difficulty: 3, explanation: "e" });
  if (!checked.ok) {
    if (checked.reason === "boolean_not_yes_no" || checked.reason === "numeric_not_number") {
      return `problem:${/\((\w+):/.exec(checked.detail)?.[1] ?? checked.reason}`;
    }
    return `problem:${checked.reason}`;
  }
  const item = checked.item;
  if (item.answer === "NA") return "na";
  if (item.answerBool !== null) return `boolean:${item.answerBool}`;
  return `number:${item.answerNumber}`;
}

function evaluation(answer: string, type: string, question: string): string {
  const expected: ExpectedAnswer = type === "boolean" || type === "na_boolean" ? "boolean" : "numeric";
  const parsed = parseAnswer(JSON.stringify({ answer }), expected, { question });
  if (parsed.kind === "unparseable") return `problem:${parsed.code}`;
  if (parsed.kind === "na") return "na";
  if (parsed.kind === "boolean") return `boolean:${parsed.value}`;
  // A range stays a range in evaluation (scored as a hedge); step b rejects it as a target by name.
  if (parsed.range) return "problem:range_for_single_value";
  return `number:${parsed.value}`;
}

test("step b and evaluation read the same text the same way", () => {
  const seen = new Set<string>();
  for (const [answer, type, question] of PROBES) {
    const b = stepB(answer, type, question);
    assert.is(evaluation(answer, type, question), b, `${JSON.stringify(answer)} (${type}; ${question})`);
    seen.add(b.split(":")[0]);
  }
  // The probes cover values, NA, yes/no and named problems.
  assert.equal([...seen].sort(), ["boolean", "na", "number", "problem"]);
});

test("real ACI-BENCH note sentences: lab and vital answers read as a value or a named reason", async () => {
  const notes = await aciBenchNotes();
  if (!notes) return;
  const LAB = /\b(?:a1c|hba1c|hemoglobin a1c|creatinine|glucose|blood sugar|blood pressure|weight|weighs)\b/i;
  const sentences: string[] = [];
  for (const note of notes) {
    for (const line of note.text.split(/\n+/)) {
      for (const sentence of line.split(/(?<=\.)\s+/)) {
        if (LAB.test(sentence) && /\d/.test(sentence) && sentence.length < 240) sentences.push(sentence.trim());
      }
    }
  }
  assert.ok(sentences.length >= 50, `expected real lab/vital sentences, found ${sentences.length}`);
  const kinds: Record<string, number> = {};
  for (const sentence of sentences) {
    const question = /a1c/i.test(sentence)
      ? "What was the most recent hemoglobin A1c?"
      : /creatinine/i.test(sentence)
        ? "What was the most recent creatinine?"
        : /glucose|sugar/i.test(sentence)
          ? "What was the most recent blood glucose?"
          : /pressure/i.test(sentence)
            ? "What was the systolic blood pressure?"
            : "What is the patient's weight in pounds?";
    const reading = read(sentence, "numeric", question);
    const kind = reading.kind === "problem" ? reading.problem : reading.kind;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    assert.ok(["number", "na", "problem"].includes(reading.kind), sentence);
    if (reading.kind === "number") {
      // Never a date's digits as the value, never a unit with trailing words.
      for (const date of sentence.matchAll(/\b(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?\b/g)) {
        const [, a, b] = date.map(Number);
        if (a >= 1 && a <= 12 && b >= 1 && b <= 31 && b !== 10) {
          assert.is.not(reading.value, a, `${sentence}: date digit read as value`);
        }
      }
      if (reading.unit) assert.not.match(reading.unit, /\s/, `${sentence}: unit "${reading.unit}"`);
      assert.ok(Number.isFinite(reading.value), sentence);
    } else if (reading.kind === "problem") {
      assert.ok(reading.detail.length > 0, sentence);
    }
  }
  // Most real sentences give a value; print the tally for the record.
  console.log(`ACI-BENCH lab/vital sentences: ${sentences.length}; readings ${JSON.stringify(kinds)}`);
  assert.ok((kinds.number ?? 0) > sentences.length / 3, JSON.stringify(kinds));
});

test.run();
