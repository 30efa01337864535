// Public surface of the evaluation tasks (synthetic, n2c2, apixaban, baseline, comparison).
export type { Annotation } from "./apixaban/annotations.js";
export { APIXABAN_QUESTIONS } from "./apixaban/questions.js";
export { type BaselineAnswer, runBaseline } from "./baseline.js";
export { type ClusterPredictions, predictOnServedModel, predictWithBatchJob } from "./cluster-predict.js";
export { type ComparisonRow, compareModels } from "./compare.js";
export { TableError } from "./errors.js";
export { type EvaluateOptions, type Evaluation, evaluate, evaluateFile, type FileOptions } from "./evaluate.js";
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
export { type GradedItem, type GradeOptions, gradeItem } from "./grade.js";
export { predictWithLlm } from "./infer.js";
export { formatLeakage, LeakageError, type LeakageOverlap, type LeakageReport } from "./leakage.js";
export { loadEvalTask, predictionsPath } from "./load-task.js";
export {
  evaluateModels,
  evaluateTaskFile,
  predictionsFromBatch,
  requestsPath,
  snapshotDiffRows,
  writeTaskRequests,
} from "./models.js";
export { evaluateN2c2, type N2c2Evaluation, n2c2CriteriaRows, n2c2SummaryRow } from "./n2c2/evaluate.js";
export type { N2c2PatientLike, N2c2Split } from "./n2c2/items.js";
export { N2C2_QUESTIONS, type N2c2Label, type N2c2Thresholds } from "./n2c2/questions.js";
export { type ReadPredictionsOptions, readPredictions, writePredictions } from "./predictions.js";
export { EVAL_TASKS } from "./registry.js";
export { evalRequests, taskRequests } from "./requests.js";
export { SAMPLE_REPLAY_MODEL, sampleReplayRecords, writeSampleReplay } from "./sample-replay.js";
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
  type MetricsSnapshot,
  type SnapshotDiff,
  type SnapshotMode,
  snapshotOf,
} from "./snapshot.js";
export { type ReviewedLabel, readSyntheticItems } from "./synthetic/items.js";
export type { EvalTask, LoadedTask, LoadTaskOptions, TaskFigureOptions } from "./task.js";
export type { EvalItem, EvalQuestion, EvalTaskName, Prediction, QuestionType } from "./types.js";
