import { z } from "zod";

// Every hyperparameter of fine-tuning is here, so a run is described by its recipe alone; the defaults are
// the paper's (QLoRA r=8, alpha=16, all linear layers, constant LR 2e-4, batch 1 x grad-accum 2, 12,000 tokens).
const finetune = z
  .object({
    baseModel: z.string().min(1).default("meta-llama/Llama-3.1-8B-Instruct"),
    /** A prepared dataset folder (its data/train-*.parquet), a parquet file or a JSONL file. */
    trainFile: z.string().min(1).default("out/synth/dataset"),
    evalFile: z.string().optional(),
    /**
     * The variant to train on: the rows its `variant_<name>` column marks in a folder synth prepare wrote for
     * several variants (train and eval files alike). null: every row (a dataset of one variant has no such column).
     */
    variant: z.enum(["boolean", "numeric", "all"]).nullable().default("all"),
    /**
     * Adapter and checkpoints; a re-queued job resumes from the last checkpoint here. Relative: under the
     * cluster profile's scratchDir when it has one, else the project folder.
     */
    outputDir: z.string().min(1).default("out/finetune/adapter"),
    maxSeqLength: z.number().int().positive().default(12000),
    /** Long prompts lose their start (the completion is never cut). */
    truncationSide: z.enum(["left", "right"]).default("left"),
    loadIn4bit: z.boolean().default(true),
    quantType: z.enum(["nf4", "fp4"]).default("nf4"),
    doubleQuant: z.boolean().default(true),
    loraR: z.number().int().positive().default(8),
    loraAlpha: z.number().positive().default(16),
    loraDropout: z.number().min(0).max(1).default(0.05),
    /** "all-linear" (peft's shorthand) or explicit module names. */
    targetModules: z.union([z.literal("all-linear"), z.array(z.string().min(1)).min(1)]).default("all-linear"),
    epochs: z.number().positive().default(1),
    /** Stop after this many optimiser steps (-1: run the epochs). */
    maxSteps: z.number().int().default(-1),
    perDeviceBatchSize: z.number().int().positive().default(1),
    gradientAccumulationSteps: z.number().int().positive().default(2),
    learningRate: z.number().positive().default(2e-4),
    lrScheduler: z.string().min(1).default("constant"),
    warmupRatio: z.number().min(0).max(1).default(0),
    optimizer: z.string().min(1).default("paged_adamw_8bit"),
    bf16: z.boolean().default(true),
    gradientCheckpointing: z.boolean().default(true),
    loggingSteps: z.number().int().positive().default(10),
    saveSteps: z.number().int().positive().default(200),
    saveTotalLimit: z.number().int().positive().default(3),
    /**
     * SLURM signals the job this many seconds before its time limit (`--signal=B:USR1@N`); the trainer saves a
     * checkpoint at its next step and the job requeues itself and resumes. 0: no signal, no self-requeue.
     * Ten minutes covers one optimiser step of 12,000 tokens and the save of adapter + optimiser state.
     */
    checkpointBeforeLimitS: z.number().int().nonnegative().default(600),
    /** Accelerate config (8 processes, DeepSpeed ZeRO-2) used by `accelerate launch`. */
    accelerateConfig: z.string().min(1).default("configs/accelerate/deepspeed-zero2-8gpu.yaml"),
  })
  .strict();

const merge = z
  .object({
    /** Merged model + tokenizer, ready for vLLM (relative: under the profile's scratchDir, if any). */
    outputDir: z.string().min(1).default("out/finetune/merged"),
    dtype: z.enum(["bfloat16", "float16", "float32"]).default("bfloat16"),
    /** GPUs for the merge job; unset: the profile's `jobs.merge`, else one (docs/cluster.md, Resources). */
    gpus: z.number().int().nonnegative().optional(),
  })
  .strict();

const inference = z
  .object({
    /** Model to serve; empty = the merged model of `merge.outputDir`. */
    model: z.string().default(""),
    /** Name clients send as `model` (vLLM --served-model-name); empty = the model path. */
    servedModelName: z.string().default(""),
    /** GPUs one copy of the served model is split over: 1 for a student that fits one GPU. */
    tensorParallel: z.number().int().positive().default(1),
    /** Copies of the model (vLLM --data-parallel-size) behind one endpoint; 0 = as many as the job's GPUs hold. */
    dataParallel: z.number().int().nonnegative().default(0),
    /** tensorParallel for a teacher served with slurm.forTeacher (Llama-3.1-70B in bf16 needs 8 A100s). */
    teacherTensorParallel: z.number().int().positive().default(8),
    dtype: z.enum(["bfloat16", "float16", "auto"]).default("bfloat16"),
    maxModelLen: z.number().int().positive().default(16384),
    gpuMemoryUtilization: z.number().gt(0).max(1).default(0.9),
    /** Where serve jobs write server.json and their 0600 api-key file (one folder per job id). */
    serveDir: z.string().min(1).default("out/slurm/serve"),
    /** Prompts per run-batch chunk (one array task each). */
    chunkSize: z.number().int().positive().default(10000),
    /** Array tasks running at once (`--array=0-N%M`); 0 = no limit. */
    maxParallelChunks: z.number().int().nonnegative().default(0),
  })
  .strict();

/** The `slurm:` section of an experiment YAML. Owned by lib/slurm; unknown keys are rejected. */
export const slurmSection = z
  .object({
    /** Cluster profile: a name in configs/profiles/ or a path to a YAML file. */
    profile: z.string().min(1).default("local"),
    /** Rendered job scripts are written here before submission (relative to the project root). */
    jobsDir: z.string().min(1).default("out/slurm/jobs"),
    /** Job logs: <logsDir>/<job name>-<job id>.out. */
    logsDir: z.string().min(1).default("out/slurm/logs"),
    finetune: finetune.prefault({}),
    merge: merge.prefault({}),
    inference: inference.prefault({}),
  })
  .strict();
export type SlurmSection = z.output<typeof slurmSection>;
