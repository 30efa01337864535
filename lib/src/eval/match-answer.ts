/**
 * Compare a parsed prediction with a gold answer. Exact match is the paper's rule (same kind; same yes/no;
 * both "not answerable"; the same number after parsing, so "7.20", "7,2" and "7.2 %" all equal 7.2; units
 * are not compared because the question fixes the unit). A tolerance match is reported beside it, never
 * instead of it.
 */
import { z } from "zod";
import { ToolkitError } from "../core/errors.js";
import { UNPARSEABLE } from "./labels.js";
import { type ExpectedAnswer, type ParseContext, type ParsedAnswer, parseAnswer } from "./parse-answer.js";

/** Numeric tolerance: a number matches when |pred - gold| <= max(absolute, relative * |gold|). */
export const toleranceSchema = z
  .object({
    absolute: z.number().nonnegative().default(0),
    relative: z.number().nonnegative().default(0),
  })
  .strict();
export type Tolerance = z.input<typeof toleranceSchema>;

export interface AnswerMatch {
  /** The paper's exact match after normalisation. */
  exact: boolean;
  /** Exact, or a number within the tolerance (a range must lie wholly within it). */
  withinTolerance: boolean;
}

/** A gold answer as a table holds it ("yes", "7.2", "NA") or already parsed. */
export type GoldAnswer = string | ParsedAnswer;

/**
 * Parse a gold answer; a gold value that cannot be read is an error (gold must be clean), naming the value.
 * `context` (the question) converts a lab value to the question's unit, as the prediction is.
 */
export function parseGold(
  gold: GoldAnswer,
  expected: ExpectedAnswer = "any",
  context: ParseContext = {},
): ParsedAnswer {
  const parsed = typeof gold === "string" ? parseAnswer(gold, expected, context) : gold;
  if (parsed.kind === "unparseable") {
    throw new ToolkitError(`gold answer ${JSON.stringify(parsed.raw)} cannot be read (${parsed.reason})`, {
      stage: "eval",
      field: "gold",
    });
  }
  if (parsed.kind === "number" && parsed.range) {
    throw new ToolkitError(`gold answer ${JSON.stringify(parsed.raw)} is a range; gold must be one value`, {
      stage: "eval",
      field: "gold",
    });
  }
  return parsed;
}

/** Exact and tolerance match of one prediction against gold (gold first, by name). */
export function matchAnswer(args: {
  gold: GoldAnswer;
  pred: ParsedAnswer;
  tolerance?: Tolerance;
  expected?: ExpectedAnswer;
  /** The question text, for reading a gold table cell as the prediction was read. */
  question?: string;
}): AnswerMatch {
  const gold = parseGold(args.gold, args.expected, { question: args.question });
  const { pred } = args;
  if (pred.kind === "unparseable" || pred.kind !== gold.kind) return { exact: false, withinTolerance: false };
  if (pred.kind === "na") return { exact: true, withinTolerance: true };
  if (pred.kind === "boolean") {
    const same = pred.value === (gold as { value: boolean }).value;
    return { exact: same, withinTolerance: same };
  }
  const goldValue = (gold as { value: number }).value;
  // A range is a hedge: exact only if it collapses onto the gold value.
  const [low, high] = pred.range ?? [pred.value, pred.value];
  const exact = low === goldValue && high === goldValue;
  // Checked by hand, not by zod: this runs once per item over tens of thousands of items.
  const absolute = args.tolerance?.absolute ?? 0;
  const relative = args.tolerance?.relative ?? 0;
  if (!(absolute >= 0) || !(relative >= 0)) {
    throw new RangeError(`matchAnswer: tolerance must be non-negative numbers, got ${JSON.stringify(args.tolerance)}`);
  }
  const allowed = Math.max(absolute, relative * Math.abs(goldValue));
  // The 1e-12 relative slack absorbs binary rounding (0.1 + 0.2 style), not clinical imprecision.
  const slack = 1e-12 * Math.max(1, Math.abs(goldValue));
  const within = Math.abs(low - goldValue) <= allowed + slack && Math.abs(high - goldValue) <= allowed + slack;
  return { exact, withinTolerance: exact || within };
}

/**
 * The class label of a parsed answer for classification metrics: "yes", "no", "NA", the number in
 * canonical form ("7.2"; a range "6.5-7"), or "unparseable" (never a gold label, so always wrong).
 */
export function answerLabel(answer: ParsedAnswer): string {
  switch (answer.kind) {
    case "boolean":
      return answer.value ? "yes" : "no";
    case "na":
      return "NA";
    case "number":
      return answer.range ? `${answer.range[0]}-${answer.range[1]}` : String(answer.value);
    default:
      return UNPARSEABLE;
  }
}
