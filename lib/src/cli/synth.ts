import { parseArgs } from "node:util";
import { loadExperiment } from "../config/experiment.js";
import { createReplayBackend } from "../llm/backends/replay-backend.js";
import { llmFromConfig } from "../llm/from-config.js";
import { resolveFromRoot } from "../paths.js";
import {
  generateFromConfig,
  postProcessFromConfig,
  prepareFromConfig,
  synthPaths,
  teacherRequestOptions,
  writeBatchFromConfig,
} from "../synth/from-config.js";
import { readTeacherBatch } from "../synth/generate.js";
import { writeSampleReplay } from "../synth/sample-replay.js";
import { VARIANTS, type Variant } from "../synth/types.js";
import type { CommandTable } from "./command.js";

/** `clinical-distill synth <command>`: steps a, b and c of the synthetic-data method. */

const CONFIG_HELP = "--config FILE   experiment YAML (default configs/experiments/sample.yaml)";

function options(args: string[], extra: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = {}) {
  const { values } = parseArgs({
    args,
    options: { config: { type: "string" }, help: { type: "boolean", short: "h" }, ...extra },
    strict: true,
  });
  return values as Record<string, string | boolean | string[] | undefined>;
}

function experimentFrom(values: Record<string, unknown>) {
  return loadExperiment(resolveFromRoot((values.config as string | undefined) ?? "configs/experiments/sample.yaml"));
}

function help(usage: string): number {
  console.log(usage);
  return 0;
}

export const commands: CommandTable = {
  generate: {
    summary: "step a: ask the teacher for questions about each note (cached, resumable)",
    usage: `synth generate [--config FILE] [--replay FILE ...]\n  ${CONFIG_HELP}\n  --replay FILE   answer only from recorded answers (no model calls)`,
    async run(args) {
      const values = options(args, { replay: { type: "string", multiple: true } });
      if (values.help) return help(this.usage!);
      const experiment = experimentFrom(values);
      const replay = values.replay as string[] | undefined;
      let summary: Awaited<ReturnType<typeof generateFromConfig>>;
      if (replay?.length) {
        const backend = await createReplayBackend(replay.map((file) => resolveFromRoot(file)));
        summary = await generateFromConfig(experiment, { backend, health: false });
      } else {
        const client = await llmFromConfig(experiment.llm);
        try {
          summary = await generateFromConfig(experiment, { ...client.options, progress: true });
        } finally {
          await client.close();
        }
      }
      console.log(JSON.stringify({ ...summary, run: undefined }, null, 2));
      console.log(`wrote ${synthPaths(experiment.synth).responses}`);
      return 0;
    },
  },
  "batch-write": {
    summary: "step a offline: write the teacher requests as a vllm run-batch input file",
    usage: `synth batch-write [--config FILE]\n  ${CONFIG_HELP}`,
    async run(args) {
      const values = options(args);
      if (values.help) return help(this.usage!);
      const experiment = experimentFrom(values);
      const result = await writeBatchFromConfig(experiment);
      console.log(JSON.stringify(result, null, 2));
      console.log(`wrote ${synthPaths(experiment.synth).batch}`);
      return 0;
    },
  },
  "batch-read": {
    summary: "step a offline: turn a vllm run-batch output file into teacher-responses.jsonl",
    usage: `synth batch-read --output BATCH_OUTPUT [--config FILE]\n  ${CONFIG_HELP}`,
    async run(args) {
      const values = options(args, { output: { type: "string" } });
      if (values.help) return help(this.usage!);
      if (typeof values.output !== "string") throw new Error("--output BATCH_OUTPUT is required");
      const experiment = experimentFrom(values);
      const paths = synthPaths(experiment.synth);
      const result = await readTeacherBatch({
        ...teacherRequestOptions(experiment.synth),
        notesFile: paths.notes,
        batchOutputFile: resolveFromRoot(values.output),
        outFile: paths.responses,
        rejectsFile: paths.generationRejects,
      });
      console.log(JSON.stringify(result, null, 2));
      if (result.missing > 0)
        console.log(`${result.missing} requests have no answer: re-submit them (llm.missingFromBatch)`);
      return 0;
    },
  },
  "post-process": {
    summary: "step b: validate, normalise, dedupe and filter teacher responses; rejects with reasons",
    usage: `synth post-process [--config FILE]\n  ${CONFIG_HELP}`,
    async run(args) {
      const values = options(args);
      if (values.help) return help(this.usage!);
      const result = await postProcessFromConfig(experimentFrom(values));
      console.log(JSON.stringify(result.stats, null, 2));
      console.log(`wrote ${Object.values(result.files).join(", ")}`);
      return 0;
    },
  },
  prepare: {
    summary: "step c: balance, format (Llama-3.1), split by note, write parquet + JSONL + card",
    usage: `synth prepare [--config FILE] [--variant boolean|numeric|all ...]\n  ${CONFIG_HELP}\n  --variant V     default: the config's prepare.variants`,
    async run(args) {
      const values = options(args, { variant: { type: "string", multiple: true } });
      if (values.help) return help(this.usage!);
      const experiment = experimentFrom(values);
      const variants = (values.variant as string[] | undefined) ?? experiment.synth.prepare.variants;
      for (const variant of variants) {
        if (!VARIANTS.includes(variant as Variant))
          throw new Error(`--variant ${variant}: expected one of ${VARIANTS.join(", ")}`);
        const { stats, outDir } = await prepareFromConfig(experiment, variant as Variant);
        console.log(
          `${variant}: train ${stats.splits.train.rows} rows, test ${stats.splits.test.rows} rows -> ${outDir}`,
        );
      }
      return 0;
    },
  },
  "sample-replay": {
    summary: "rebuild data/sample/teacher-responses/replay.jsonl (project-written samples) for the config",
    usage: `synth sample-replay [--config FILE]\n  ${CONFIG_HELP}`,
    async run(args) {
      const values = options(args);
      if (values.help) return help(this.usage!);
      const experiment = experimentFrom(values);
      const dir = resolveFromRoot("data/sample/teacher-responses");
      const result = await writeSampleReplay(
        `${dir}/written.jsonl`,
        synthPaths(experiment.synth).notes,
        `${dir}/replay.jsonl`,
        teacherRequestOptions(experiment.synth),
      );
      console.log(`wrote ${result.responses} sample responses to ${result.file}`);
      return 0;
    },
  },
};
