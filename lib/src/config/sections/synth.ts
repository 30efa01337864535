import { z } from "zod";
import { EVAL_ANSWER_FIELDS } from "../prompt-facts.js";

/**
 * The `synth:` section of an experiment YAML (steps a, b, c of the synthetic-data method). Owned by
 * lib/synth; unknown keys are rejected. Paths are relative to the project root. Defaults follow the
 * method: Llama-3.1-70B-Instruct at temperature 0.7, top-p 0.95, 4,096 tokens; per note 10 yes/no,
 * 10 numeric, 5 not-answerable numeric and 5 not-answerable yes/no questions.
 */
const count = z.number().int().min(0).max(100);

export const synthSection = z
  .object({
    /** Notes to generate questions about (JSONL: note_id, text, ...). */
    notes: z.string().min(1).default("data/sample/notes.jsonl"),
    /** Where steps a, b and c write (generate/, post/, dataset/ under it). */
    outDir: z.string().min(1).default("out/synth"),
    teacher: z
      .object({
        model: z.string().min(1).default("meta-llama/Llama-3.1-70B-Instruct"),
        temperature: z.number().min(0).max(2).default(0.7),
        top_p: z.number().gt(0).max(1).default(0.95),
        max_tokens: z.number().int().min(16).default(4096),
        /** Request seed; default the experiment seed's sub-seed "synth.teacher" (docs/seeds.md). */
        seed: z.number().int().nonnegative().optional(),
        /** Rounds of asking again (seed + round) for answers that came back cut off, not JSON or off-schema. */
        reask: z.number().int().min(0).max(5).default(1),
        /** Send each type's JSON schema as structured output (vLLM response_format). */
        structuredOutput: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    counts: z
      .object({
        boolean: count.default(10),
        numeric: count.default(10),
        na_numeric: count.default(5),
        na_boolean: count.default(5),
      })
      .strict()
      .prefault({}),
    wording: z
      .object({
        system: z.string().min(1).optional(),
        extraInstructions: z.string().min(1).optional(),
        typeInstructions: z
          .object({
            boolean: z.string().min(1).optional(),
            numeric: z.string().min(1).optional(),
            na_numeric: z.string().min(1).optional(),
            na_boolean: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    /** Start at this note (0-based row of the notes file) and stop after `limit` notes. */
    startRow: z.number().int().nonnegative().default(0),
    limit: z.number().int().positive().optional(),
    context: z
      .object({
        /** The teacher's context length (vLLM --max-model-len). */
        contextTokens: z.number().int().min(512).default(32_768),
        /** Characters per token for length estimates; lower is more cautious. */
        charsPerToken: z.number().gt(0).max(10).default(3),
        /** Notes over the context: split at paragraph breaks, or skip; counted either way. */
        overflow: z.enum(["split", "skip"]).default("split"),
      })
      .strict()
      .prefault({}),
    postProcess: z
      .object({
        minDifficulty: z.number().int().min(1).max(10).default(1),
        requireSourceInNote: z.boolean().default(false),
        /** Most characters of the note between the parts of a source quote joined by "..." (docs/synth.md). */
        maxEllipsisGap: z.number().int().min(0).max(100_000).default(200),
        recoverWrappedJson: z.boolean().default(true),
        dedupe: z.enum(["normalized", "exact", "off"]).default("normalized"),
        /** Worker threads for step b: "auto" (one per core, up to 4, for files of 4 MB or more) or a count (0: none). */
        workers: z.union([z.literal("auto"), z.number().int().min(0).max(16)]).default("auto"),
      })
      .strict()
      .prefault({}),
    prepare: z
      .object({
        variants: z
          .array(z.enum(["boolean", "numeric", "all"]))
          .min(1)
          .default(["boolean", "numeric", "all"]),
        balance: z.enum(["equal", "none"]).default("equal"),
        perType: z.number().int().positive().optional(),
        testFraction: z.number().min(0).max(1).default(0.2),
        /** Seed of balancing and the split; default the experiment seed's sub-seed "synth.prepare" (docs/seeds.md). */
        seed: z.number().int().nonnegative().optional(),
        targetFields: z
          .array(z.enum(["answer", "explanation", "source"]))
          .min(1)
          .default([...EVAL_ANSWER_FIELDS]),
        /** The fine-tuning max sequence length; longer examples are set aside (counted). */
        maxSeqTokens: z.number().int().min(128).default(12_000),
        charsPerToken: z.number().gt(0).max(10).default(3),
        /** Add the HF template's "Cutting Knowledge Date" system lines to prompt_text (when written). */
        dateHeader: z.boolean().default(false),
        shardMegabytes: z.number().int().min(1).max(4096).default(32),
        /** Columns that repeat the note, beyond trl's prompt/completion record (default none; docs/synth.md). */
        extraColumns: z
          .array(z.enum(["prompt_text", "completion_text", "messages"]))
          .default([])
          .refine((names) => new Set(names).size === names.length, "extraColumns: each column at most once"),
        /** Also write train.jsonl / test.jsonl (prompt-completion records) beside the parquet shards. */
        jsonl: z.boolean().default(false),
        /** Worker threads that build and write parquet shards (0: in the main thread; more did not pay on 2 cores). */
        workers: z.number().int().min(0).max(16).default(0),
        /** The dataset card's license (`license: other`): name (lowercase, hyphens) and link to the terms. */
        licenseName: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]*$/, "licenseName: lowercase letters, digits, dots and hyphens")
          .optional(),
        licenseLink: z.string().min(1).optional(),
        sourceRestriction: z.string().min(1).optional(),
        /** Mark the dataset card as a sample (project-written data, not model output). */
        isSample: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type SynthSection = z.output<typeof synthSection>;
