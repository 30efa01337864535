import type { QuestionType } from "../types.js";
import { type Concept, findConcept } from "./concepts.js";
import { fromLabUnit, type LabRule, readLab } from "./lab-rules.js";
import { formatNumber, textWithinDays } from "./text-rules.js";

// The building blocks of the rule-based baseline's answers, shared by the three tasks' rule tables.

export interface BaselineAnswer {
  /** "yes", "no", a number as text, or "NA". */
  answer: string;
  /**
   * Which rule produced it and how (never note text: predictions must not copy restricted text):
   * `ABDOMINAL:abdominal-surgery`, `ABDOMINAL:negated`, `ABDOMINAL:absent`, `creatinine:max:converted`.
   */
  rule: string;
}

/** One rule: a note's (or an n2c2 patient's whole) text to an answer. */
export type Rule = (text: string) => BaselineAnswer;

/** A question the baseline answers: its id picks a rule; free-text questions are routed by their words. */
export type BaselineQuestion = { questionId: string; question: string; questionType: QuestionType };

export type Aggregate = "max" | "min" | "first" | "last";

export function labAnswer(text: string, lab: LabRule, aggregate: Aggregate, unit?: string): BaselineAnswer {
  const reading = readLab(text, lab);
  const values = reading.values.map((entry) => entry.value);
  const prefix = `${lab.name}:${aggregate}`;
  if (values.length === 0) {
    const skipped = Object.keys(reading.skipped);
    return {
      answer: "NA",
      rule: skipped.length ? `${prefix}:none-usable(${skipped.sort().join(",")})` : `${prefix}:none`,
    };
  }
  const index =
    aggregate === "max"
      ? values.indexOf(Math.max(...values))
      : aggregate === "min"
        ? values.indexOf(Math.min(...values))
        : aggregate === "first"
          ? 0
          : values.length - 1;
  let value = values[index];
  let rule = reading.values[index].converted ? `${prefix}:converted` : prefix;
  if (unit) {
    const inUnit = fromLabUnit(lab, value, unit);
    if (inUnit === undefined) return { answer: "NA", rule: `${prefix}:unknown-question-unit` };
    if (Math.abs(inUnit - value) > 1e-9) rule = `${prefix}:in-question-unit`;
    value = inUnit;
  }
  return { answer: formatNumber(value), rule };
}

export const yesNo = (value: boolean, rule: string): BaselineAnswer => ({ answer: value ? "yes" : "no", rule });

/** A yes/no from concept rows: the first row found names the answer; otherwise why none counted. */
export function conceptAnswer(id: string, text: string, concepts: readonly Concept[]): BaselineAnswer {
  let excluded: string | undefined;
  for (const concept of concepts) {
    const result = findConcept(text, concept);
    if (result.found) return yesNo(true, `${id}:${concept.name}`);
    excluded ??= result.excluded;
  }
  return yesNo(false, `${id}:${excluded ?? "absent"}`);
}

export const mentions = (text: string, concept: Concept) => findConcept(text, concept).found;

export function ageOf(text: string): BaselineAnswer {
  const match =
    /\b(\d{2,3})[- ]?(?:years?|yrs?|y)[- ]?(?:old|\.?o\.?|\/o)(?![a-z])/i.exec(text) ??
    /\bage[:\s]+(\d{2,3})\b/i.exec(text) ??
    // "63M with", "74 F w/": upper case only, to keep "10 m" (metres, minutes) out.
    /\b(\d{2,3}) ?[MF]\b(?= (?:with|w\/|who|presenting|presents|admitted))/.exec(text);
  return { answer: match ? String(Number(match[1])) : "NA", rule: "age" };
}

export function weightOf(text: string): BaselineAnswer {
  const pattern = /\b(?:weight|wt)\b[^0-9\n]{0,12}(\d+(?:\.\d+)?)\s*(kg|kilograms?|lbs?|pounds?)?/gi;
  let last: { value: number; unit: string } | undefined;
  for (const match of text.matchAll(pattern))
    last = { value: Number(match[1]), unit: (match[2] ?? "kg").toLowerCase() };
  if (!last) return { answer: "NA", rule: "weight" };
  const kg = last.unit.startsWith("l") || last.unit.startsWith("p") ? last.value * 0.45359237 : last.value;
  return { answer: formatNumber(kg, 1), rule: "weight" };
}

export const has =
  (id: string, ...concepts: Concept[]): Rule =>
  (text) =>
    conceptAnswer(id, text, concepts);

export const within =
  (days: number, rule: Rule): Rule =>
  (text) =>
    rule(textWithinDays(text, days));
