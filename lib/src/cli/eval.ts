import { writeFileSync } from "node:fs";
import { loadExperiment } from "../config/experiment.js";
import { resolvedSeeds } from "../config/seeds.js";
import { formatN2c2OfficialTable, scoreN2c2Folders } from "../eval/n2c2-system.js";
import { runBaseline } from "../eval/tasks/baseline.js";
import { formatLeakage } from "../eval/tasks/leakage.js";
import { loadEvalTask, predictionsPath } from "../eval/tasks/load-task.js";
import { evaluateTaskFile } from "../eval/tasks/models.js";
import { writePredictions } from "../eval/tasks/predictions.js";
import { evalRequests } from "../eval/tasks/requests.js";
import { SAMPLE_REPLAY_MODEL, sampleReplayRecords, writeSampleReplay } from "../eval/tasks/sample-replay.js";
import type { EvalTaskName } from "../eval/tasks/types.js";
import { writeRequestsJsonl } from "../llm/request-files.js";
import { resolveFromRoot } from "../paths.js";
import { evalSampling } from "../prompts/eval.js";
import { type CommandTable, defineCommand, EXIT } from "./command.js";

const TASKS: readonly EvalTaskName[] = ["synthetic", "n2c2", "apixaban"];

/** Options every task command shares. */
const TASK_OPTIONS = {
  task: { type: "string", required: true, choices: TASKS, description: "evaluation task" },
  subset: { type: "string", description: "subset of the task (default: the task's default subset)" },
} as const;

async function load(task: string, subset: string | undefined, config: string) {
  const experiment = loadExperiment(config);
  const loaded = await loadEvalTask(experiment, task as EvalTaskName, subset ? { subset } : {});
  const outDir = resolveFromRoot(experiment.eval.outDir);
  return { experiment, loaded, outDir };
}

const fixed = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : "n/a");

/** `clinical-distill eval <command>`: the evaluation steps without a notebook, for cluster jobs. */
export const commands: CommandTable = {
  baseline: defineCommand("eval baseline", {
    summary: "run the rule-based baseline offline and write its predictions JSONL",
    experiment: true,
    options: {
      ...TASK_OPTIONS,
      out: {
        type: "string",
        value: "FILE",
        path: true,
        description: "predictions JSONL (default: under the config's eval.outDir)",
      },
    },
    async run({ values, config }) {
      const { loaded, outDir } = await load(values.task, values.subset, config);
      const file = values.out ?? predictionsPath(outDir, loaded.task, loaded.subset, "baseline");
      const count = writePredictions(file, runBaseline(loaded.items, loaded.noteText));
      console.log(`${loaded.task}/${loaded.subset}: ${count} baseline predictions -> ${file}`);
      return EXIT.ok;
    },
  }),
  requests: defineCommand("eval requests", {
    summary: "write the evaluation requests (Llama-3.1 chat, eval sampling) as JSONL for a batch run",
    experiment: true,
    options: {
      ...TASK_OPTIONS,
      model: { type: "string", value: "MODEL_ID", required: true, description: "model name the requests ask for" },
      out: { type: "string", value: "FILE", required: true, path: true, description: "requests JSONL to write" },
    },
    async run({ values, config }) {
      const { experiment, loaded } = await load(values.task, values.subset, config);
      const sampling = { ...evalSampling(), ...experiment.eval.sampling };
      const count = await writeRequestsJsonl(
        evalRequests(loaded.items, loaded.noteText, values.model, sampling),
        values.out,
      );
      console.log(`${loaded.task}/${loaded.subset}: ${count} requests for ${values.model} -> ${values.out}`);
      return EXIT.ok;
    },
  }),
  score: defineCommand("eval score", {
    summary: "score a predictions JSONL against the task's gold (no model calls)",
    experiment: true,
    options: {
      ...TASK_OPTIONS,
      predictions: { type: "string", value: "FILE", required: true, path: true, description: "predictions JSONL" },
      json: { type: "string", value: "FILE", path: true, description: "also write the scores as JSON here" },
    },
    notes: ["Exit 1 when predictions are missing for some items (the file and the ids are named)."],
    async run({ values, config }) {
      const { loaded, experiment } = await load(values.task, values.subset, config);
      const result = evaluateTaskFile(loaded, values.predictions);
      const { overall, numeric } = result.score;
      console.log(`${loaded.task}/${loaded.subset}, model ${result.model}, ${result.score.n} items`);
      console.log(
        `  accuracy ${fixed(overall.accuracy.value)} [${fixed(overall.accuracy.low)}, ${fixed(overall.accuracy.high)}]` +
          `  balanced accuracy ${fixed(overall.balancedAccuracy.value)}  macro-F1 ${fixed(overall.macroF1.value)}`,
      );
      if (numeric.n > 0) {
        console.log(
          `  numeric (${numeric.n}): exact ${fixed(numeric.exact.value)}, within tolerance ${fixed(numeric.withinTolerance.value)}`,
        );
      }
      if (result.rows.length > 0) console.log(`  mean over questions (paper): ${fixed(result.averages.all)}`);
      const { n2c2 } = result;
      if (n2c2) {
        console.log(
          `  official n2c2: micro-F1 ${fixed(n2c2.official.micro.f1)}, macro-F1 ${fixed(n2c2.official.macro.f1)}` +
            ` (reference: best 2018 system micro ${experiment.eval.n2c2.referenceMicroF1})`,
        );
        console.log(
          `  paper's reduction: mean balanced accuracy ${fixed(n2c2.paper.mean.balancedAccuracy)}, mean F1(met) ${fixed(n2c2.paper.mean.f1Met)}`,
        );
      }
      console.log(`  unusable predictions (counted wrong): ${result.score.unusable.length}`);
      if (loaded.leakage) console.log(`  ${formatLeakage(loaded.leakage)}`);
      if (values.json) {
        const { graded: _graded, ...summary } = result;
        writeFileSync(
          values.json,
          `${JSON.stringify({ ...summary, n2c2, leakage: loaded.leakage, seeds: resolvedSeeds(experiment) }, null, 1)}\n`,
        );
        console.log(`  scores -> ${values.json}`);
      }
      return EXIT.ok;
    },
  }),
  "n2c2-score": defineCommand("eval n2c2-score", {
    summary: "score an n2c2 2018 Track 1 system folder against a gold folder (the official table)",
    positionals: [
      { name: "GOLD_DIR", required: true, path: true, description: "folder of gold XML files" },
      { name: "SYSTEM_DIR", required: true, path: true, description: "folder of system XML files" },
    ],
    options: {
      "skip-missing": { type: "boolean", description: "skip files without a counterpart, as the official script does" },
      json: { type: "string", value: "FILE", path: true, description: "also write the scores as JSON here" },
    },
    notes: ["Exit 1 when a gold file has no system file (unless --skip-missing)."],
    async run({ values, args }) {
      const goldDir = args.GOLD_DIR as string;
      const systemDir = args.SYSTEM_DIR as string;
      const result = await scoreN2c2Folders(goldDir, systemDir, {
        missing: values["skip-missing"] ? "official" : "refuse",
      });
      // Skipped files first, as the official script prints them, and counted.
      const { goldOnly, systemOnly } = result.skipped;
      if (goldOnly.length > 0)
        console.log(`Files skipped in ${goldDir} (${goldOnly.length}, no system file):\n${goldOnly.join(", ")}`);
      if (systemOnly.length > 0)
        console.log(`Files skipped in ${systemDir} (${systemOnly.length}, no gold file):\n${systemOnly.join(", ")}`);
      for (const [role, names] of Object.entries(result.ignored)) {
        if (names.length > 0) console.log(`Not read in the ${role} folder (not *.xml files): ${names.join(", ")}`);
      }
      console.log(formatN2c2OfficialTable(result.official));
      if (values.json) {
        writeFileSync(values.json, `${JSON.stringify(result, null, 1)}\n`);
        console.log(`scores -> ${values.json}`);
      }
      return EXIT.ok;
    },
  }),
  "sample-replay": defineCommand("eval sample-replay", {
    summary: "write SAMPLE recorded answers (made from gold, not a model) for the offline demo of the model path",
    experiment: true,
    options: {
      ...TASK_OPTIONS,
      out: { type: "string", value: "FILE", required: true, path: true, description: "replay JSONL to write" },
    },
    async run({ values, config }) {
      const { loaded, experiment } = await load(values.task, values.subset, config);
      const sampling = { ...evalSampling(), ...experiment.eval.sampling };
      const requests = evalRequests(loaded.items, loaded.noteText, SAMPLE_REPLAY_MODEL, sampling);
      const count = writeSampleReplay(values.out, sampleReplayRecords(loaded.items, requests));
      console.log(`${count} SAMPLE answers (not model output) -> ${values.out}`);
      return EXIT.ok;
    },
  }),
};
