import { z } from "zod";

/**
 * The `ner:` section of an experiment YAML (second method: NER distillation). Owned by lib/ner; every
 * field has a default; unknown keys are rejected. Paths are relative to the project root unless absolute.
 */
const entityType = z.enum(["medication", "disease", "symptom"]);

export const nerSection = z
  .object({
    /** Notes with human spans: NER JSONL, or a BRAT folder of .txt + .ann. */
    data: z
      .object({
        notes: z.string().default("data/sample/ner/notes.jsonl"),
        bratDir: z.string().default("data/sample/ner/brat"),
        /** Corpus type names mapped to ours, e.g. { Drug: medication }. */
        typeMap: z.record(z.string(), entityType).default({}),
        /** Corpus types that are not entities here (Strength, Dosage, ...): counted, not rejected. */
        ignoreTypes: z.array(z.string().min(1)).default([]),
        /** Share of notes held out (by note) to evaluate teachers and students against human spans. */
        testFraction: z.number().gt(0).lt(1).default(0.4),
        /** Seed of the train/test split; default the experiment seed's sub-seed "ner.split" (docs/seeds.md). */
        seed: z.number().int().nonnegative().optional(),
      })
      .strict()
      .prefault({}),
    teacher: z
      .object({
        model: z.string().default("meta-llama/Llama-3.1-70B-Instruct"),
        /** all: every occurrence of a returned entity; context: occurrences inside its context phrase. */
        alignment: z.enum(["all", "context"]).default("all"),
        temperature: z.number().min(0).max(2).default(0),
        maxTokens: z.number().int().positive().default(2048),
        /** Recorded answers for the replay backend (the demo's are project-written samples). */
        answers: z.string().default("data/sample/ner/teacher-answers.sample.jsonl"),
      })
      .strict()
      .prefault({}),
    ontology: z
      .object({
        rxnorm: z.string().default("data/sample/ontology/rxnorm/RXNCONSO.RRF"),
        rxnormTermTypes: z.array(z.string().min(1)).default(["IN", "PIN", "MIN", "BN", "SCD", "SBD"]),
        snomedDescriptions: z
          .string()
          .default("data/sample/ontology/snomed/sct2_Description_Snapshot-en_INT_20250101.txt"),
        snomedRelationships: z
          .string()
          .default("data/sample/ontology/snomed/sct2_Relationship_Snapshot_INT_20250101.txt"),
        /** tag: FSN semantic tag (disorder -> disease, finding -> symptom); is-a: descent from the roots below. */
        snomedClassifyBy: z.enum(["tag", "is-a"]).default("tag"),
        /** 64572001 |Disease (disorder)|. */
        diseaseRoots: z.array(z.string().regex(/^\d+$/)).default(["64572001"]),
        /** 404684003 |Clinical finding (finding)| (Disease sits under it too, so disease is checked first). */
        symptomRoots: z.array(z.string().regex(/^\d+$/)).default(["404684003"]),
        minTermChars: z.number().int().min(1).default(3),
        stopTerms: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    combine: z
      .object({
        /** Teacher label sets to build and evaluate (each also trains a student in the notebook). */
        modes: z
          .array(z.enum(["llm", "ontology", "union", "intersection", "vote"]))
          .default(["llm", "ontology", "union", "intersection", "vote"]),
        minVotes: z.number().int().positive().optional(),
      })
      .strict()
      .prefault({}),
    student: z
      .object({
        epochs: z.number().int().positive().default(5),
        /** Default the experiment seed's sub-seed "ner.student" (docs/seeds.md). */
        seed: z.number().int().nonnegative().optional(),
        hashBits: z.number().int().min(8).max(24).default(20),
      })
      .strict()
      .prefault({}),
    biobert: z
      .object({
        model: z.string().default("dmis-lab/biobert-base-cased-v1.2"),
        epochs: z.number().positive().default(3),
        learningRate: z.number().positive().default(5e-5),
        batchSize: z.number().int().positive().default(16),
        maxLength: z.number().int().min(16).max(512).default(512),
        /** Default the experiment seed's sub-seed "ner.biobert" (docs/seeds.md). */
        seed: z.number().int().nonnegative().optional(),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        bootstrap: z.number().int().nonnegative().default(1000),
        confidence: z.number().gt(0).lt(1).default(0.95),
        /** Bootstrap seed; default the experiment seed's sub-seed "ner.metrics" (docs/seeds.md). */
        seed: z.number().int().nonnegative().optional(),
      })
      .strict()
      .prefault({}),
    /** Prices for cost per 1,000 notes. Defaults are placeholders to replace with your own rates. */
    prices: z
      .object({
        cpuCoreUsdPerHour: z.number().nonnegative().default(0.05),
        gpuUsdPerHour: z.number().nonnegative().default(2.5),
        /** GPUs the LLM teacher's server holds (vLLM tensor parallel 8 for a 70B model). */
        llmServerGpus: z.number().int().positive().default(8),
        llmUsdPerMillionInputTokens: z.number().nonnegative().default(0.6),
        llmUsdPerMillionOutputTokens: z.number().nonnegative().default(0.6),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type NerSection = z.output<typeof nerSection>;
