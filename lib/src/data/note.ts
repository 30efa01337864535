import { z } from "zod";

/** The note types of the sample data; real data may carry others (MIMIC-IV uses `DS`, `RR`). */
export const NOTE_TYPES = ["discharge_summary", "progress_note", "clinic_letter"] as const;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD")
  .refine(isCalendarDate, "not a real calendar date");

/**
 * One clinical note, one JSONL line: `{note_id, patient_id, note_type, date, text}`.
 * Dates are MIMIC-style shifted (years 2100-2200 are normal). Extra keys are kept, not dropped.
 */
export const noteSchema = z.looseObject({
  note_id: z.string().trim().min(1, "note_id must not be empty"),
  patient_id: z.string().trim().min(1, "patient_id must not be empty"),
  note_type: z.string().trim().min(1, "note_type must not be empty"),
  date: isoDate,
  text: z.string(),
});

export type Note = z.output<typeof noteSchema>;
export type NoteType = (typeof NOTE_TYPES)[number];

/** True for YYYY-MM-DD strings naming a day that exists (2131-02-30 does not). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
