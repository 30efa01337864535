import { join } from "node:path";
import type { Experiment } from "../config/experiment.js";
import type { SynthSection } from "../config/sections/synth.js";
import { resolvedSeeds } from "../config/seeds.js";
import type { RunOptions } from "../llm/run-requests.js";
import { resolveFromRoot } from "../paths.js";
import { TEACHER_PROMPT_VERSION } from "../prompts/teacher.js";
import {
  type GenerateSummary,
  generateTeacherResponses,
  type TeacherRequestOptions,
  writeTeacherBatch,
} from "./generate.js";
import { type PostProcessFileResult, postProcessFile } from "./post-process-file.js";
import { type PrepareVariantsOptions, prepareVariants, type VariantsStats } from "./prepare.js";

/** Where each step reads and writes, from the `synth:` section (absolute paths). */
export function synthPaths(section: SynthSection) {
  const out = resolveFromRoot(section.outDir);
  return {
    notes: resolveFromRoot(section.notes),
    outDir: out,
    responses: join(out, "generate", "teacher-responses.jsonl"),
    generationRejects: join(out, "generate", "rejects.jsonl"),
    batch: join(out, "generate", "teacher-batch.jsonl"),
    postDir: join(out, "post"),
    accepted: join(out, "post", "accepted.jsonl"),
    postRejects: join(out, "post", "rejects.jsonl"),
    /** Step c's one folder: the rows of every variant, each marked in a `variant_<name>` column. */
    dataset: join(out, "dataset"),
  };
}

export function teacherRequestOptions(section: SynthSection): TeacherRequestOptions {
  const { structuredOutput, ...teacher } = section.teacher;
  return {
    teacher,
    counts: section.counts,
    wording: section.wording,
    structuredOutput,
    contextTokens: section.context.contextTokens,
    charsPerToken: section.context.charsPerToken,
    overflow: section.context.overflow,
    startRow: section.startRow,
    limit: section.limit,
  };
}

/** Step a with the experiment's settings; `run` comes from the LLM layer (llm.llmFromConfig(...).options). */
export function generateFromConfig(experiment: Experiment, run: RunOptions): Promise<GenerateSummary> {
  const paths = synthPaths(experiment.synth);
  return generateTeacherResponses({
    ...teacherRequestOptions(experiment.synth),
    notesFile: paths.notes,
    outFile: paths.responses,
    rejectsFile: paths.generationRejects,
    run,
  });
}

/** Step a as a batch file for an offline `vllm run-batch` job. */
export function writeBatchFromConfig(experiment: Experiment) {
  const paths = synthPaths(experiment.synth);
  return writeTeacherBatch({
    ...teacherRequestOptions(experiment.synth),
    notesFile: paths.notes,
    batchFile: paths.batch,
    rejectsFile: paths.generationRejects,
  });
}

export function postProcessFromConfig(experiment: Experiment): Promise<PostProcessFileResult> {
  const paths = synthPaths(experiment.synth);
  return postProcessFile({
    ...experiment.synth.postProcess,
    responsesFile: paths.responses,
    notes: paths.notes,
    outDir: paths.postDir,
  });
}

/**
 * Step c: the variants of synth.prepare.variants written once into `<outDir>/dataset/` (replaced), with each
 * variant's stats in `stats.byVariant`; `overrides` replace any option (e.g. variants, or outDir for a scratch copy).
 */
export async function prepareFromConfig(
  experiment: Experiment,
  overrides: Partial<PrepareVariantsOptions> = {},
): Promise<{ stats: VariantsStats; outDir: string; files: string[] }> {
  const section = experiment.synth;
  const paths = synthPaths(section);
  const { variants: configured, shardMegabytes, ...prepare } = section.prepare;
  const variants = overrides.variants ?? configured;
  return prepareVariants({
    ...prepare,
    acceptedFile: paths.accepted,
    notes: paths.notes,
    outDir: paths.dataset,
    variants,
    seed: section.prepare.seed,
    seeds: resolvedSeeds(experiment),
    shardBytes: shardMegabytes * 1_048_576,
    name: `${experiment.name}: synthetic clinical QA (${variants.join(", ")})`,
    teacherModel: section.teacher.model,
    teacherPromptVersion: TEACHER_PROMPT_VERSION,
    ...overrides,
  });
}
