// Public surface of lib/data: readers and writers for notes (JSONL), n2c2 2018 Track 1 XML and CSV tables,
// and the byte checks (BOM, invalid UTF-8) and note-text hash they share.
export {
  type CsvRow,
  type CsvTable,
  type ReadCsvOptions,
  readCsvHeader,
  readCsvRows,
  readCsvTable,
} from "./csv-table.js";
export { DataError, type DataErrorLocation, formatLocation, N2c2FormatError } from "./errors.js";
export {
  assertReadableFile,
  invalidUtf8Problem,
  type JsonlEntry,
  type ReadJsonlOptions,
  readJsonl,
  readJsonlEntries,
  writeJsonl,
} from "./jsonl.js";
export { type InvalidUtf8Line, type Line, type ReadLinesOptions, readLineBatches } from "./lines.js";
export { type ReadMimicNotesOptions, readMimicIvNotes, readNotesFrom } from "./mimic-notes.js";
export {
  formatN2c2Xml,
  isN2c2RecordSeparator,
  mostRecentRecordDate,
  N2C2_RECORD_SEPARATOR,
  type N2c2Patient,
  type N2c2Record,
  parseN2c2Xml,
  type ReadN2c2DirOptions,
  type ReadN2c2FileOptions,
  readN2c2Dir,
  readN2c2File,
  recordsWithinMonths,
  splitN2c2Records,
} from "./n2c2.js";
export {
  CRITERION_LABELS,
  type Criterion,
  type CriterionLabel,
  isCriterion,
  N2C2_CRITERIA,
  N2C2_CRITERION_DEFINITIONS,
} from "./n2c2-criteria.js";
export { isCalendarDate, NOTE_TYPES, type Note, type NoteType, noteSchema } from "./note.js";
export { normaliseNoteText, noteTextHash } from "./note-hash.js";
export { DuplicateTextCheck, type ReadNotesOptions, readAllNotes, readNotes } from "./notes.js";
export { type Reject, type RejectHandler, RejectLog, type WarningHandler, warningSink } from "./rejects.js";
export {
  describeInvalidBytes,
  findInvalidUtf8,
  hasUtf8Bom,
  INVALID_UTF8_MODES,
  type InvalidUtf8Mode,
  type InvalidUtf8Run,
} from "./text-bytes.js";
