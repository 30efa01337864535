import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseTeacherText } from "../../lib/src/synth/parse-response.js";

const body = '{"questions":[{"question":"a \\"quoted\\" {brace}","answer":"Yes"}]}';

test("clean JSON parses with no recovery", () => {
  const parsed = parseTeacherText(body);
  assert.ok(parsed.ok);
  if (parsed.ok) assert.is(parsed.recovered, "none");
});

test("code fence with and without language, and prose around JSON", () => {
  for (const [text, how] of [
    ["```json\n" + body + "\n```", "fence"],
    ["```\n" + body + "\n```", "fence"],
    ["Sure! Here it is:\n" + body + "\nHope this helps.", "prose"],
    ["Sure:\n```json\n" + body + "\n```\nDone.", "fence"],
  ] as const) {
    const parsed = parseTeacherText(text);
    assert.ok(parsed.ok, text);
    if (parsed.ok) {
      assert.is(parsed.recovered, how, text);
      assert.equal(parsed.value, JSON.parse(body));
    }
  }
});

test("truncated JSON, inside a string or an object, and in an unclosed fence", () => {
  for (const text of ['{"questions":[{"question":"a', '{"questions":[', '```json\n{"questions": [1, 2']) {
    const parsed = parseTeacherText(text);
    assert.not.ok(parsed.ok);
    if (!parsed.ok) assert.is(parsed.reason, "truncated", text);
  }
});

test("no content and unparseable", () => {
  for (const text of ["", "   ", null, undefined]) {
    const parsed = parseTeacherText(text);
    assert.ok(!parsed.ok && parsed.reason === "no_content");
  }
  for (const text of ["I cannot help with that.", "{not: json}"]) {
    const parsed = parseTeacherText(text);
    assert.ok(!parsed.ok && parsed.reason === "unparseable", text);
  }
});

test("a bare array is returned as is", () => {
  const parsed = parseTeacherText('[{"question":"q"}]');
  assert.ok(parsed.ok && Array.isArray(parsed.value));
});

test("repairs: raw line breaks inside strings, trailing commas, single quotes, Python literals; counted, strings untouched", () => {
  const text = '{"questions":[{"question":"Was the HbA1c\nabove 7?\tYes","answer":"Yes, \\"}, ]",},],}';
  const parsed = parseTeacherText(text);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  if (!parsed.ok) return;
  assert.is(parsed.repaired, true);
  assert.is(parsed.recovered, "none");
  assert.equal(parsed.value, { questions: [{ question: "Was the HbA1c\nabove 7?\tYes", answer: 'Yes, "}, ]' }] });
  const fenced = parseTeacherText("```json\n" + text + "\n```");
  assert.ok(fenced.ok && fenced.recovered === "fence" && fenced.repaired);
  const clean = parseTeacherText(body);
  assert.ok(clean.ok && !clean.repaired);
  const python = parseTeacherText("{'questions': [{'question': 'On warfarin?', 'answer': True}]}");
  assert.ok(python.ok && python.repaired);
  if (python.ok) assert.equal(python.value, { questions: [{ question: "On warfarin?", answer: true }] });
  const quoted = parseTeacherText(`{'questions': [{'question': 'Is it "high" {per} the note?'}]}`);
  assert.ok(quoted.ok && quoted.repaired, "brackets and double quotes inside a single-quoted string");
  // Still refused: reading these would take a guess.
  for (const bad of ['{"a": 1 "b": 2}', '{"a": [1, 2,, 3]}', "{not: json}"]) {
    const result = parseTeacherText(bad);
    assert.ok(!result.ok && result.reason === "unparseable", bad);
  }
});

test.run();
