import { hashUnit } from "../core/random.js";
import { QUESTION_TYPES, type QuestionType } from "../prompts/teacher.js";

/**
 * Train/test split by note, stratified by question type. A note goes wholly to one side (the
 * original split by row, so one note's questions landed on both sides). Notes are grouped by their
 * most frequent question type; within a group they are ordered by a seeded hash of their id and the
 * first share goes to test. Group shares are allotted by largest remainder so the total test
 * fraction is as close to the target as whole notes allow.
 *
 * Notes with the same `group` (data/note-hash's noteTextHash: the same text under two ids) move
 * together, as one unit with their counts summed: a copy on each side would be a test item seen
 * in training. A note alone in its group is placed exactly as without groups.
 */

export interface NoteTypeCounts {
  noteId: string;
  counts: Record<QuestionType, number>;
  /** Notes sharing a group go to the same side (e.g. the hash of their text). */
  group?: string;
}

export interface SplitOptions {
  testFraction: number;
  seed: number;
}

export function dominantType(counts: Record<QuestionType, number>): QuestionType {
  let best: QuestionType = QUESTION_TYPES[0];
  for (const type of QUESTION_TYPES) if (counts[type] > counts[best]) best = type;
  return best;
}

/** The set of note ids on the test side. */
export function splitByNote(notes: readonly NoteTypeCounts[], options: SplitOptions): Set<string> {
  const { testFraction, seed } = options;
  if (!(testFraction >= 0 && testFraction <= 1))
    throw new RangeError(`testFraction must be in [0, 1], got ${testFraction}`);
  const strata = new Map<QuestionType, { noteId: string; key: number; members: string[] }[]>();
  for (const unit of groupUnits(notes)) {
    const total = QUESTION_TYPES.reduce((sum, t) => sum + unit.counts[t], 0);
    if (total === 0) continue;
    const stratum = dominantType(unit.counts);
    let list = strata.get(stratum);
    if (!list) {
      list = [];
      strata.set(stratum, list);
    }
    list.push({ noteId: unit.noteId, key: hashUnit(seed, `split:${unit.noteId}`), members: unit.members });
  }
  const noteTotal = [...strata.values()].reduce((sum, list) => sum + list.length, 0);
  const wanted = Math.round(noteTotal * testFraction);
  // Largest remainder: floor shares first, then one more note to the strata with the largest remainders.
  const shares = QUESTION_TYPES.filter((t) => strata.has(t)).map((type) => {
    const exact = strata.get(type)!.length * testFraction;
    return { type, take: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = wanted - shares.reduce((sum, s) => sum + s.take, 0);
  for (const share of [...shares].sort(
    (a, b) => b.remainder - a.remainder || QUESTION_TYPES.indexOf(a.type) - QUESTION_TYPES.indexOf(b.type),
  )) {
    if (left <= 0) break;
    if (share.take < strata.get(share.type)!.length) {
      share.take++;
      left--;
    }
  }
  const test = new Set<string>();
  for (const share of shares) {
    const list = strata.get(share.type)!;
    list.sort((a, b) => a.key - b.key || (a.noteId < b.noteId ? -1 : 1));
    for (let i = 0; i < share.take; i++) for (const member of list[i].members) test.add(member);
  }
  return test;
}

/**
 * Notes merged by group: counts summed, named (and hashed) by the smallest member id, so the
 * result does not depend on input order. Ungrouped notes are units of one.
 */
type Unit = NoteTypeCounts & { members: string[] };

function groupUnits(notes: readonly NoteTypeCounts[]): Unit[] {
  const units: Unit[] = [];
  const byGroup = new Map<string, Unit>();
  for (const note of notes) {
    const unit = note.group === undefined ? undefined : byGroup.get(note.group);
    if (!unit) {
      const fresh: Unit = { noteId: note.noteId, counts: { ...note.counts }, members: [note.noteId] };
      units.push(fresh);
      if (note.group !== undefined) byGroup.set(note.group, fresh);
      continue;
    }
    for (const type of QUESTION_TYPES) unit.counts[type] += note.counts[type];
    unit.members.push(note.noteId);
    if (note.noteId < unit.noteId) unit.noteId = note.noteId;
  }
  return units;
}
