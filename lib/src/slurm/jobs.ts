// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are bash, where ${VAR} is meant literally
import type { Experiment } from "../config/experiment.js";
import { type ClusterProfile, loadProfile } from "./profile.js";
import { absoluteFromRoot, type RenderedJob, type ResourceOverrides, renderJob } from "./render-script.js";
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

/** A job that runs one command (argv, each argument quoted) on the profile: tests, CPU steps, the CLI. */
export function renderCommandJob(
  experiment: JobExperiment,
  command: readonly (string | number)[],
  options: JobOptions & { summary?: string; env?: Record<string, string> } = {},
): RenderedJob {
  if (command.length === 0) throw new Error("renderCommandJob: the command is empty");
  const profile = profileOf(experiment, options);
  return renderJob({
    name: options.name ?? "command",
    summary: options.summary ?? `runs ${String(command[0])}`,
    profile,
    logsDir: experiment.slurm.logsDir,
    keyVariables: keyVariablesOf(experiment),
    resources: options.resources,
    env: options.env,
    body: [shellCommand(command)],
  });
}

/** The resolved fine-tuning config the job hands to slurm/finetune.py (snake_case, as Python reads it). */
export function finetuneRunConfig(experiment: JobExperiment): Record<string, unknown> {
  const ft = experiment.slurm.finetune;
  return {
    base_model: ft.baseModel,
    train_file: absoluteFromRoot(ft.trainFile),
    eval_file: ft.evalFile ? absoluteFromRoot(ft.evalFile) : null,
    output_dir: absoluteFromRoot(ft.outputDir),
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
 * resolved config written beside the adapter. Re-queue safe: finetune.py resumes from the last checkpoint.
 */
export function renderFinetuneJob(experiment: JobExperiment, options: JobOptions = {}): RenderedJob {
  const profile = profileOf(experiment, options);
  const ft = experiment.slurm.finetune;
  const outputDir = absoluteFromRoot(ft.outputDir);
  const configFile = `${outputDir}/finetune-config.json`;
  const gpus = options.resources?.gpus ?? profile.gpus;
  const nodes = options.resources?.nodes ?? profile.nodes;
  const entry = absoluteFromRoot("slurm/finetune.py");
  const launch =
    gpus > 1 || nodes > 1
      ? [
          "# One process per GPU; a port derived from the job id keeps two jobs on one node apart.",
          "MAIN_PORT=$((29500 + ${SLURM_JOB_ID:-0} % 2000))",
          `${shellCommand(["accelerate", "launch", "--config_file", absoluteFromRoot(ft.accelerateConfig), "--num_machines", nodes, "--num_processes", gpus * nodes])} --main_process_port "$MAIN_PORT" ${shellCommand([entry, "--config", configFile])}`,
        ]
      : [shellCommand([profile.python, entry, "--config", configFile])];
  return renderJob(
    {
      name: options.name ?? "finetune",
      summary: `QLoRA fine-tuning of ${ft.baseModel}`,
      profile,
      logsDir: experiment.slurm.logsDir,
      keyVariables: keyVariablesOf(experiment),
      resources: options.resources,
      body: [
        `mkdir -p ${shellQuote(outputDir)}`,
        ...writeJsonFile(configFile, finetuneRunConfig(experiment)),
        ...launch,
      ],
    },
    { adapter: outputDir, config: configFile },
  );
}

/** Merge the LoRA adapter into the base weights and save model + tokenizer for vLLM (with a reload check). */
export function renderMergeJob(experiment: JobExperiment, options: JobOptions = {}): RenderedJob {
  const profile = profileOf(experiment, options);
  const { finetune: ft, merge } = experiment.slurm;
  const outputDir = absoluteFromRoot(merge.outputDir);
  return renderJob(
    {
      name: options.name ?? "merge-adapter",
      summary: `merge the LoRA adapter into ${ft.baseModel}`,
      profile,
      logsDir: experiment.slurm.logsDir,
      keyVariables: keyVariablesOf(experiment),
      resources: { gpus: merge.gpus, ...options.resources },
      body: [
        shellCommand([
          profile.python,
          absoluteFromRoot("slurm/merge_adapter.py"),
          "--base-model",
          ft.baseModel,
          "--adapter",
          absoluteFromRoot(ft.outputDir),
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

function servedModel(experiment: JobExperiment): string {
  const inference = experiment.slurm.inference;
  return inference.model || absoluteFromRoot(experiment.slurm.merge.outputDir);
}

function engineArgs(experiment: JobExperiment): (string | number)[] {
  const inference = experiment.slurm.inference;
  const args: (string | number)[] = [
    "--tensor-parallel-size",
    inference.tensorParallel,
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
  ];
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
  const model = servedModel(experiment);
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
    `export VLLM_ENGINE_READY_TIMEOUT_S=${inference.engineReadyTimeoutS}`,
    `VLLM_API_KEY="$(cat "$KEY_FILE")" ${shellCommand([profile.vllm, "serve", model, "--host", "0.0.0.0"])} --port "$PORT" ${shellCommand(engineArgs(experiment))} &`,
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
      resources: { requeue: false, ...options.resources },
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
  if (options.inputs.length === 0) throw new Error("renderRunBatchJob: no input batch files");
  const profile = profileOf(experiment, options);
  const inference = experiment.slurm.inference;
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
    `export VLLM_ENGINE_READY_TIMEOUT_S=${inference.engineReadyTimeoutS}`,
    `${shellCommand([profile.vllm, "run-batch", "--model", servedModel(experiment)])} -i "$INPUT" -o "$OUTPUT.partial" ${shellCommand(engineArgs(experiment))}`,
    'mv "$OUTPUT.partial" "$OUTPUT"',
  ];
  return renderJob(
    {
      name: options.name ?? "vllm-run-batch",
      summary: `vllm run-batch over ${inputs.length} chunk file(s)`,
      profile,
      logsDir: experiment.slurm.logsDir,
      keyVariables: keyVariablesOf(experiment),
      resources: options.resources,
      array: { size: inputs.length, maxParallel: inference.maxParallelChunks || undefined },
      body,
    },
    Object.fromEntries(outputs.map((output, index) => [`chunk${index}`, output])),
  );
}
