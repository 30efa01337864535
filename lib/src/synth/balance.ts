import { QUESTION_TYPES, type QuestionType } from "../prompts/teacher.js";

/**
 * Seeded balancing of question types. Each row carries a key uniform in [0, 1) drawn from
 * (seed, question id); per type the `target` rows with the smallest keys are kept. The choice does
 * not depend on input order, only on the seed and the ids.
 */

export interface BalanceInput {
  /** Question type index into QUESTION_TYPES, per row. */
  types: Uint8Array;
  keys: Float64Array;
  length: number;
}

export interface BalanceResult {
  selected: Uint8Array;
  /** Rows kept per type. */
  kept: Record<QuestionType, number>;
  available: Record<QuestionType, number>;
  target: number | null;
}

/**
 * `mode` "equal": every present type down to the smallest type's count (and to `perType` if set);
 * "none": keep all (still capped by `perType`). Types with no rows do not pull the others to zero.
 */
export function balanceByType(input: BalanceInput, mode: "equal" | "none", perType?: number): BalanceResult {
  const available = Object.fromEntries(QUESTION_TYPES.map((t) => [t, 0])) as Record<QuestionType, number>;
  // Type codes beyond the four mark rows set aside earlier; they are never selected.
  for (let i = 0; i < input.length; i++)
    if (input.types[i] < QUESTION_TYPES.length) available[QUESTION_TYPES[input.types[i]]]++;
  const present = QUESTION_TYPES.filter((t) => available[t] > 0);
  let target: number | null =
    mode === "equal" && present.length > 0 ? Math.min(...present.map((t) => available[t])) : null;
  if (perType !== undefined) target = target === null ? perType : Math.min(target, perType);

  const selected = new Uint8Array(input.length);
  const kept = Object.fromEntries(QUESTION_TYPES.map((t) => [t, 0])) as Record<QuestionType, number>;
  QUESTION_TYPES.forEach((type, typeIndex) => {
    const count = available[type];
    const keep = target === null ? count : Math.min(target, count);
    if (keep === 0) return;
    if (keep === count) {
      for (let i = 0; i < input.length; i++) if (input.types[i] === typeIndex) selected[i] = 1;
      kept[type] = keep;
      return;
    }
    const keys = new Float64Array(count);
    let n = 0;
    for (let i = 0; i < input.length; i++) if (input.types[i] === typeIndex) keys[n++] = input.keys[i];
    keys.sort();
    const threshold = keys[keep - 1];
    let below = 0;
    for (let i = 0; i < count; i++) if (keys[i] < threshold) below++;
    // Equal keys at the threshold (practically never with 53-bit keys) are taken in row order.
    let tiesLeft = keep - below;
    for (let i = 0; i < input.length; i++) {
      if (input.types[i] !== typeIndex) continue;
      const key = input.keys[i];
      if (key < threshold || (key === threshold && tiesLeft-- > 0)) selected[i] = 1;
    }
    kept[type] = keep;
  });
  return { selected, kept, available, target };
}
