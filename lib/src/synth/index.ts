// Public surface of lib/synth: steps a (generate), b (post-process) and c (prepare) of the
// synthetic-data method, as functions over streams and files.

export { JsonlWriter, readJsonl, readJsonlRows } from "../core/jsonl.js";
export { createRng, deriveSeed, hash32, hashUnit, type Rng, shuffleInPlace } from "../core/random.js";
export { isWordCut, matchForm, normalizeForMatch, wordCuts } from "../text/match-text.js";
export type { BalanceResult } from "./balance.js";
export type { ContextBudget, NotePlan } from "./context-budget.js";
export type { CardFacts } from "./dataset-card.js";
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
  type GenerateOptions,
  type GenerateSummary,
  type NoteSkip,
  type RequestPlanStats,
  readTeacherBatch,
  type TeacherRequest,
  type TeacherRequestMeta,
  type TeacherRequestOptions,
  type TeacherSettings,
  teacherRequests,
  teacherRequestsForNote,
  writeTeacherBatch,
} from "./generate.js";
export { type ManifestEntry, sha256File } from "./manifest.js";
export type { NormalizedAnswer } from "./normalize.js";
export type { NoteLookup } from "./note-lookup.js";
export type { ParsedText, Recovery } from "./parse-response.js";
export { type PostProcessOptions, PostProcessor, type PostProcessStats, postProcess } from "./post-process.js";
export { type PostProcessFileOptions, type PostProcessFileResult, postProcessFile } from "./post-process-file.js";
export {
  type PrepareOptions,
  type PrepareStats,
  type PrepareVariantsOptions,
  prepareDataset,
  prepareVariants,
  type VariantsStats,
  variantColumn,
} from "./prepare.js";
export { type WrittenResponse, writeSampleReplay } from "./sample-replay.js";
export type { MatchOptions, NoteForMatching, SourceMatch } from "./source-check.js";
export type { NoteTypeCounts } from "./split.js";
export type { TargetField, TrainingExample } from "./training-format.js";
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
