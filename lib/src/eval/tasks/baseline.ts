import { APIXABAN_RULES } from "./apixaban/rules.js";
import type { BaselineAnswer, BaselineQuestion, Rule } from "./internal/answer-rules.js";
import { N2C2_RULES } from "./n2c2/rules.js";
import { freeTextAnswer } from "./synthetic/rules.js";
import type { EvalItem, Prediction } from "./types.js";

export type { BaselineAnswer } from "./internal/answer-rules.js";

/**
 * A rule-based baseline "model": a readable table of concept rows (internal/concepts.ts: patterns
 * plus the scope rules negation, allergy, other person, past) and lab rows (internal/lab-rules.ts:
 * labels, units, ranges), in one rule table per task beside its questions (n2c2/rules.ts,
 * apixaban/rules.ts, synthetic/rules.ts), for the 13 n2c2 criteria, the 23 apixaban questions, and lab-value or
 * condition questions in general. It runs offline and answers in the same JSON text a model is asked
 * for, so its predictions go through the same parsing and scoring as any model's. The best n2c2 2018
 * systems were rule-based: this is an honest comparator, not a strawman. On the sample data its
 * numbers are a demo, not a result.
 */
export const BASELINE_MODEL = "baseline-rules-v2";

/** Rules by question id: n2c2 criteria (longitudinal text) and apixaban questions (one note). */
const RULES: Record<string, Rule> = { ...N2C2_RULES, ...APIXABAN_RULES };

/** Question ids the baseline has a dedicated rule for. */
export const BASELINE_RULE_IDS: readonly string[] = Object.keys(RULES);

/** The baseline's answer to one question about one note (n2c2: the patient's whole TEXT). */
export function baselineAnswer(noteText: string, question: BaselineQuestion): BaselineAnswer {
  const rule = RULES[question.questionId];
  return rule ? rule(noteText) : freeTextAnswer(noteText, question.question, question.questionType);
}

/** The answer as the JSON text the evaluation prompt asks a model for. */
export function baselineText(answer: BaselineAnswer): string {
  return JSON.stringify({ answer: answer.answer, explanation: `rule-based baseline (${answer.rule})` });
}

/**
 * Run the baseline over items, in item order. `noteText` looks a note up by id; an item whose note
 * is missing gets a failed prediction (reason no_content) so it is scored as wrong, never dropped.
 */
export function runBaseline(items: Iterable<EvalItem>, noteText: (noteId: string) => string | undefined): Prediction[] {
  const predictions: Prediction[] = [];
  for (const item of items) {
    const text = noteText(item.noteId);
    if (text === undefined) {
      predictions.push({
        item_id: item.itemId,
        model: BASELINE_MODEL,
        ok: false,
        text: "",
        reason: "no_content",
        finish_reason: "error",
      });
      continue;
    }
    predictions.push({
      item_id: item.itemId,
      model: BASELINE_MODEL,
      ok: true,
      text: baselineText(baselineAnswer(text, item)),
      finish_reason: "stop",
      cached: false,
    });
  }
  return predictions;
}
