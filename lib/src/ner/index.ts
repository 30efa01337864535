// Public surface of lib/ner: the second method (Vedula et al. 2024): teachers (LLM, ontology) label
// clinical notes for medications, diseases and symptoms; a small student learns from their labels.
export { bioEntities } from "./bio.js";
export { biobertArgv, biobertCommands } from "./biobert.js";
export { type BratOptions, formatAnn, parseAnn, readBratDir, writeBratDir } from "./brat.js";
export { type CombineMode, combineLabels, type LabelSet } from "./combine.js";
export { Dictionary, type DictionaryOptions, type DictionaryTerm, normalise } from "./dictionary.js";
export { type F1Row, f1ByTypeFigure, type SpeedCostRow, speedCostFigure } from "./figures.js";
// From the experiment config: each notebook step in one call
export {
  biobertJobsFromConfig,
  biobertResultsFromConfig,
  combineTeachersFromConfig,
  evaluateOptions,
  llmServerSpeedRow,
  llmTeacherFromConfig,
  nerPaths,
  ontologyTeacherFromConfig,
  readNotesFromConfig,
  type SpeedRow,
  scoreFromConfig,
  speedCostRowsFromConfig,
  studentRows,
  type TeacherLabelSets,
  type TrainedStudent,
  trainStudentsFromConfig,
  writeSampleReplayFromConfig,
  writeTeacherLabelsFromConfig,
} from "./from-config.js";
export { readNerJsonl, writeNerJsonl } from "./jsonl.js";
export {
  type AlignMode,
  type AlignOptions,
  alignEntities,
  buildNerRequest,
  labelsFromResults,
  type NerAnswer,
  nerAnswerSchema,
  replayRecordsFor,
  type TeacherEntity,
} from "./llm-labeler.js";
export { type EntityReport, type EvaluateOptions, evaluateEntities } from "./metrics.js";
export { buildOntologyDictionary, f1Rows, type OntologySources, summaryRow } from "./pipeline.js";
export { readRxnormTerms } from "./rxnorm.js";
export { readSnomedTerms } from "./snomed.js";
export { costPer1000Notes, measureThroughput, type Price, type Throughput } from "./speed-cost.js";
export { PerceptronTagger, type StudentOptions, type TrainStats } from "./student.js";
export { readTeacherAnswers, type TeacherAnswersRead } from "./teacher-answers.js";
export { tokenize } from "./tokenize.js";
export { ENTITY_TYPES, type EntityType, isEntityType, type NerNote, type NerReject, type Span } from "./types.js";
