// Public surface of lib/synth: steps a (generate), b (post-process) and c (prepare) of the
// synthetic-data method, as functions over streams and files.
export { isWordCut, matchForm, normalizeForMatch, wordCuts } from "../text/match-text.js";
export { type BalanceResult, balanceByType } from "./balance.js";
export { type ContextBudget, type NotePlan, noteCharBudget, planNote, splitRanges } from "./context-budget.js";
export { type CardFacts, renderDatasetCard } from "./dataset-card.js";
export {
  answerCounts,
  answerDistributionFigure,
  difficultyFigure,
  numericAnswersFigure,
  rejectsFigure,
  typeBalanceFigure,
} from "./figures.js";
export {
  generateFromConfig,
  postProcessFromConfig,
  prepareFromConfig,
  synthPaths,
  teacherRequestOptions,
  writeBatchFromConfig,
} from "./from-config.js";
export {
  DEFAULT_TEACHER,
  type GenerateOptions,
  type GenerateSummary,
  generateTeacherResponses,
  type NoteSkip,
  type RequestPlanStats,
  readTeacherBatch,
  type TeacherRequest,
  type TeacherRequestMeta,
  type TeacherRequestOptions,
  type TeacherSettings,
  teacherRequestId,
  teacherRequests,
  teacherRequestsForNote,
  teacherResponseRecord,
  teacherSampling,
  writeTeacherBatch,
} from "./generate.js";
export { JsonlWriter, readJsonl, readJsonlRows } from "./internal/jsonl.js";
export { hash32, hashUnit, type Rng, rng, shuffleInPlace } from "./internal/random.js";
export { type ManifestEntry, sha256File, writeManifest } from "./manifest.js";
export {
  canonicalAnswer,
  type NormalizedAnswer,
  normalizeAnswer,
  parseNumber,
} from "./normalize.js";
export { NoteIndex, type NoteLookup, noteLookupFromMap } from "./note-lookup.js";
export { type ParsedText, parseTeacherText, type Recovery } from "./parse-response.js";
export {
  emptyStats,
  PostProcessError,
  type PostProcessOptions,
  PostProcessor,
  type PostProcessStats,
  postProcess,
} from "./post-process.js";
export { type PostProcessFileOptions, type PostProcessFileResult, postProcessFile } from "./post-process-file.js";
export { DEFAULT_SOURCE_RESTRICTION, type PrepareOptions, type PrepareStats, prepareDataset } from "./prepare.js";
export { normalizeQuestion } from "./question-key.js";
export { buildSampleReplay, readWrittenResponses, type WrittenResponse, writeSampleReplay } from "./sample-replay.js";
export {
  checkExplanationQuotes,
  checkSource,
  DEFAULT_MAX_ELLIPSIS_GAP,
  type MatchOptions,
  type NoteForMatching,
  prepareNote,
  type SourceMatch,
  sourceFound,
} from "./source-check.js";
export { dominantType, type NoteTypeCounts, splitByNote } from "./split.js";
export {
  type TargetField,
  type TrainingExample,
  targetAnswer,
  trainingExample,
  trainingTarget,
} from "./training-format.js";
export {
  type ExplanationQuoteCheck,
  REJECT_REASONS,
  type RejectReason,
  type RejectRecord,
  type SourceCheck,
  type SynthRow,
  type TeacherResponseRecord,
  VARIANTS,
  type Variant,
  variantIncludes,
} from "./types.js";
export { normalizeTypeLabel, validateItem } from "./validate-item.js";
