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
import { type CommandTable, defineCommand, EXIT } from "./command.js";

/** `clinical-distill synth <command>`: steps a, b and c of the synthetic-data method. */

export const commands: CommandTable = {
  generate: defineCommand("synth generate", {
    summary: "step a: ask the teacher for questions about each note (cached, resumable)",
    experiment: true,
    options: {
      replay: {
        type: "string",
        value: "FILE",
        multiple: true,
        path: true,
        description: "answer only from recorded answers (no model calls)",
      },
    },
    async run({ values, config }) {
      const experiment = loadExperiment(config);
      const replay = values.replay;
      let summary: Awaited<ReturnType<typeof generateFromConfig>>;
      if (replay?.length) {
        const backend = await createReplayBackend(replay);
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
      return EXIT.ok;
    },
  }),
  "batch-write": defineCommand("synth batch-write", {
    summary: "step a offline: write the teacher requests as a vllm run-batch input file",
    experiment: true,
    async run({ config }) {
      const experiment = loadExperiment(config);
      const result = await writeBatchFromConfig(experiment);
      console.log(JSON.stringify(result, null, 2));
      console.log(`wrote ${synthPaths(experiment.synth).batch}`);
      return EXIT.ok;
    },
  }),
  "batch-read": defineCommand("synth batch-read", {
    summary: "step a offline: turn a vllm run-batch output file into teacher-responses.jsonl",
    experiment: true,
    options: {
      output: { type: "string", value: "FILE", required: true, path: true, description: "the batch output JSONL" },
    },
    async run({ values, config }) {
      const experiment = loadExperiment(config);
      const paths = synthPaths(experiment.synth);
      const result = await readTeacherBatch({
        ...teacherRequestOptions(experiment.synth),
        notesFile: paths.notes,
        batchOutputFile: values.output,
        outFile: paths.responses,
        rejectsFile: paths.generationRejects,
      });
      console.log(JSON.stringify(result, null, 2));
      if (result.missing > 0)
        console.log(`${result.missing} requests have no answer: re-submit them (llm.missingFromBatch)`);
      return EXIT.ok;
    },
  }),
  "post-process": defineCommand("synth post-process", {
    summary: "step b: validate, normalise, dedupe and filter teacher responses; rejects with reasons",
    experiment: true,
    async run({ config }) {
      const result = await postProcessFromConfig(loadExperiment(config));
      console.log(JSON.stringify(result.stats, null, 2));
      const threads = result.workers > 0 ? ` (in ${result.workers} worker threads)` : "";
      console.log(`wrote ${Object.values(result.files).join(", ")}${threads}`);
      return EXIT.ok;
    },
  }),
  prepare: defineCommand("synth prepare", {
    summary: "step c: balance, format (Llama-3.1), split by note, write parquet + JSONL + card",
    experiment: true,
    options: {
      variant: {
        type: "string",
        multiple: true,
        choices: VARIANTS,
        description: "dataset variant to write (default: the config's synth.prepare.variants), all into one folder",
      },
    },
    async run({ values, config }) {
      const experiment = loadExperiment(config);
      // Both are checked already: --variant by its choices, the config by its schema.
      const variants = (values.variant ?? experiment.synth.prepare.variants) as Variant[];
      const { stats, outDir } = await prepareFromConfig(experiment, { variants });
      for (const one of Object.values(stats.byVariant))
        console.log(`${one.variant}: train ${one.splits.train.rows} rows, test ${one.splits.test.rows} rows`);
      console.log(
        `written once: train ${stats.splits.train.rows} rows, test ${stats.splits.test.rows} rows -> ${outDir}`,
      );
      return EXIT.ok;
    },
  }),
  "sample-replay": defineCommand("synth sample-replay", {
    summary: "rebuild data/sample/teacher-responses/replay.jsonl (project-written samples) for the config",
    experiment: true,
    async run({ config }) {
      const experiment = loadExperiment(config);
      const dir = resolveFromRoot("data/sample/teacher-responses");
      const result = await writeSampleReplay(
        `${dir}/written.jsonl`,
        synthPaths(experiment.synth).notes,
        `${dir}/replay.jsonl`,
        teacherRequestOptions(experiment.synth),
      );
      console.log(`wrote ${result.responses} sample responses to ${result.file}`);
      return EXIT.ok;
    },
  }),
};
