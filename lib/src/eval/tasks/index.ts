// Public surface of the evaluation tasks (synthetic, n2c2, apixaban, baseline, comparison).
export {
  ANNOTATION_COLUMNS,
  type Annotation,
  apixabanItems,
  normaliseGold,
  readApixabanAnnotations,
} from "./annotations.js";
export { APIXABAN_QUESTIONS, apixabanQuestion } from "./apixaban-questions.js";
export {
  BASELINE_MODEL,
  BASELINE_RULE_IDS,
  type BaselineAnswer,
  baselineAnswer,
  baselineText,
  runBaseline,
} from "./baseline.js";
export { type ComparisonRow, compareModels } from "./compare.js";
export { listIds, PredictionFileError, TableError } from "./errors.js";
export { type EvaluateOptions, type Evaluation, evaluate, evaluateFile } from "./evaluate.js";
export {
  type CalibrationPoint,
  calibrationFigure,
  calibrationPoints,
  type FigureOptions,
  modelSummaryFigure,
  n2c2CriteriaFigure,
  questionBarsFigure,
  typeAccuracyFigure,
} from "./figures.js";
export { expectedAnswer, type GradedItem, type GradeOptions, gradeItem, gradeItems } from "./grade.js";
export { predictWithLlm } from "./infer.js";
export {
  formatLeakage,
  guardLeakage,
  LeakageError,
  type LeakageOverlap,
  type LeakageReport,
  loadTrainingNotes,
} from "./leakage.js";
export { type LoadedTask, type LoadTaskOptions, loadEvalTask, predictionsPath } from "./load-task.js";
export {
  evaluateModels,
  predictionsFromBatch,
  requestsPath,
  snapshotDiffRows,
  taskRequests,
  writeTaskRequests,
} from "./models.js";
export {
  evaluateN2c2,
  type N2c2Evaluation,
  n2c2CriteriaRows,
  n2c2Labels,
  n2c2SummaryRow,
} from "./n2c2-evaluate.js";
export { type N2c2PatientLike, type N2c2Split, n2c2ItemId, n2c2Items } from "./n2c2-items.js";
export {
  DEFAULT_N2C2_THRESHOLDS,
  N2C2_QUESTIONS,
  type N2c2Label,
  type N2c2Thresholds,
  n2c2LabelFromAnswer,
  n2c2Question,
} from "./n2c2-questions.js";
export { predictionFromResult, type ReadPredictionsOptions, readPredictions, writePredictions } from "./predictions.js";
export { evalRequests } from "./requests.js";
export { SAMPLE_REPLAY_MODEL, sampleAnswerText, sampleReplayRecords, writeSampleReplay } from "./sample-replay.js";
export {
  goldLabelCounts,
  type QuestionRow,
  questionAverages,
  questionRows,
  type ScoreOptions,
  scoreGraded,
  type TaskScore,
} from "./score.js";
export {
  type AnnotationChangesOptions,
  annotationChanges,
  type BaselineDiff,
  compareWithBaseline,
  diffSnapshots,
  flattenScore,
  type MetricsSnapshot,
  makeSnapshot,
  readSnapshot,
  type SnapshotDiff,
  type SnapshotMode,
  snapshotOf,
  snapshotPath,
  writeSnapshot,
} from "./snapshot.js";
export {
  HELD_OUT_COLUMNS,
  REVIEWED_COLUMNS,
  type ReviewedLabel,
  readReviewedLabels,
  readSyntheticItems,
  reviewedItems,
} from "./synthetic.js";
export type { EvalItem, EvalQuestion, EvalTaskName, Prediction, QuestionType } from "./types.js";
