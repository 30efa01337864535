// Public surface of lib/eval: answer parsing, metrics, scorers; tasks come from ./tasks.

export {
  BOOTSTRAP_DEFAULTS,
  type BootstrapOptions,
  type BootstrapPlan,
  type BootstrapPlanInfo,
  type BootstrapUnit,
  bootstrap,
  bootstrapPlan,
  bootstrapProportion,
  bootstrapProportions,
  bootstrapSchema,
  type Estimate,
  intervalLabel,
  KeyResampler,
  percentileInterval,
  Resampler,
} from "../core/bootstrap.js";
export { createRng, deriveSeed, type Rng } from "../core/random.js";
export { type ClassCounts, type ConfusionMatrix, classCounts, confusionMatrix } from "./confusion.js";
export type { EncodedLabels, Label, LabelPairs } from "./labels.js";
export {
  type AnswerMatch,
  answerLabel,
  type GoldAnswer,
  matchAnswer,
  parseGold,
  type Tolerance,
  toleranceSchema,
} from "./match-answer.js";
export {
  accuracy,
  type BinaryScores,
  balancedAccuracy,
  binaryF1,
  binaryScores,
  type ClassificationReport,
  type ClassMetrics,
  classificationReport,
  macroF1,
  microF1,
  precisionRecallF1,
  type SummaryMetric,
} from "./metrics.js";
export {
  N2C2_CRITERIA,
  type N2c2ClassMeasures,
  type N2c2CriterionOfficial,
  type N2c2CriterionPaper,
  N2c2InputError,
  type N2c2Intervals,
  type N2c2Labels,
  type N2c2OfficialScore,
  type N2c2PaperScore,
  type N2c2ScoreArgs,
  type N2c2Value,
  n2c2OfficialScore,
  n2c2PaperScore,
  n2c2ScoreIntervals,
} from "./n2c2-score.js";
export {
  MCNEMAR_EXACT_BELOW,
  type McNemarMethodLabel,
  type McNemarResult,
  mcnemar,
  type PairedBootstrapResult,
  pairedBootstrap,
} from "./paired.js";
export {
  type AnswerKind,
  countAnswerProblems,
  type ExpectedAnswer,
  type ParseContext,
  type ParsedAnswer,
  parseAnswer,
} from "./parse-answer.js";
export {
  type ClassificationScore,
  type GroupScore,
  type ScoreClassificationArgs,
  scoreClassification,
} from "./score-classification.js";
export * from "./tasks/index.js";
