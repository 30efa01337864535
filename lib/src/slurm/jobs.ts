// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are bash, where ${VAR} is meant literally
import type { Experiment } from "../config/experiment.js";
import { ToolkitError } from "../core/errors.js";
import { outputPath, resourcesFor, timeSeconds } from "./job-resources.js";
import { type ClusterProfile, loadProfile } from "./profile.js";
import { absoluteFromRoot, type RenderedJob, type ResourceOverrides, renderJob } from "./render-script.js";
import { checkpointRequeueLines, DEFAULT_USR1_BEFORE_LIMIT_S } from "./requeue.js";
import { shellCommand, shellQuote } from "./shell-quote.js";

/**
 * What the job renderers read from an experiment: its seed, its `slurm:` section and, when given, the name of
 * the LLM key variable (`llm.apiKeyEnv`), which every job script unsets.
 */
export type JobExperiment = Pick<Experiment, "seed" | "slurm"> & { llm?: Pick<Experiment["llm"], "apiKeyEnv"> };

export interface JobOptions {
  /** Cluster profile; default: the experiment's `slurm.profile`. */
  profile?: ClusterProfile;
  /** Job name; each renderer has its own default. */
  name?: string;
  resources?: ResourceOverrides;
}

function keyVariablesOf(experiment: JobExperiment): string[] {
  return experiment.llm?.apiKeyEnv ? [experiment.llm.apiKeyEnv] : [];
}

function profileOf(experiment: JobExperiment, options: JobOptions): ClusterProfile {
  return options.profile ?? loadProfile(experiment.slurm.profile);
}

// A quoted heredoc is never expanded by bash; JSON.stringify writes one line that starts with "{", so it can
// never equal the terminator line.
function writeJsonFile(path: string, value: unknown): string[] {
  return [`cat > ${shellQuote(path)} <<'CLINICAL_DISTILL_JSON'`, JSON.stringify(value), "CLINICAL_DISTILL_JSON"];
}

export interface CommandJobOptions extends JobOptions {
  summary?: string;
  env?: Record<string, string>;
  /**
   * Checkpoint and requeue like the fine-tuning job: USR1 `beforeLimitS` seconds before the time limit (or
   * from `scancel --signal=USR1 --batch`) asks the command to checkpoint into `dir` (slurm/common.py
   * stop_requested / request_requeue), then the job requeues itself.
   */
  requeueOnSignal?: { dir: string; beforeLimitS?: number };
}

// A warning as long as the time limit would come at the start: then warn at half-time instead.
function warningBefore(seconds: number, limit: string): number {
  const total = timeSeconds(limit);
  return seconds < total ? seconds : Math.max(1, Math.floor(total / 2));
}

/** A job that runs one command (argv, each argument quoted) on the profile: tests, CPU steps, the CLI. */
export function renderCommandJob(
  experiment: JobExperiment,
  command: readonly (string | number)[],
  options: CommandJobOptions = {},
): RenderedJob {
  if (command.length === 0)
    throw new ToolkitError("renderCommandJob: the command is empty", { stage: "slurm", field: "command" });
  const profile = profileOf(experiment, options);
  const requeue = options.requeueOnSignal;
  return renderJob({
    name: options.name ?? "command",
    summary: options.summary ?? `runs ${String(command[0])}`,
    profile,
    logsDir: experiment.slurm.logsDir,
    keyVariables: keyVariablesOf(experiment),
    resources: requeue ? { requeue: true, ...options.resources } : options.resources,
    env: options.env,
    usr1BeforeLimitS: requeue
      ? warningBefore(requeue.beforeLimitS ?? DEFAULT_USR1_BEFORE_LIMIT_S, options.resources?.time ?? profile.time)
      : undefined,
    body: requeue
      ? checkpointRequeueLines(shellCommand(command), absoluteFromRoot(requeue.dir))
      : [shellCommand(command)],
  });
}

/**
 * The resolved fine-tuning config the job hands to slurm/finetune.py (snake_case, as Python reads it). The
 * adapter and checkpoints go under the profile's scratchDir when it has one.
 */
export function finetuneRunConfig(
  experiment: JobExperiment,
  profile: ClusterProfile = loadProfile(experiment.slurm.profile),
): Record<string, unknown> {
  const ft = experiment.slurm.finetune;
  return {
    base_model: ft.baseModel,
    train_file: absoluteFromRoot(ft.trainFile),
    eval_file: ft.evalFile ? absoluteFromRoot(ft.evalFile) : null,
    variant: ft.variant,
    output_dir: outputPath(profile, ft.outputDir),
    max_seq_length: ft.maxSeqLength,
    truncation_side: ft.truncationSide,
    load_in_4bit: ft.loadIn4bit,
    quant_type: ft.quantType,
    double_quant: ft.doubleQuant,
    lora_r: ft.loraR,
    lora_alpha: ft.loraAlpha,
    lora_dropout: ft.loraDropout,
    target_modules: ft.targetModules,
    epochs: ft.epochs,
    max_steps: ft.maxSteps,
    per_device_batch_size: ft.perDeviceBatchSize,
    gradient_accumulation_steps: ft.gradientAccumulationSteps,
    learning_rate: ft.learningRate,
    lr_scheduler: ft.lrScheduler,
    warmup_ratio: ft.warmupRatio,
    optimizer: ft.optimizer,
    bf16: ft.bf16,
    gradient_checkpointing: ft.gradientCheckpointing,
    logging_steps: ft.loggingSteps,
    save_steps: ft.saveSteps,
    save_total_limit: ft.saveTotalLimit,
    seed: experiment.seed,
  };
}

/**
 * QLoRA fine-tuning: `accelerate launch` (DeepSpeed ZeRO-2, one process per GPU) of slurm/finetune.py with the
 * resolved config written beside the adapter. Before the time limit SLURM signals the job, which checkpoints
 * and requeues itself (requeue.ts); finetune.py resumes from the last checkpoint.
 */
export function renderFinetuneJob(experiment: JobExperiment, options: JobOptions = {}): RenderedJob {
  const profile = profileOf(experiment, options);
  const ft = experiment.slurm.finetune;
  const outputDir = outputPath(profile, ft.outputDir);
  const configFile = `${outputDir}/finetune-config.json`;
  const requeue = ft.checkpointBeforeLimitS > 0;
  // A job that requeues itself must be requeueable (scontrol refuses --no-requeue jobs).
  const resources = resourcesFor("finetune", profile, { ...(requeue ? { requeue: true } : {}), ...options.resources });
  const gpus = resources.gpus ?? profile.gpus;
  const nodes = resources.nodes ?? profile.nodes;
  const entry = absoluteFromRoot("slurm/finetune.py");
  const launch =
    gpus > 1 || nodes > 1
      ? [
          "# One process per GPU; a port derived from the job id keeps two jobs on one node apart.",
          "MAIN_PORT=$((29500 + ${SLURM_JOB_ID:-0} % 2000))",
          `${shellCommand(["accelerate", "launch", "--config_file", absoluteFromRoot(ft.accelerateConfig), "--num_machines", nodes, "--num_processes", gpus * nodes])} --main_process_port "$MAIN_PORT" ${shellCommand([entry, "--config", configFile])}`,
        ]
      : [shellCommand([profile.python, entry, "--config", configFile])];
  const run = launch.pop() as string;
  return renderJob(
    {
      name: options.name ?? "finetune",
      summary: `QLoRA fine-tuning of ${ft.baseModel}`,
      profile,
      logsDir: experiment.slurm.logsDir,
      keyVariables: keyVariablesOf(experiment),
      resources,
      usr1BeforeLimitS: requeue ? warningBefore(ft.checkpointBeforeLimitS, resources.time ?? profile.time) : undefined,
      body: [
        `mkdir -p ${shellQuote(outputDir)}`,
        ...writeJsonFile(configFile, finetuneRunConfig(experiment, profile)),
        ...launch,
        ...(requeue ? checkpointRequeueLines(run, outputDir) : [run]),
      ],
    },
    { adapter: outputDir, config: configFile },
  );
}

/** Merge the LoRA adapter into the base weights and save model + tokenizer for vLLM (with a reload check). */
export function renderMergeJob(experiment: JobExperiment, options: JobOptions = {}): RenderedJob {
  const profile = profileOf(experiment, options);
  const { finetune: ft, merge } = experiment.slurm;
  const outputDir = outputPath(profile, merge.outputDir);
  return renderJob(
    {
      name: options.name ?? "merge-adapter",
      summary: `merge the LoRA adapter into ${ft.baseModel}`,
      profile,
      logsDir: experiment.slurm.logsDir,
      keyVariables: keyVariablesOf(experiment),
      resources: resourcesFor("merge", profile, {
        ...(merge.gpus === undefined ? {} : { gpus: merge.gpus }),
        ...options.resources,
      }),
      body: [
        shellCommand([
          profile.python,
          absoluteFromRoot("slurm/merge_adapter.py"),
          "--base-model",
          ft.baseModel,
          "--adapter",
          outputPath(profile, ft.outputDir),
          "--output",
          outputDir,
          "--dtype",
          merge.dtype,
        ]),
      ],
    },
    { model: outputDir },
  );
}

function servedModel(experiment: JobExperiment, profile: ClusterProfile): string {
  const inference = experiment.slurm.inference;
  return inference.model || outputPath(profile, experiment.slurm.merge.outputDir);
}

/** How a serve job lays a model over its GPUs: replicas (data parallel) of `tensorParallel` GPUs each. */
export interface ServingLayout {
  tensorParallel: number;
  dataParallel: number;
  /** GPUs the job asks for (0 on a CPU-only profile such as the local test cluster). */
  gpus: number;
}

/**
 * The layout of a serve job: `dataParallel` 0 fills the job's GPUs with replicas, so an 8B student on an
 * 8-GPU node runs as 8 independent engines behind one endpoint (vLLM `--data-parallel-size 8`) rather than
 * one model split 8 ways; the 70B teacher uses tensorParallel 8 (forTeacher). Errors name the fields.
 */
export function servingLayout(
  experiment: JobExperiment,
  profile: ClusterProfile,
  gpuBudget = profile.gpus,
): ServingLayout {
  const { tensorParallel, dataParallel } = experiment.slurm.inference;
  if (gpuBudget === 0) return { tensorParallel, dataParallel: dataParallel || 1, gpus: 0 };
  if (tensorParallel > gpuBudget) {
    throw new ToolkitError(
      `slurm.inference.tensorParallel is ${tensorParallel}, but a job on cluster profile "${profile.name}" has ${gpuBudget} GPU(s)`,
      { stage: "slurm", field: "slurm.inference.tensorParallel" },
    );
  }
  const replicas = dataParallel || Math.floor(gpuBudget / tensorParallel);
  if (replicas * tensorParallel > gpuBudget) {
    throw new ToolkitError(
      `slurm.inference: dataParallel ${replicas} x tensorParallel ${tensorParallel} = ${replicas * tensorParallel} GPUs, but a job on cluster profile "${profile.name}" has ${gpuBudget}`,
      { stage: "slurm", field: "slurm.inference.dataParallel" },
    );
  }
  return { tensorParallel, dataParallel: replicas, gpus: replicas * tensorParallel };
}

/** The experiment with `inference` set up for the teacher `model`: tensor parallel (teacherTensorParallel). */
export function forTeacher<E extends JobExperiment>(experiment: E, model: string): E {
  const inference = experiment.slurm.inference;
  return {
    ...experiment,
    slurm: {
      ...experiment.slurm,
      inference: { ...inference, model, tensorParallel: inference.teacherTensorParallel, dataParallel: 0 },
    },
  };
}

function engineArgs(experiment: JobExperiment, layout: ServingLayout): (string | number)[] {
  const inference = experiment.slurm.inference;
  const args: (string | number)[] = ["--tensor-parallel-size", layout.tensorParallel];
  if (layout.dataParallel > 1) args.push("--data-parallel-size", layout.dataParallel);
  args.push(
    "--dtype",
    inference.dtype,
    "--max-model-len",
    inference.maxModelLen,
    "--gpu-memory-utilization",
    inference.gpuMemoryUtilization,
    // Without this vLLM applies the model's generation_config.json (Llama-3.1: temperature 0.6, top_p 0.9)
    // to every request that leaves a parameter out.
    "--generation-config",
    "vllm",
    "--seed",
    experiment.seed,
  );
  if (inference.servedModelName) args.push("--served-model-name", inference.servedModelName);
  return args;
}

/**
 * A vLLM OpenAI-compatible server. The job makes a per-job API key in a 0600 file, writes
 * `<serveDir>/<jobid>/server.json` ({host, port, apiKeyFile, model}) once the port is chosen, and hands the key
 * to the vLLM process alone, in its environment (never the job's environment, the command line, a log, the
 * script or SLURM's state). Clients read the file with readApiKey. Pair with waitForServer.
 */
export function renderServeJob(experiment: JobExperiment, options: JobOptions = {}): RenderedJob {
  const profile = profileOf(experiment, options);
  const inference = experiment.slurm.inference;
  const serveDir = absoluteFromRoot(inference.serveDir);
  const model = servedModel(experiment, profile);
  const resources = resourcesFor("serve", profile, { requeue: false, ...options.resources });
  const layout = servingLayout(experiment, profile, resources.gpus ?? profile.gpus);
  const modelId = inference.servedModelName || model;
  const body = [
    `SERVE_DIR=${shellQuote(serveDir)}/"\${SLURM_JOB_ID}"`,
    "umask 077",
    'mkdir -p "$SERVE_DIR"',
    'KEY_FILE="$SERVE_DIR/api-key"',
    'SERVER_FILE="$SERVE_DIR/server.json"',
    "# The key exists only in this 0600 file and in vLLM's own environment (not this shell's); both go when the job ends.",
    'cleanup() { rm -f "$KEY_FILE" "$SERVER_FILE"; }',
    "trap cleanup EXIT",
    "head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' > \"$KEY_FILE\"",
    'chmod 600 "$KEY_FILE"',
    "# A free port on this node (the kernel picks it), and the node's name for clients on the login node.",
    `PORT=$(${shellQuote(profile.python)} -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')`,
    "HOST=$(hostname -f 2>/dev/null || hostname)",
    `printf '{"host":"%s","port":%s,"apiKeyFile":"%s","model":%s,"jobId":"%s"}\\n' "$HOST" "$PORT" "$KEY_FILE" ${shellQuote(JSON.stringify(modelId))} "$SLURM_JOB_ID" > "$SERVER_FILE.tmp"`,
    'mv "$SERVER_FILE.tmp" "$SERVER_FILE"',
    `VLLM_API_KEY="$(cat "$KEY_FILE")" ${shellCommand([profile.vllm, "serve", model, "--host", "0.0.0.0"])} --port "$PORT" ${shellCommand(engineArgs(experiment, layout))} &`,
    "VLLM_PID=$!",
    "# scancel sends TERM: pass it on and let vLLM shut its workers down.",
    "trap 'kill -TERM \"$VLLM_PID\" 2>/dev/null || true' TERM INT",
    'wait "$VLLM_PID" || STATUS=$?',
    'wait "$VLLM_PID" 2>/dev/null || true',
    'exit "${STATUS:-0}"',
  ];
  return renderJob(
    {
      name: options.name ?? "vllm-serve",
      summary: `vLLM server for ${modelId}`,
      profile,
      logsDir: experiment.slurm.logsDir,
      keyVariables: keyVariablesOf(experiment),
      resources: { ...resources, gpus: layout.gpus },
      body,
    },
    { serveDir },
  );
}

export interface RunBatchOptions extends JobOptions {
  /** Batch request files (OpenAI Batch JSONL), one array task each. */
  inputs: readonly string[];
  /** Output folder: `<outputDir>/<input file name>` per input. */
  outputDir: string;
}

/**
 * `vllm run-batch` over chunk files as a job array, one chunk per task. A task whose output already exists
 * skips (re-queue and re-submission safe); output appears only when complete (written to .partial, renamed).
 */
export function renderRunBatchJob(experiment: JobExperiment, options: RunBatchOptions): RenderedJob {
  if (options.inputs.length === 0)
    throw new ToolkitError("renderRunBatchJob: no input batch files", { stage: "slurm", field: "inputs" });
  const profile = profileOf(experiment, options);
  const inference = experiment.slurm.inference;
  // Data parallel through the array: each task is one engine of tensorParallel GPUs (one GPU for a student).
  const resources = resourcesFor("runBatch", profile, options.resources);
  const budget = resources.gpus ?? profile.gpus;
  const layout = { ...servingLayout(experiment, profile, budget), dataParallel: 1 };
  layout.gpus = budget === 0 ? 0 : layout.tensorParallel;
  const outputDir = absoluteFromRoot(options.outputDir);
  const inputs = options.inputs.map(absoluteFromRoot);
  const outputs = inputs.map((input) => `${outputDir}/${input.split("/").pop()}`);
  const body = [
    `INPUTS=(${inputs.map(shellQuote).join(" ")})`,
    `OUTPUTS=(${outputs.map(shellQuote).join(" ")})`,
    'TASK="${SLURM_ARRAY_TASK_ID:-0}"',
    'INPUT="${INPUTS[$TASK]}"',
    'OUTPUT="${OUTPUTS[$TASK]}"',
    `mkdir -p ${shellQuote(outputDir)}`,
    'if [[ -s "$OUTPUT" ]]; then echo "[clinical-distill] $OUTPUT exists; nothing to do"; exit 0; fi',
    `${shellCommand([profile.vllm, "run-batch", "--model", servedModel(experiment, profile)])} -i "$INPUT" -o "$OUTPUT.partial" ${shellCommand(engineArgs(experiment, layout))}`,
    'mv "$OUTPUT.partial" "$OUTPUT"',
  ];
  return renderJob(
    {
      name: options.name ?? "vllm-run-batch",
      summary: `vllm run-batch over ${inputs.length} chunk file(s)`,
      profile,
      logsDir: experiment.slurm.logsDir,
      keyVariables: keyVariablesOf(experiment),
      resources: { ...resources, gpus: layout.gpus },
      array: { size: inputs.length, maxParallel: inference.maxParallelChunks || undefined },
      body,
    },
    Object.fromEntries(outputs.map((output, index) => [`chunk${index}`, output])),
  );
}
