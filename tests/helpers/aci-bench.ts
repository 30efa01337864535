/**
 * The real visit notes of ACI-BENCH (../shared/corpora/aci-bench/, CC BY 4.0), for tests that check
 * readers and rules on real clinical writing. The corpus is third-party text read in place, never
 * copied into the repository. When it is absent the caller skips loudly (a failure under CI=true).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readCsvRows } from "../../lib/src/core/csv.js";
import { missing } from "./skip.js";

export const ACI_BENCH_DIR = resolve(import.meta.dirname, "../../../shared/corpora/aci-bench");
const FILES = [
  "train.csv",
  "valid.csv",
  "clinicalnlp_taskB_test1.csv",
  "clinicalnlp_taskC_test2.csv",
  "clef_taskC_test3.csv",
];

export interface AciNote {
  /** `<file stem>:<encounter_id>` (encounter ids repeat across the challenge's files). */
  id: string;
  text: string;
}

let cached: AciNote[] | undefined;

/** Every ACI-BENCH note (207), or undefined after a loud skip when the corpus is not there. */
export async function aciBenchNotes(): Promise<AciNote[] | undefined> {
  if (cached) return cached;
  if (!existsSync(resolve(ACI_BENCH_DIR, FILES[0]))) {
    missing(`the ACI-BENCH corpus (${ACI_BENCH_DIR})`, "it ships in ../shared/corpora/aci-bench/ beside the project");
    return undefined;
  }
  const notes: AciNote[] = [];
  for (const file of FILES) {
    const stem = file.replace(/\.csv$/, "");
    for await (const row of readCsvRows(resolve(ACI_BENCH_DIR, file), { requiredColumns: ["encounter_id", "note"] })) {
      notes.push({ id: `${stem}:${row.values.encounter_id}`, text: row.values.note });
    }
  }
  cached = notes;
  return notes;
}
