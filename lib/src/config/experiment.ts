import { z } from "zod";
import { loadYamlConfig } from "./load.js";
import { evalSection } from "./sections/eval.js";
import { exportSection } from "./sections/export.js";
import { llmSection } from "./sections/llm.js";
import { nerSection } from "./sections/ner.js";
import { slurmSection } from "./sections/slurm.js";
import { synthSection } from "./sections/synth.js";

/**
 * An experiment recipe: one YAML file, one section per pipeline part. Every section has defaults,
 * so a recipe states only what differs; unknown keys are errors (a typo never passes silently).
 */
export const experimentSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    seed: z.number().int().nonnegative().default(42),
    /** Where outputs go, relative to the project root unless absolute. */
    outputDir: z.string().default("out"),
    /** Dataset registry file (see datasets.ts), relative to the project root unless absolute. */
    datasets: z.string().default("configs/datasets.yaml"),
    llm: llmSection.prefault({}),
    synth: synthSection.prefault({}),
    slurm: slurmSection.prefault({}),
    eval: evalSection.prefault({}),
    ner: nerSection.prefault({}),
    export: exportSection.prefault({}),
  })
  .strict();

export type Experiment = z.output<typeof experimentSchema>;

export function loadExperiment(file: string): Experiment {
  return loadYamlConfig(file, experimentSchema);
}
