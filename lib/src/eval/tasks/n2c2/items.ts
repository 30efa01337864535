import { ToolkitError } from "../../../core/errors.js";
import type { EvalItem } from "../types.js";
import { N2C2_QUESTIONS } from "./questions.js";

/** What the items need from a parsed n2c2 patient file (the data layer's parser gives more). */
export interface N2c2PatientLike {
  /** Patient id, the file name without .xml (lib/data's N2c2Patient has it). */
  patientId: string;
  /** Criterion name -> "met" | "not met", for all 13 criteria. */
  tags: Readonly<Record<string, string>>;
}

export type N2c2Split = "train" | "test";

/** Stable item id of one criterion for one patient in one split. */
export function n2c2ItemId(split: N2c2Split, patientId: string, criterion: string): string {
  return `n2c2:${split}:${patientId}:${criterion}`;
}

/**
 * One item per criterion per patient (13 per patient). Gold is the tag's met / not met, lower-cased
 * and trimmed as the official scorer compares them; a tag that is missing or holds another value
 * is an error naming the patient and tag.
 */
export function n2c2Items(patients: Iterable<N2c2PatientLike>, split: N2c2Split): EvalItem[] {
  const items: EvalItem[] = [];
  for (const patient of patients) {
    for (const question of N2C2_QUESTIONS) {
      const raw = patient.tags[question.id];
      const gold = raw?.trim().toLowerCase();
      if (gold !== "met" && gold !== "not met") {
        throw new ToolkitError(
          `n2c2 patient ${patient.patientId}: tag ${question.id} ${raw === undefined ? "is missing" : `has met="${raw}" (expected met or not met)`}`,
          { stage: "eval", field: question.id },
        );
      }
      items.push({
        itemId: n2c2ItemId(split, patient.patientId, question.id),
        task: "n2c2",
        noteId: patient.patientId,
        questionId: question.id,
        questionType: question.type,
        question: question.text,
        gold,
        split,
      });
    }
  }
  return items;
}
