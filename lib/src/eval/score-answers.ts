/**
 * One call from raw model outputs to scores: parse each output, match it against gold (exact, and within a
 * tolerance when one is given), label it, and score the labels overall, per question type and per question
 * with bootstrap CIs. Unparseable outputs stay in: they are scored as wrong and listed with their reasons.
 * Items need unique ids; a duplicate id or an unreadable gold answer is an error naming the item.
 */
import type { BootstrapOptions } from "./bootstrap.js";
import { UNPARSEABLE } from "./labels.js";
import { answerLabel, matchAnswer, parseGold, type Tolerance } from "./match-answer.js";
import { type ExpectedAnswer, type ParsedAnswer, parseAnswer } from "./parse-answer.js";
import { type ClassificationScore, scoreClassification } from "./score-classification.js";

export interface AnswerItem {
  /** Stable item id (unique). */
  id: string;
  /** Question type, e.g. "boolean", "numeric", "na_boolean", "na_numeric". */
  type: string;
  /** Question id or text, for per-question scores (optional). */
  question?: string;
  /** What the question asks for; decides how gold and output are read. */
  expected: ExpectedAnswer;
  /** Gold answer as the table holds it ("yes", "7.2", "NA"). */
  gold: string;
  /** The model's raw output, or an answer parsed already. */
  output: string | ParsedAnswer;
}

export interface ScoredItem {
  id: string;
  type: string;
  question?: string;
  goldLabel: string;
  predLabel: string;
  exact: boolean;
  withinTolerance: boolean;
  kind: ParsedAnswer["kind"];
}

export interface UnparseableItem {
  id: string;
  type: string;
  raw: string;
  reason: string;
}

export interface AnswerScores {
  n: number;
  items: ScoredItem[];
  /** Every output that could not be read: counted wrong in every metric, listed here. */
  unparseable: UnparseableItem[];
  /** Metrics on exact matches (the paper's rule), overall and groups.type / groups.question. */
  exact: ClassificationScore;
  /**
   * The same metrics with a prediction within tolerance counted as the gold label; null when no tolerance
   * was given. Report it beside `exact`, never instead of it.
   */
  withinTolerance: ClassificationScore | null;
  tolerance: Tolerance | null;
}

export interface ScoreAnswersArgs {
  items: readonly AnswerItem[];
  tolerance?: Tolerance;
  /** Score per question as well as per type (default true when items carry a question). */
  perQuestion?: boolean;
  /** All type values to report even when empty (e.g. the four question types). */
  types?: readonly string[];
  bootstrap?: BootstrapOptions;
}

/** Parse, match and score a set of answered items. */
export function scoreAnswers(args: ScoreAnswersArgs): AnswerScores {
  const { items } = args;
  const seen = new Set<string>();
  const scored: ScoredItem[] = [];
  const unparseable: UnparseableItem[] = [];
  const goldLabels: string[] = [];
  const exactLabels: string[] = [];
  const toleranceLabels: string[] = [];
  const hasTolerance = Boolean(
    args.tolerance && ((args.tolerance.absolute ?? 0) > 0 || (args.tolerance.relative ?? 0) > 0),
  );
  items.forEach((item, row) => {
    const where = `item ${row} (id ${JSON.stringify(item?.id)})`;
    if (!item || typeof item.id !== "string" || item.id === "") throw new Error(`scoreAnswers: ${where} has no id`);
    if (seen.has(item.id)) throw new Error(`scoreAnswers: duplicate item id ${JSON.stringify(item.id)} at row ${row}`);
    seen.add(item.id);
    if (typeof item.type !== "string") throw new Error(`scoreAnswers: ${where} has no type`);
    let gold: ParsedAnswer;
    try {
      gold = parseGold(item.gold, item.expected);
    } catch (error) {
      throw new Error(`scoreAnswers: ${where}: ${(error as Error).message}`);
    }
    const pred = typeof item.output === "string" ? parseAnswer(item.output, item.expected) : item.output;
    const match = matchAnswer({ gold, pred, tolerance: args.tolerance });
    const goldLabel = answerLabel(gold);
    // Exact matches share the gold label, so the class metrics see a hit; everything else keeps its own label.
    const predLabel = match.exact ? goldLabel : answerLabel(pred);
    goldLabels.push(goldLabel);
    exactLabels.push(predLabel);
    toleranceLabels.push(match.withinTolerance ? goldLabel : predLabel);
    if (pred.kind === "unparseable")
      unparseable.push({ id: item.id, type: item.type, raw: pred.raw, reason: pred.reason });
    const row_: ScoredItem = {
      id: item.id,
      type: item.type,
      goldLabel,
      predLabel: pred.kind === "unparseable" ? UNPARSEABLE : predLabel,
      exact: match.exact,
      withinTolerance: match.withinTolerance,
      kind: pred.kind,
    };
    if (item.question !== undefined) row_.question = item.question;
    scored.push(row_);
  });
  const perQuestion = args.perQuestion ?? items.some((item) => item.question !== undefined);
  const groups: Record<string, string[]> = { type: scored.map((item) => item.type) };
  if (perQuestion) groups.question = scored.map((item) => item.question ?? "(none)");
  const groupValues = args.types ? { type: args.types } : undefined;
  return {
    n: items.length,
    items: scored,
    unparseable,
    exact: scoreClassification({ gold: goldLabels, pred: exactLabels, groups, groupValues, bootstrap: args.bootstrap }),
    withinTolerance: hasTolerance
      ? scoreClassification({ gold: goldLabels, pred: toleranceLabels, groups, groupValues, bootstrap: args.bootstrap })
      : null,
    tolerance: hasTolerance ? (args.tolerance ?? null) : null,
  };
}
