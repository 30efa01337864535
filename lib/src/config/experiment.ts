import { z } from "zod";
import { DEFAULT_DATASET_REGISTRY } from "./datasets.js";
import { loadYamlConfig } from "./load.js";
import { EVAL_ANSWER_FIELDS } from "./prompt-facts.js";
import { evalSection } from "./sections/eval.js";
import { exportSection } from "./sections/export.js";
import { llmSection } from "./sections/llm.js";
import { nerSection } from "./sections/ner.js";
import { slurmSection } from "./sections/slurm.js";
import { synthSection } from "./sections/synth.js";
import { DEFAULT_SEED, type WithSeeds, withDerivedSeeds } from "./seeds.js";

/**
 * An experiment recipe: one YAML file, one section per pipeline part. Every section has defaults,
 * so a recipe states only what differs; unknown keys are errors (a typo never passes silently).
 * Section seeds left unset are derived from `seed` (config/seeds.ts, docs/seeds.md).
 */
const experimentFields = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    seed: z.number().int().nonnegative().default(DEFAULT_SEED),
    /** Where outputs go, relative to the project root unless absolute. */
    outputDir: z.string().default("out"),
    /** Dataset registry file (see datasets.ts), relative to the project root unless absolute. */
    datasets: z.string().default(DEFAULT_DATASET_REGISTRY),
    llm: llmSection.prefault({}),
    synth: synthSection.prefault({}),
    slurm: slurmSection.prefault({}),
    eval: evalSection.prefault({}),
    ner: nerSection.prefault({}),
    export: exportSection.prefault({}),
  })
  .strict()
  .superRefine((experiment, context) => {
    const problem = targetFieldsMismatch(experiment.synth.prepare.targetFields, EVAL_ANSWER_FIELDS);
    if (problem) context.addIssue({ code: "custom", path: ["synth", "prepare", "targetFields"], message: problem });
  });

/** The parsed recipe, with every section seed left unset filled in from `seed`. */
export type Experiment = WithSeeds<z.output<typeof experimentFields>>;

// The named output type keeps declaration files from expanding it (which would lose `apiKey?: never`).
export const experimentSchema = experimentFields.transform((experiment): Experiment => withDerivedSeeds(experiment));

/**
 * Why training targets and the evaluation prompt disagree, or undefined when they agree. The
 * student is trained on the evaluation prompt; a field it learns but is never asked for (or asked
 * for but never learnt) re-creates the original code's train/eval prompt mismatch. Order is free
 * (answers are parsed by key); a repeated field is an error (JSON keeps only the last).
 */
export function targetFieldsMismatch(
  targetFields: readonly string[],
  promptFields: readonly string[],
): string | undefined {
  const repeated = targetFields.filter((field, i) => targetFields.indexOf(field) !== i);
  const notAsked = targetFields.filter((field) => !promptFields.includes(field));
  const notTrained = promptFields.filter((field) => !targetFields.includes(field));
  if (repeated.length + notAsked.length + notTrained.length === 0) return undefined;
  const reasons = [
    ...(notAsked.length ? [`trained but not asked for: ${notAsked.join(", ")}`] : []),
    ...(notTrained.length ? [`asked for but not trained: ${notTrained.join(", ")}`] : []),
    ...(repeated.length ? [`listed twice: ${[...new Set(repeated)].join(", ")}`] : []),
  ];
  return (
    `training targets [${targetFields.join(", ")}] differ from the fields the evaluation prompt asks for ` +
    `[${promptFields.join(", ")}] (lib/src/prompts/eval.ts, EVAL_ANSWER_FIELDS): ${reasons.join("; ")}. ` +
    "Train on the fields the evaluation asks for (docs/synth.md, targetFields)"
  );
}

export function loadExperiment(file: string): Experiment {
  return loadYamlConfig(file, experimentSchema);
}
