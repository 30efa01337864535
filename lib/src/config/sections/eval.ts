import { z } from "zod";
import { deriveSeed } from "../../core/random.js";
import { LLAMA31_STOP_TOKEN_IDS } from "../prompt-facts.js";

const sampling = z
  .object({
    // Greedy decoding as in the paper: temperature 0, top_p 1, 256 new tokens.
    temperature: z.number().min(0).default(0),
    top_p: z.number().gt(0).max(1).default(1),
    max_tokens: z.number().int().positive().default(256),
    stop_token_ids: z.array(z.number().int().nonnegative()).default([...LLAMA31_STOP_TOKEN_IDS]),
    /** Default the experiment seed's sub-seed "eval.sampling" (docs/seeds.md). */
    seed: z.number().int().nonnegative().optional(),
  })
  .strict();

const n2c2 = z
  .object({
    /** Dataset id in the registry (configs/datasets.yaml): n2c2 XML folders with train and test splits. */
    dataset: z.string().min(1).default("sample-n2c2"),
    /** CREATININE is met when the highest value found is strictly above this (mg/dL). */
    creatinineAbove: z.number().positive().default(1.3),
    /** HBA1C is met when the highest value found lies in [min, max] (percent), bounds included. */
    hba1cRange: z
      .object({ min: z.number().default(6.5), max: z.number().default(9.5) })
      .strict()
      .refine((range) => range.min <= range.max, { message: "min must not exceed max" })
      .prefault({}),
    /** Best 2018 Track 1 system (rule-based), official micro-F1 on the test split: the figures' reference line. */
    referenceMicroF1: z.number().min(0).max(1).default(0.91),
  })
  .strict();

const apixaban = z
  .object({
    /** Dataset id of the annotation CSV (item_id,note_id,question_id,gold,annotator,comment). */
    dataset: z.string().min(1).default("sample-apixaban"),
    /** Dataset id of the notes the annotations refer to. */
    notes: z.string().min(1).default("sample-notes"),
  })
  .strict();

const synthetic = z
  .object({
    /** Dataset id of the folder holding the held-out questions and the reviewed subset. */
    dataset: z.string().min(1).default("sample-synthetic-eval"),
    notes: z.string().min(1).default("sample-notes"),
    /** Held-out synthetic questions (CSV or parquet) inside the dataset folder. */
    heldOutFile: z.string().default("held-out.csv"),
    /** Human-reviewed subset (same item ids, reviewed gold) inside the dataset folder. */
    reviewedFile: z.string().default("annotated.csv"),
  })
  .strict();

/** The `eval:` section of an experiment YAML. Owned by lib/eval; unknown keys are rejected. */
export const evalSection = z
  .object({
    /** Where predictions, metrics and snapshots go, relative to the project root. */
    outDir: z.string().default("out/eval"),
    sampling: sampling.prefault({}),
    /**
     * Numeric answers: exact match (the paper) is always reported; a match within this tolerance,
     * max(absolute, relative x |gold|), is reported beside it.
     */
    numericTolerance: z
      .object({ absolute: z.number().min(0).default(0), relative: z.number().min(0).default(0.05) })
      .strict()
      .prefault({}),
    /**
     * Confidence intervals. `unit`: "cluster" (default) resamples whole notes (n2c2: patients) with all
     * their questions, because a note's answers are correlated; "item" resamples single answers (narrower,
     * and labelled "of items"). `seed`: default the experiment seed's "bootstrap" sub-seed (see
     * bootstrapSettings).
     */
    bootstrap: z
      .object({
        unit: z.enum(["cluster", "item"]).default("cluster"),
        resamples: z.number().int().positive().default(1000),
        seed: z.number().int().nonnegative().optional(),
        confidence: z.number().gt(0).lt(1).default(0.95),
      })
      .strict()
      .prefault({}),
    /**
     * Models to evaluate, label -> model id as the server knows it, e.g. { teacher:
     * meta-llama/Llama-3.1-70B-Instruct, distilled: out/merged/student }. Predictions files are named
     * by label; the rule-based baseline is always evaluated beside them.
     */
    models: z
      .record(z.string(), z.string().min(1))
      .superRefine((models, context) => {
        for (const label of Object.keys(models)) {
          if (!/^[A-Za-z0-9._-]+$/.test(label)) {
            context.addIssue({
              code: "custom",
              path: [label],
              message: `label "${label}" must be file-name safe (letters, digits, . _ -): it names the predictions file`,
            });
          }
        }
      })
      .default({}),
    /**
     * Evaluation refuses when an evaluated note (by id or by normalised text) is in step c's training
     * split. `allow: true` with a reason evaluates anyway; the overlap and the reason are recorded.
     */
    trainingOverlap: z
      .object({ allow: z.boolean().default(false), reason: z.string().trim().min(1).optional() })
      .strict()
      .refine((overlap) => !overlap.allow || overlap.reason !== undefined, {
        message: "allow: true needs a reason (it is recorded with the scores)",
        path: ["reason"],
      })
      .prefault({}),
    n2c2: n2c2.prefault({}),
    apixaban: apixaban.prefault({}),
    synthetic: synthetic.prefault({}),
  })
  .strict();
export type EvalSection = z.output<typeof evalSection>;

/**
 * The bootstrap settings an evaluation uses: the section's, with the seed defaulting to the experiment
 * seed's named sub-seed "bootstrap" (so changing the top-level `seed:` moves the intervals' seed too).
 * `seedSource` says which, for the report.
 */
export function bootstrapSettings(
  section: Pick<EvalSection, "bootstrap">,
  experimentSeed: number,
): {
  unit: "cluster" | "item";
  resamples: number;
  seed: number;
  confidence: number;
  seedSource: "eval.bootstrap.seed" | 'seed (sub-seed "bootstrap")';
} {
  const { unit, resamples, confidence, seed } = section.bootstrap;
  // A loaded experiment has the derived value filled in (config/seeds.ts): still derived, not explicit.
  if (seed !== undefined && seed !== deriveSeed(experimentSeed, "bootstrap")) {
    return { unit, resamples, confidence, seed, seedSource: "eval.bootstrap.seed" };
  }
  return {
    unit,
    resamples,
    confidence,
    seed: deriveSeed(experimentSeed, "bootstrap"),
    seedSource: 'seed (sub-seed "bootstrap")',
  };
}
