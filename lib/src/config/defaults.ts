import { evalSection } from "./sections/eval.js";
import { exportSection } from "./sections/export.js";
import { llmSection } from "./sections/llm.js";
import { nerSection } from "./sections/ner.js";
import { slurmSection } from "./sections/slurm.js";
import { synthSection } from "./sections/synth.js";

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Every section's defaults, read from its schema (the section parsed from `{}`). A library function
 * called without an option falls back to the value here, so each default is written once, in the
 * schema, and a direct call gets what an experiment with an empty section gets. Frozen: shared by all.
 * Seeds are unset here (they derive from the experiment seed; see seeds.ts).
 */
export const defaults = deepFreeze({
  llm: llmSection.parse({}),
  synth: synthSection.parse({}),
  slurm: slurmSection.parse({}),
  eval: evalSection.parse({}),
  ner: nerSection.parse({}),
  export: exportSection.parse({}),
});
