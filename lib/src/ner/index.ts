// Public surface of lib/ner: the second method (Vedula et al. 2024): teachers (LLM, ontology) label
// clinical notes for medications, diseases and symptoms; a small student learns from their labels.
export { BIO_LABELS, bioEntities, bioSequencesAsSpans, bioToSpans, spansToBio } from "./bio.js";
export { biobertArgv, biobertCommands } from "./biobert.js";
export { type BratOptions, formatAnn, parseAnn, readBratDir, writeBratDir } from "./brat.js";
export { type CombineMode, combineLabels, type LabelSet } from "./combine.js";
export { Dictionary, type DictionaryOptions, type DictionaryTerm, normalise } from "./dictionary.js";
export { type F1Row, f1ByTypeFigure, type SpeedCostRow, speedCostFigure } from "./figures.js";
export { formatNerJsonl, readNerJsonl, writeNerJsonl } from "./jsonl.js";
export {
  type AlignMode,
  type AlignOptions,
  alignEntities,
  buildNerRequest,
  DEFAULT_NER_SAMPLING,
  DEFAULT_NER_SYSTEM_PROMPT,
  labelsFromResults,
  type NerAnswer,
  nerAnswerSchema,
  replayRecordsFor,
  type TeacherEntity,
} from "./llm-labeler.js";
export { countNote, type EntityReport, type EvaluateOptions, evaluateEntities, scoresFromCounts } from "./metrics.js";
export { buildOntologyDictionary, f1Rows, labelAll, type OntologySources, splitNotes, summaryRow } from "./pipeline.js";
export { DEFAULT_RXNORM_TERM_TYPES, readRxnormTerms } from "./rxnorm.js";
export { readSnomedTerms, SNOMED_IDS } from "./snomed.js";
export { costPer1000Notes, measureThroughput, type Price, type Throughput } from "./speed-cost.js";
export { PerceptronTagger, type StudentOptions, type TrainStats } from "./student.js";
export { readTeacherAnswers, type TeacherAnswersRead } from "./teacher-answers.js";
export { tokenize, tokenStrings } from "./tokenize.js";
export {
  ENTITY_TYPES,
  type EntityType,
  isEntityType,
  type NerNote,
  type NerReject,
  type Span,
  sortSpans,
} from "./types.js";
export { checkSpans, resolveOverlaps } from "./validate-spans.js";
