import { execa } from "execa";
import { defaults } from "../config/defaults.js";
import { loadExperiment } from "../config/experiment.js";
import { resolveFromRoot } from "../paths.js";
import {
  cancelChain,
  cancelJob,
  chainStatus,
  followChain,
  followJob,
  formatChainStatus,
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
import { type CommandTable, defineCommand, EXIT, UsageError } from "./command.js";

const KINDS = ["finetune", "merge", "serve", "run-batch", "command"] as const;

const JOB_POSITIONALS = [
  { name: "kind", required: true, choices: KINDS, description: "the job to render" },
  { name: "program", rest: true, description: "kind command only: the program and its arguments, after --" },
] as const;

const JOB_OPTIONS = {
  profile: { type: "string", value: "NAME", description: "cluster profile (default: the config's slurm.profile)" },
  name: { type: "string", value: "NAME", description: "job name (default: from the experiment and kind)" },
  inputs: {
    type: "string",
    value: "A,B",
    path: "comma-list",
    description: "run-batch only: batch input files, comma-separated",
  },
  "output-dir": { type: "string", value: "DIR", path: true, description: "run-batch only: where outputs go" },
} as const;

const JOB_NOTES = [
  "e.g. slurm render run-batch --inputs a.jsonl,b.jsonl --output-dir out/batch",
  "     slurm render command -- python train.py --epochs 1",
];

interface JobArgs {
  kind: string;
  program: string[];
  config: string;
  profile?: string;
  name?: string;
  inputs?: string;
  outputDir?: string;
}

function renderFromArgs(job: JobArgs): RenderedJob {
  if (job.kind !== "command" && job.program.length > 0)
    throw new UsageError(`unexpected argument "${job.program[0]}" (only kind command takes a program)`);
  const experiment = loadExperiment(job.config);
  const options = {
    profile: loadProfile(job.profile ?? experiment.slurm.profile),
    ...(job.name ? { name: job.name } : {}),
  };
  switch (job.kind) {
    case "finetune":
      return renderFinetuneJob(experiment, options);
    case "merge":
      return renderMergeJob(experiment, options);
    case "serve":
      return renderServeJob(experiment, options);
    case "run-batch":
      if (!job.inputs || !job.outputDir) throw new UsageError("run-batch needs --inputs and --output-dir");
      return renderRunBatchJob(experiment, {
        ...options,
        inputs: job.inputs.split(",").filter(Boolean),
        outputDir: job.outputDir,
      });
    default:
      if (job.program.length === 0) throw new UsageError("kind command needs the program after --");
      return renderCommandJob(experiment, job.program, options);
  }
}

function jobArgs(parsed: {
  args: Record<string, string | undefined>;
  rest: string[];
  config: string;
  values: { profile?: string; name?: string; inputs?: string; "output-dir"?: string };
}): JobArgs {
  const { values } = parsed;
  return {
    kind: parsed.args.kind as string,
    program: parsed.rest,
    config: parsed.config,
    profile: values.profile,
    name: values.name,
    inputs: values.inputs,
    outputDir: values["output-dir"],
  };
}

const JOB_ID = [{ name: "jobid", required: true, description: "numeric SLURM job id" }] as const;
const PROFILE = {
  profile: { type: "string", value: "NAME", default: defaults.slurm.profile, description: "cluster profile" },
} as const;

function jobId(text: string | undefined): string {
  if (!text || !/^\d+$/.test(text)) throw new UsageError(`expected a numeric job id, got "${text ?? ""}"`);
  return text;
}

/** `clinical-distill slurm <command>`: the same render/submit/follow functions the notebooks use. */
export const commands: CommandTable = {
  render: defineCommand("slurm render", {
    summary: "print the sbatch script of a job (dry run)",
    experiment: true,
    positionals: JOB_POSITIONALS,
    options: JOB_OPTIONS,
    notes: JOB_NOTES,
    async run(parsed) {
      process.stdout.write(renderFromArgs(jobArgs(parsed)).script);
      return EXIT.ok;
    },
  }),
  submit: defineCommand("slurm submit", {
    summary: "render and submit a job (sbatch --parsable); --follow streams its log",
    experiment: true,
    positionals: JOB_POSITIONALS,
    options: {
      ...JOB_OPTIONS,
      follow: { type: "boolean", description: "stream the job's log and state until it ends" },
    },
    notes: [...JOB_NOTES, "With --follow, Ctrl-C stops following (the job keeps running) and exits 130."],
    async run(parsed) {
      const job = renderFromArgs(jobArgs(parsed));
      const submitted = await submitJob(job);
      console.log(`submitted job ${submitted.jobId} (${submitted.name}); script ${submitted.scriptFile}`);
      if (!parsed.values.follow) return EXIT.ok;
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      try {
        const outcome = await followJob(submitted, {
          signal: controller.signal,
          onLog: (text) => process.stdout.write(text),
          onState: (state) => console.error(`[slurm] job ${submitted.jobId}: ${state}`),
        });
        console.log(`job ${outcome.jobId} ${outcome.state}`);
      } finally {
        process.off("SIGINT", stop);
      }
      if (controller.signal.aborted) {
        console.error(`stopped following job ${submitted.jobId}; it keeps running (slurm status ${submitted.jobId})`);
        return EXIT.sigint;
      }
      return EXIT.ok;
    },
  }),
  status: defineCommand("slurm status", {
    summary: "state, exit code and log file of a job",
    positionals: JOB_ID,
    options: PROFILE,
    async run({ args, values }) {
      const id = jobId(args.jobid);
      for (const record of await jobRecords(id, loadProfile(values.profile))) {
        const task = record.arrayTaskId ? `[${record.arrayTaskId}]` : "";
        console.log(`${id}${task} ${record.name} ${record.state} exit=${record.exitCode} log=${record.logFile}`);
      }
      return EXIT.ok;
    },
  }),
  cancel: defineCommand("slurm cancel", {
    summary: "cancel a job (scancel)",
    positionals: JOB_ID,
    options: PROFILE,
    async run({ args, values }) {
      const id = jobId(args.jobid);
      await cancelJob({ jobId: id, profile: loadProfile(values.profile) });
      console.log(`cancelled ${id}`);
      return EXIT.ok;
    },
  }),
  chain: defineCommand("slurm chain", {
    summary: "reattach to a submitted job chain (its record file): status | follow | cancel",
    positionals: [
      { name: "action", required: true, choices: ["status", "follow", "cancel"], description: "what to do" },
      {
        name: "record",
        required: true,
        path: true,
        description: "the chain record submitChain wrote (<outputDir>/slurm/chains/<name>.json)",
      },
    ],
    notes: [
      "follow polls until every job has ended; Ctrl-C stops following (the chain keeps running) and exits 130.",
      "Exit 1 when a job of the chain failed, was cancelled or timed out.",
    ],
    async run({ args }) {
      const record = args.record as string;
      if (args.action === "cancel") {
        await cancelChain(record);
        console.log(formatChainStatus(await chainStatus(record)));
        return EXIT.ok;
      }
      let statuses: Awaited<ReturnType<typeof chainStatus>>;
      if (args.action === "status") statuses = await chainStatus(record);
      else {
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once("SIGINT", stop);
        try {
          statuses = await followChain(record, {
            signal: controller.signal,
            onState: (status) => console.error(`[slurm] ${status.name} ${status.jobId}: ${status.state}`),
          });
        } finally {
          process.off("SIGINT", stop);
        }
        if (controller.signal.aborted) {
          console.log(formatChainStatus(statuses));
          console.error(`stopped following; the chain keeps running (slurm chain status ${record})`);
          return EXIT.sigint;
        }
      }
      console.log(formatChainStatus(statuses));
      const bad = statuses.some((status) => /FAIL|CANCEL|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL/.test(status.state));
      return bad ? EXIT.failed : EXIT.ok;
    },
  }),
  local: defineCommand("slurm local", {
    summary: "the local one-node test cluster: start | stop | status",
    positionals: [
      { name: "action", choices: ["start", "stop", "status"], description: "what to do (default: status)" },
    ],
    notes: ["The exit code is that of scripts/slurm-local.sh."],
    async run({ args }) {
      const result = await execa("bash", [resolveFromRoot("scripts", "slurm-local.sh"), args.action ?? "status"], {
        stdio: "inherit",
        reject: false,
      });
      return result.exitCode ?? EXIT.failed;
    },
  }),
  loss: defineCommand("slurm loss", {
    summary: "loss points parsed from a training log or trainer_state.json (step, loss, eval loss)",
    positionals: [{ name: "log", required: true, path: true, description: "training log or trainer_state.json" }],
    async run({ args }) {
      for (const point of parseTrainerLog(args.log as string)) {
        console.log(`${point.step}\t${Number.isFinite(point.loss) ? point.loss : ""}\t${point.evalLoss ?? ""}`);
      }
      return EXIT.ok;
    },
  }),
};
