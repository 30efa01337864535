import { parseArgs } from "node:util";
import { execa } from "execa";
import { loadExperiment } from "../config/experiment.js";
import { resolveFromRoot } from "../paths.js";
import {
  type ClusterProfile,
  cancelJob,
  followJob,
  jobRecords,
  loadProfile,
  parseTrainerLog,
  type RenderedJob,
  renderCommandJob,
  renderFinetuneJob,
  renderMergeJob,
  renderRunBatchJob,
  renderServeJob,
  submitJob,
} from "../slurm/index.js";
import type { CommandTable } from "./command.js";

const KINDS = "finetune | merge | serve | run-batch | command";
const jobUsage = `<${KINDS}> --config configs/experiments/X.yaml [--profile NAME] [--name NAME]
      run-batch: --inputs a.jsonl,b.jsonl --output-dir DIR      command: -- PROGRAM ARGS...`;

const jobOptions = {
  config: { type: "string" },
  profile: { type: "string" },
  name: { type: "string" },
  inputs: { type: "string" },
  "output-dir": { type: "string" },
  follow: { type: "boolean" },
} as const;

function renderFromArgs(args: string[]): RenderedJob {
  const { values, positionals } = parseArgs({ args, options: jobOptions, allowPositionals: true });
  const [kind, ...command] = positionals;
  if (!values.config) throw new Error(`--config is required\nusage: ${jobUsage}`);
  const experiment = loadExperiment(resolveFromRoot(values.config));
  const options = {
    profile: loadProfile(values.profile ?? experiment.slurm.profile),
    ...(values.name ? { name: values.name } : {}),
  };
  switch (kind) {
    case "finetune":
      return renderFinetuneJob(experiment, options);
    case "merge":
      return renderMergeJob(experiment, options);
    case "serve":
      return renderServeJob(experiment, options);
    case "run-batch":
      if (!values.inputs || !values["output-dir"]) throw new Error("run-batch needs --inputs and --output-dir");
      return renderRunBatchJob(experiment, {
        ...options,
        inputs: values.inputs.split(",").filter(Boolean),
        outputDir: values["output-dir"],
      });
    case "command":
      return renderCommandJob(experiment, command, options);
    default:
      throw new Error(`unknown job kind "${kind ?? ""}" (expected ${KINDS})`);
  }
}

function profileArg(args: string[]): { jobId: string; profile: ClusterProfile } {
  const { values, positionals } = parseArgs({ args, options: { profile: { type: "string" } }, allowPositionals: true });
  const jobId = positionals[0];
  if (!jobId || !/^\d+$/.test(jobId)) throw new Error("expected a numeric job id");
  return { jobId, profile: loadProfile(values.profile ?? "local") };
}

/** `clinical-distill slurm <command>`: the same render/submit/follow functions the notebooks use. */
export const commands: CommandTable = {
  render: {
    summary: "print the sbatch script of a job (dry run)",
    usage: jobUsage,
    async run(args) {
      process.stdout.write(renderFromArgs(args).script);
      return 0;
    },
  },
  submit: {
    summary: "render and submit a job (sbatch --parsable); --follow streams its log",
    usage: `${jobUsage} [--follow]`,
    async run(args) {
      const job = renderFromArgs(args);
      const follow = args.includes("--follow");
      const submitted = await submitJob(job);
      console.log(`submitted job ${submitted.jobId} (${submitted.name}); script ${submitted.scriptFile}`);
      if (!follow) return 0;
      const controller = new AbortController();
      process.once("SIGINT", () => controller.abort());
      const outcome = await followJob(submitted, {
        signal: controller.signal,
        onLog: (text) => process.stdout.write(text),
        onState: (state) => console.error(`[slurm] job ${submitted.jobId}: ${state}`),
      });
      console.log(`job ${outcome.jobId} ${outcome.state}`);
      return 0;
    },
  },
  status: {
    summary: "state, exit code and log file of a job",
    usage: "<jobid> [--profile NAME]",
    async run(args) {
      const { jobId, profile } = profileArg(args);
      for (const record of await jobRecords(jobId, profile)) {
        const task = record.arrayTaskId ? `[${record.arrayTaskId}]` : "";
        console.log(`${jobId}${task} ${record.name} ${record.state} exit=${record.exitCode} log=${record.logFile}`);
      }
      return 0;
    },
  },
  cancel: {
    summary: "cancel a job (scancel)",
    usage: "<jobid> [--profile NAME]",
    async run(args) {
      const { jobId, profile } = profileArg(args);
      await cancelJob({ jobId, profile });
      console.log(`cancelled ${jobId}`);
      return 0;
    },
  },
  local: {
    summary: "the local one-node test cluster: start | stop | status",
    usage: "start | stop | status",
    async run(args) {
      const result = await execa("bash", [resolveFromRoot("scripts", "slurm-local.sh"), args[0] ?? "status"], {
        stdio: "inherit",
        reject: false,
      });
      return result.exitCode ?? 1;
    },
  },
  loss: {
    summary: "loss points parsed from a training log or trainer_state.json",
    usage: "<log file>",
    async run(args) {
      if (!args[0]) throw new Error("usage: slurm loss <log file>");
      for (const point of parseTrainerLog(args[0])) {
        console.log(`${point.step}\t${Number.isFinite(point.loss) ? point.loss : ""}\t${point.evalLoss ?? ""}`);
      }
      return 0;
    },
  },
};
