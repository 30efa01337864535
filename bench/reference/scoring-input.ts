import { writeFileSync } from "node:fs";
import { createRng } from "../../lib/src/core/random.js";

/**
 * The scoring benchmark's input (seeded; timings and agreement checks only, never results): `count` held-out
 * synthetic questions, `perNote` per note, cycling through the four question types, with predictions that
 * agree with gold 85% of the time (the rest: NA, a flipped or different value, or a reply cut off mid-JSON,
 * which the project and the reference both read as unparseable). Writes the held-out CSV, the predictions
 * JSONL and a notes JSONL (for the CLI, which loads the notes the items refer to).
 */
export function writeScoringInput(
  files: { heldOut: string; predictions: string; notes: string },
  count: number,
  perNote: number,
): void {
  const rng = createRng(42498);
  const types = ["boolean", "numeric", "na_boolean", "na_numeric"] as const;
  const csv = ["item_id,note_id,question_type,question,answer"];
  const jsonl: string[] = [];
  const notes: string[] = [];
  for (let i = 0; i < count; i++) {
    const type = types[i % 4];
    const numeric = type.endsWith("numeric");
    const noteId = `N${String(Math.floor(i / perNote)).padStart(5, "0")}`;
    if (i % perNote === 0)
      notes.push(
        JSON.stringify({
          note_id: noteId,
          patient_id: `P${noteId}`,
          note_type: "discharge_summary",
          date: "2131-05-02",
          text: `Synthetic benchmark note ${noteId}.`,
        }),
      );
    let gold: string;
    if (type.startsWith("na_")) gold = "NA";
    else if (numeric) gold = String(Math.round(rng.next() * 400) / 10 + 1);
    else gold = rng.next() < 0.6 ? "Yes" : "No";
    let answer = gold;
    let text: string | undefined;
    if (rng.next() > 0.85) {
      const r = rng.next();
      if (r < 0.3) answer = "NA";
      else if (r < 0.4)
        text = `{"answer": "${gold.slice(0, 1)}`; // cut off mid-reply: unreadable to both
      else answer = numeric ? String(Math.round(rng.next() * 400) / 10 + 1) : gold === "Yes" ? "No" : "Yes";
    }
    text ??= JSON.stringify({ answer, explanation: "Evidence sentence quoted from the note." });
    const question = numeric
      ? `What is the highest value of lab ${i % 23}?`
      : `Does the patient have condition ${i % 23}?`;
    csv.push(`q${i},${noteId},${type},${question},${gold}`);
    jsonl.push(
      JSON.stringify({ item_id: `q${i}`, model: "bench", ok: true, text, finish_reason: "stop", cached: false }),
    );
  }
  writeFileSync(files.heldOut, `${csv.join("\n")}\n`);
  writeFileSync(files.predictions, `${jsonl.join("\n")}\n`);
  writeFileSync(files.notes, `${notes.join("\n")}\n`);
}
