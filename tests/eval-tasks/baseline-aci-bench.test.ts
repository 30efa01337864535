/**
 * The baseline's rules on the 207 real ACI-BENCH visit notes (read in place, never copied). The
 * oracles here are deliberately simpler than the rules: sentences that open with a denial and hold no
 * contrast word, the bodies of FAMILY HISTORY sections, and the characters around every match.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BASELINE_RULE_IDS, baselineAnswer } from "../../lib/src/eval/tasks/baseline.js";
import { CONCEPTS, type Concept, conceptPatterns, findConcept } from "../../lib/src/eval/tasks/internal/concepts.js";
import { labPatterns } from "../../lib/src/eval/tasks/internal/lab-rules.js";
import { aciBenchNotes } from "../helpers/aci-bench.js";

const notes = await aciBenchNotes();
const rows = Object.values(CONCEPTS) as Concept[];
const mentioned = (text: string, concept: Concept) =>
  conceptPatterns().some(
    ({ name, pattern }) => name === concept.name && new RegExp(pattern.source, pattern.flags).test(text),
  );

// "The patient denies A, B, or C." / "• Respiratory: Denies A." / "No A or B.": everything listed is denied.
const LABEL = /^(?:[•\-*]\s*)?(?:[A-Z][A-Za-z ]{0,30}:\s*)?/;
const DENIAL = /^(?:(?:The patient|Patient|She|He)\s+(?:also\s+)?)?(?:denies|no)\b/i;
const CONTRAST =
  /\b(?:but|however|although|though|except|reports?|endorses?|positive|admits|has|had|is|was|states?|who|which|and (?:she|he))\b/i;

function sentences(text: string): string[] {
  return text.split(/\n+/).flatMap((line) => line.split(/(?<=[.!?])\s+/));
}

test("real notes: in sentences that open with a denial, no concept counts", () => {
  if (!notes) return;
  let denials = 0;
  let deniedMentions = 0;
  for (const note of notes) {
    for (const line of sentences(note.text)) {
      // The part after a field label ("• Respiratory: Denies ..."): the label itself is not denied.
      const sentence = line.replace(LABEL, "");
      if (!DENIAL.test(sentence) || CONTRAST.test(sentence)) continue;
      denials++;
      for (const concept of rows) {
        if (concept.name === "english-speaker" || concept.name === "non-english") continue;
        if (!mentioned(sentence, concept)) continue;
        deniedMentions++;
        assert.not.ok(findConcept(sentence, concept).found, `${note.id}: ${concept.name} counted in a denial`);
      }
    }
  }
  assert.ok(denials > 300, `denial sentences: ${denials}`);
  assert.ok(deniedMentions >= 10, `denied concept mentions: ${deniedMentions}`);
});

// An all-capitals header line ("FAMILY HISTORY") up to the next one.
function familySections(text: string): string[] {
  const parts = text.split(/^(?=[A-Z][A-Z &/]{2,60}:?\s*$)/m);
  return parts.filter((part) => /^FAMILY HISTORY\b/.test(part));
}

test("real notes: conditions in FAMILY HISTORY sections are not the patient's", () => {
  if (!notes) return;
  let familyMentions = 0;
  let wholeNotes = 0;
  const conditions = rows.filter((row) => row.excludes.includes("other-person"));
  for (const note of notes) {
    for (const section of familySections(note.text)) {
      for (const concept of conditions) {
        if (!mentioned(section, concept)) continue;
        familyMentions++;
        assert.not.ok(findConcept(section, concept).found, `${note.id}: ${concept.name} in family history counted`);
      }
      // Whole notes whose only mention of diabetes / hypertension is in the family history.
      const rest = note.text.replace(section, "");
      for (const [id, pattern] of [
        ["apx-diabetes", /diabet|\bDM\b|T2DM/i],
        ["apx-hypertension", /hypertension|\bHTN\b|high blood pressure/i],
      ] as const) {
        if (pattern.test(section) && !pattern.test(rest)) {
          wholeNotes++;
          const result = baselineAnswer(note.text, { questionId: id, question: "", questionType: "boolean" });
          assert.is(result.answer, "no", `${note.id}: ${id} from the family history (${result.rule})`);
        }
      }
    }
  }
  assert.ok(familyMentions >= 10, `family-history mentions: ${familyMentions}`);
  assert.ok(wholeNotes >= 2, `whole notes checked: ${wholeNotes}`);
});

test("real notes: no rule matches inside a longer word", () => {
  if (!notes) return;
  const patterns = [...conceptPatterns(), ...labPatterns()];
  let matches = 0;
  for (const note of notes) {
    for (const { name, pattern } of patterns) {
      for (const match of note.text.matchAll(pattern)) {
        matches++;
        const start = match.index ?? 0;
        const before = note.text.slice(Math.max(0, start - 4), start);
        const after = note.text.charAt(start + match[0].length);
        assert.not.match(before, /[\p{L}\p{N}]$|\bnon[- ]$/iu, `${note.id}: ${name} "${match[0]}" after "${before}"`);
        assert.not.match(after, /[\p{L}\p{N}]/u, `${note.id}: ${name} "${match[0]}" before "${after}"`);
      }
    }
  }
  assert.ok(matches > 500, `matches checked: ${matches}`);
});

test("real notes: every rule answers every note with yes / no / a number / NA and names itself", () => {
  if (!notes) return;
  for (const note of notes) {
    for (const questionId of BASELINE_RULE_IDS) {
      const result = baselineAnswer(note.text, { questionId, question: "", questionType: "boolean" });
      assert.match(result.answer, /^(?:yes|no|NA|-?\d+(?:\.\d+)?)$/, `${note.id} ${questionId}`);
      assert.match(result.rule, /^[A-Za-z0-9-]+(?::[\w(),+-]+)*$/, `${note.id} ${questionId}: ${result.rule}`);
    }
  }
});

test.run();
