// Public surface of lib/data: readers and writers for notes (JSONL), n2c2 2018 Track 1 XML and CSV tables,
// and the byte checks (BOM, invalid UTF-8) and note-text hash they share.
export {
  type CsvRow,
  type CsvTable,
  type ReadCsvOptions,
  readCsvHeader,
  readCsvRows,
  readCsvTable,
} from "../core/csv.js";
export { DataError, type DataErrorLocation } from "../core/data-error.js";
export {
  assertReadableFile,
  invalidUtf8Problem,
  type JsonlEntry,
  type ReadJsonlOptions,
  readJsonl,
  readJsonlEntries,
  writeJsonl,
} from "../core/jsonl.js";
export { type InvalidUtf8Line, type Line, type ReadLinesOptions, readLineBatches } from "../core/lines.js";
export { type Reject, type RejectHandler, RejectLog, type WarningHandler, warningSink } from "../core/rejects.js";
export { describeInvalidBytes, hasUtf8Bom, type InvalidUtf8Mode, type InvalidUtf8Run } from "../core/text-bytes.js";
export { type ReadMimicNotesOptions, readMimicIvNotes, readNotesFrom } from "./mimic-notes.js";
export {
  formatN2c2Xml,
  isN2c2RecordSeparator,
  mostRecentRecordDate,
  N2c2FormatError,
  type N2c2Patient,
  type N2c2Record,
  parseN2c2Xml,
  type ReadN2c2DirOptions,
  type ReadN2c2FileOptions,
  readN2c2Dir,
  readN2c2File,
  recordsWithinMonths,
} from "./n2c2.js";
export { type Criterion, type CriterionLabel, N2C2_CRITERIA, N2C2_CRITERION_DEFINITIONS } from "./n2c2-criteria.js";
export { NOTE_TYPES, type Note, type NoteType, noteSchema } from "./note.js";
export { noteTextHash } from "./note-hash.js";
export { DuplicateTextCheck, type ReadNotesOptions, readNotes } from "./notes.js";
