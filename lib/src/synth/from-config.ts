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
import { type PrepareOptions, type PrepareStats, prepareDataset } from "./prepare.js";
import type { Variant } from "./types.js";

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
    dataset: (variant: Variant) => join(out, "dataset", variant),
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

/** Step c for one variant; `overrides` replace any option (e.g. outDir for a scratch copy). */
export async function prepareFromConfig(
  experiment: Experiment,
  variant: Variant,
  overrides: Partial<PrepareOptions> = {},
): Promise<{ stats: PrepareStats; outDir: string; files: string[] }> {
  const section = experiment.synth;
  const paths = synthPaths(section);
  const { variants: _variants, shardMegabytes, ...prepare } = section.prepare;
  return prepareDataset({
    ...prepare,
    acceptedFile: paths.accepted,
    notes: paths.notes,
    outDir: paths.dataset(variant),
    variant,
    seed: section.prepare.seed,
    seeds: resolvedSeeds(experiment),
    shardBytes: shardMegabytes * 1_048_576,
    name: `${experiment.name}: synthetic clinical QA (${variant})`,
    teacherModel: section.teacher.model,
    teacherPromptVersion: TEACHER_PROMPT_VERSION,
    ...overrides,
  });
}
