import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadExperiment } from "../config/experiment.js";
import { formatN2c2OfficialTable, scoreN2c2Folders } from "../eval/n2c2-system.js";
import { runBaseline } from "../eval/tasks/baseline.js";
import { evaluateFile } from "../eval/tasks/evaluate.js";
import { formatLeakage } from "../eval/tasks/leakage.js";
import { loadEvalTask, predictionsPath } from "../eval/tasks/load-task.js";
import { evaluateN2c2 } from "../eval/tasks/n2c2-evaluate.js";
import { writePredictions } from "../eval/tasks/predictions.js";
import { evalRequests } from "../eval/tasks/requests.js";
import { SAMPLE_REPLAY_MODEL, sampleReplayRecords, writeSampleReplay } from "../eval/tasks/sample-replay.js";
import type { EvalTaskName } from "../eval/tasks/types.js";
import { writeRequestsJsonl } from "../llm/request-files.js";
import { resolveFromRoot } from "../paths.js";
import { evalSampling } from "../prompts/eval.js";
import type { CommandTable } from "./command.js";

const TASKS: readonly EvalTaskName[] = ["synthetic", "n2c2", "apixaban"];
const COMMON = "--task synthetic|n2c2|apixaban [--subset S] [--config configs/experiments/sample.yaml]";

const options = {
  task: { type: "string" },
  subset: { type: "string" },
  config: { type: "string", default: "configs/experiments/sample.yaml" },
  out: { type: "string" },
  model: { type: "string" },
  predictions: { type: "string" },
  json: { type: "string" },
  help: { type: "boolean" },
} as const;

async function load(args: string[], usage: string) {
  const { values } = parseArgs({ args, options, strict: true });
  if (values.help) {
    console.log(`usage: ${usage}`);
    return undefined;
  }
  const task = values.task as EvalTaskName;
  if (!TASKS.includes(task)) throw new Error(`--task must be one of ${TASKS.join(", ")}\nusage: ${usage}`);
  const experiment = loadExperiment(resolveFromRoot(values.config));
  const loaded = await loadEvalTask(experiment, task, values.subset ? { subset: values.subset } : {});
  const outDir = resolveFromRoot(experiment.eval.outDir);
  return { values, experiment, loaded, outDir };
}

const fixed = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : "n/a");

/** `clinical-distill eval <command>`: the evaluation steps without a notebook, for cluster jobs. */
export const commands: CommandTable = {
  baseline: {
    summary: "run the rule-based baseline offline and write its predictions JSONL",
    usage: `eval baseline ${COMMON} [--out FILE]`,
    async run(args) {
      const context = await load(args, this.usage!);
      if (!context) return 0;
      const { values, loaded, outDir } = context;
      const file = values.out ?? predictionsPath(outDir, loaded.task, loaded.subset, "baseline");
      const count = writePredictions(file, runBaseline(loaded.items, loaded.noteText));
      console.log(`${loaded.task}/${loaded.subset}: ${count} baseline predictions -> ${file}`);
      return 0;
    },
  },
  requests: {
    summary: "write the evaluation requests (Llama-3.1 chat, eval sampling) as JSONL for a batch run",
    usage: `eval requests ${COMMON} --model MODEL_ID --out FILE`,
    async run(args) {
      const context = await load(args, this.usage!);
      if (!context) return 0;
      const { values, experiment, loaded } = context;
      if (!values.model || !values.out) throw new Error(`--model and --out are required\nusage: ${this.usage}`);
      const sampling = { ...evalSampling(), ...experiment.eval.sampling };
      const count = await writeRequestsJsonl(
        evalRequests(loaded.items, loaded.noteText, values.model, sampling),
        values.out,
      );
      console.log(`${loaded.task}/${loaded.subset}: ${count} requests for ${values.model} -> ${values.out}`);
      return 0;
    },
  },
  score: {
    summary: "score a predictions JSONL against the task's gold (no model calls)",
    usage: `eval score ${COMMON} --predictions FILE [--json OUT]`,
    async run(args) {
      const context = await load(args, this.usage!);
      if (!context) return 0;
      const { values, loaded, experiment } = context;
      if (!values.predictions) throw new Error(`--predictions is required\nusage: ${this.usage}`);
      const result = evaluateFile(values.predictions, loaded.items, loaded.evaluateOptions);
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
      let n2c2: ReturnType<typeof evaluateN2c2> | undefined;
      if (loaded.task === "n2c2") {
        n2c2 = evaluateN2c2(result.model, result.graded, loaded.evaluateOptions);
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
        writeFileSync(values.json, `${JSON.stringify({ ...summary, n2c2, leakage: loaded.leakage }, null, 1)}\n`);
        console.log(`  scores -> ${values.json}`);
      }
      return 0;
    },
  },
  "n2c2-score": {
    summary: "score an n2c2 2018 Track 1 system folder against a gold folder (the official table)",
    usage: "eval n2c2-score GOLD_DIR SYSTEM_DIR [--skip-missing] [--json OUT]",
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        options: { "skip-missing": { type: "boolean" }, json: { type: "string" }, help: { type: "boolean" } },
        allowPositionals: true,
        strict: true,
      });
      if (values.help) {
        console.log(`usage: ${this.usage}`);
        return 0;
      }
      if (positionals.length !== 2) throw new Error(`expected GOLD_DIR and SYSTEM_DIR\nusage: ${this.usage}`);
      const [goldDir, systemDir] = positionals.map((dir) => resolve(dir));
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
      return 0;
    },
  },
  "sample-replay": {
    summary: "write SAMPLE recorded answers (made from gold, not a model) for the offline demo of the model path",
    usage: "eval sample-replay --task synthetic|apixaban [--subset S] [--config FILE] --out FILE",
    async run(args) {
      const context = await load(args, this.usage!);
      if (!context) return 0;
      const { values, loaded, experiment } = context;
      if (!values.out) throw new Error(`--out is required\nusage: ${this.usage}`);
      const sampling = { ...evalSampling(), ...experiment.eval.sampling };
      const requests = evalRequests(loaded.items, loaded.noteText, SAMPLE_REPLAY_MODEL, sampling);
      const count = writeSampleReplay(values.out, sampleReplayRecords(loaded.items, requests));
      console.log(`${count} SAMPLE answers (not model output) -> ${values.out}`);
      return 0;
    },
  },
};
