// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are bash, where ${VAR} is meant literally
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import { experimentSchema } from "../../lib/src/config/experiment.js";
import { ConfigError, loadYamlConfig } from "../../lib/src/config/load.js";
import {
  clusterProfileSchema,
  loadProfile,
  renderCommandJob,
  renderFinetuneJob,
  renderMergeJob,
  renderRunBatchJob,
  renderServeJob,
  shellCommand,
  shellPath,
  shellQuote,
} from "../../lib/src/slurm/index.js";
import { finetuneRunConfig } from "../../lib/src/slurm/jobs.js";
import { tempDir } from "../helpers/temp-dir.js";

const experiment = experimentSchema.parse({ name: "render-test" });
const loadYaml = (file: string) => loadYamlConfig(join(import.meta.dirname, "..", "..", file), experimentSchema);
const a100 = loadProfile("a100-8x");

function bashEcho(words: string, env: Record<string, string> = {}): string {
  return execFileSync("bash", ["-c", `printf '%s\\n' ${words}`], { env: { ...process.env, ...env } }).toString();
}

test("shellQuote round-trips hostile strings through bash unchanged", () => {
  const values = [
    "plain",
    "with space",
    "$(touch /tmp/pwned)",
    "`id`",
    "'; rm -rf ~; '",
    '"$HOME"',
    "a\nb",
    "\\",
    "",
    "*",
  ];
  for (const value of values) assert.equal(bashEcho(shellQuote(value)), `${value}\n`, value);
  assert.equal(bashEcho(shellCommand(["a b", "c"])), "a b\nc\n");
  assert.throws(() => shellQuote("nul\0byte"), /NUL/);
});

test("shellPath expands only the listed variables", () => {
  assert.equal(bashEcho(shellPath("/scratch/${USER}/hf"), { USER: "alice" }), "/scratch/alice/hf\n");
  assert.equal(bashEcho(shellPath("$HOME/x y"), { HOME: "/h" }), "/h/x y\n");
  assert.equal(bashEcho(shellPath("/a/$(touch /tmp/pwned)/${PATH}")), "/a/$(touch /tmp/pwned)/${PATH}\n");
  assert.equal(bashEcho(shellPath("${USER}"), { USER: "a b" }), "a b\n");
});

test("a100-8x finetune script: resources, strict bash, logs, requeue, accelerate with DeepSpeed", () => {
  const job = renderFinetuneJob(experiment, { profile: a100 });
  const script = job.script;
  assert.ok(script.startsWith("#!/bin/bash\n"));
  for (const line of [
    "#SBATCH --job-name=finetune",
    "#SBATCH --partition=gpu",
    "#SBATCH --nodes=1",
    "#SBATCH --gres=gpu:8",
    "#SBATCH --cpus-per-task=64",
    "#SBATCH --mem=500G",
    "#SBATCH --time=24:00:00",
    "#SBATCH --requeue",
    "#SBATCH --open-mode=append",
    "set -euo pipefail",
    "module load cuda/12.8",
    "conda activate clinical-distill",
    `export HF_HOME=/scratch/${userInfo().username}/clinical-distill/hf-cache`,
  ]) {
    assert.ok(script.includes(`${line}\n`), `missing line: ${line}\n${script}`);
  }
  assert.match(script, /^#SBATCH --output=\/.*\/out\/slurm\/logs\/%x-%j\.out$/m);
  assert.match(
    script,
    /accelerate launch --config_file \S+deepspeed-zero2-8gpu\.yaml --num_machines 1 --num_processes 8/,
  );
  assert.match(script, /finetune\.py --config \S+\/out\/finetune\/adapter\/finetune-config\.json/);
  // #SBATCH lines must come before the first command, or sbatch ignores them.
  const firstCommand = script.split("\n").findIndex((line) => line && !line.startsWith("#"));
  const lastHeader = script.split("\n").findLastIndex((line) => line.startsWith("#SBATCH"));
  assert.ok(lastHeader < firstCommand);
  const runConfig = JSON.parse(
    script.split("\n")[script.split("\n").findIndex((l) => l.includes("<<'CLINICAL_DISTILL_JSON'")) + 1],
  );
  assert.deepEqual(runConfig, finetuneRunConfig(experiment, a100));
  assert.equal(runConfig.lora_r, 8);
  assert.equal(runConfig.learning_rate, 2e-4);
  assert.equal(runConfig.max_seq_length, 12000);
  // Step c's one folder, and the variant whose rows finetune.py keeps (--variant / config field variant).
  assert.match(String(runConfig.train_file), /\/out\/synth\/dataset$/);
  assert.equal(runConfig.variant, "all");
  const boolean = experimentSchema.parse({ name: "x", slurm: { finetune: { variant: "boolean" } } });
  assert.equal(finetuneRunConfig(boolean, a100).variant, "boolean");
  const jsonl = experimentSchema.parse({ name: "x", slurm: { finetune: { trainFile: "t.jsonl", variant: null } } });
  assert.equal(finetuneRunConfig(jsonl, a100).variant, null);
  assert.throws(() => experimentSchema.parse({ name: "x", slurm: { finetune: { variant: "na_boolean" } } }));
});

test("the finetune config heredoc is inert whatever the config says", () => {
  const hostile = experimentSchema.parse({
    name: "x",
    slurm: { finetune: { baseModel: "m\nCLINICAL_DISTILL_JSON\ntouch /tmp/pwned\n$(id)" } },
  });
  const script = renderFinetuneJob(hostile, { profile: a100 }).script;
  assert.ok(!script.split("\n").includes("touch /tmp/pwned"));
  assert.equal(script.split("\n").filter((line) => line === "CLINICAL_DISTILL_JSON").length, 1);
});

test("merge, serve and run-batch scripts carry the documented vLLM flags", () => {
  const merge = renderMergeJob(experiment, { profile: a100 }).script;
  assert.match(merge, /^#SBATCH --gres=gpu:1$/m);
  assert.match(
    merge,
    /merge_adapter\.py --base-model meta-llama\/Llama-3\.1-8B-Instruct --adapter \S+ --output \S+merged --dtype bfloat16/,
  );

  const serve = renderServeJob(experiment, { profile: a100 }).script;
  assert.match(
    serve,
    /vllm serve \S+\/out\/finetune\/merged --host 0\.0\.0\.0 --port "\$PORT" --tensor-parallel-size 1 --data-parallel-size 8 --dtype bfloat16/,
  );
  assert.match(serve, /--generation-config vllm/);
  assert.match(serve, /^umask 077$/m);
  assert.match(serve, /chmod 600 "\$KEY_FILE"/);
  assert.ok(!/--api-key/.test(serve), "the key goes through the environment, not the command line");
  assert.match(serve, /^#SBATCH --no-requeue$/m);

  const batch = renderRunBatchJob(experiment, {
    profile: a100,
    inputs: ["/data/chunk-000.jsonl", "/data/it's chunk 1.jsonl"],
    outputDir: "/results",
  });
  assert.match(batch.script, /^#SBATCH --array=0-1$/m);
  assert.match(batch.script, /^#SBATCH --output=\S+\/%x-%A_%a\.out$/m);
  assert.match(
    batch.script,
    /vllm run-batch --model \S+ -i "\$INPUT" -o "\$OUTPUT\.partial" --tensor-parallel-size 1 --dtype/,
  );
  assert.ok(batch.script.includes(`INPUTS=(/data/chunk-000.jsonl '/data/it'\\''s chunk 1.jsonl')`));
  assert.equal(batch.outputs.chunk1, "/results/it's chunk 1.jsonl");
  assert.throws(() => renderRunBatchJob(experiment, { profile: a100, inputs: [], outputDir: "/r" }), /no input/);
});

test("profile values that could break a header line are rejected with the field named", () => {
  for (const [field, value] of [
    ["partition", "gpu\n#SBATCH --wrap=evil"],
    ["partition", "gpu --exclusive"],
    ["time", "$(id)"],
    ["mem", "lots"],
    ["account", "lab;rm"],
  ] as const) {
    assert.throws(
      () => renderCommandJob(experiment, ["true"], { profile: { ...a100, [field]: value } }),
      (error: unknown) => error instanceof ConfigError && error.message.includes(field),
      `${field}=${JSON.stringify(value)}`,
    );
  }
  assert.throws(() => renderCommandJob(experiment, ["true"], { profile: a100, name: "bad name" }), /job name/);
  assert.throws(
    () => renderCommandJob(experiment, ["true"], { profile: a100, env: { "BAD-NAME": "x" } }),
    /not a valid environment variable name/,
  );
  assert.throws(() => renderCommandJob(experiment, [], { profile: a100 }), /empty/);
});

test("module, conda and env values are quoted in the script", () => {
  const profile = clusterProfileSchema.parse({
    ...a100,
    modules: ["cuda/12; touch /tmp/pwned"],
    condaEnv: "$(touch /tmp/pwned)",
    env: { X: "`id`" },
  });
  const script = renderCommandJob(experiment, ["true"], { profile }).script;
  assert.ok(script.includes("module load 'cuda/12; touch /tmp/pwned'\n"));
  assert.ok(script.includes("conda activate '$(touch /tmp/pwned)'\n"));
  assert.ok(script.includes("export X='`id`'\n"));
  execFileSync("bash", ["-n", "-c", script]); // still valid bash
});

test("profile files: unknown profile, unknown key and bad value give clear errors", () => {
  assert.throws(() => loadProfile("no-such-profile"), /unknown cluster profile "no-such-profile"/);
  const dir = tempDir("profile-test-");
  const file = join(dir, "bad.yaml");
  writeFileSync(file, "name: bad\npartition: gpu\ngpus: -1\ncolour: blue\n");
  assert.throws(
    () => loadProfile(file),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.message.includes(file) &&
      /gpus/.test(error.message) &&
      /colour/.test(error.message),
  );
  const local = loadProfile("local");
  assert.equal(local.localCluster, true);
  assert.equal(local.gpus, 0);
});

test("slurm section: defaults are the paper's; unknown keys are rejected", () => {
  const ft = experiment.slurm.finetune;
  assert.equal(ft.loraR, 8);
  assert.equal(ft.loraAlpha, 16);
  assert.equal(ft.targetModules, "all-linear");
  assert.equal(ft.perDeviceBatchSize, 1);
  assert.equal(ft.gradientAccumulationSteps, 2);
  assert.equal(ft.lrScheduler, "constant");
  assert.equal(ft.optimizer, "paged_adamw_8bit");
  assert.equal(ft.truncationSide, "left");
  assert.equal(experiment.slurm.inference.tensorParallel, 1);
  assert.equal(experiment.slurm.inference.teacherTensorParallel, 8);
  assert.throws(() => experimentSchema.parse({ name: "x", slurm: { finetune: { lora_r: 8 } } }), /lora_r/);
});

test("CLI: `slurm render` prints the same script as the library; bad kinds and missing flags exit non-zero", async () => {
  const { commands } = await import("../../lib/src/cli/slurm.js");
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    printed.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await commands.render.run([
      "merge",
      "--config",
      "configs/experiments/sample.yaml",
      "--profile",
      "a100-8x",
    ]);
    assert.equal(code, 0);
  } finally {
    process.stdout.write = write;
  }
  const sample = loadYaml("configs/experiments/sample.yaml");
  assert.equal(printed.join(""), renderMergeJob(sample, { profile: a100 }).script);
  // Usage errors exit 2 (the CLI layer prints the message and the usage).
  const error = console.error;
  console.error = () => {};
  try {
    assert.equal(await commands.render.run(["bogus", "--config", "configs/experiments/sample.yaml"]), 2);
    assert.equal(await commands.render.run([]), 2);
  } finally {
    console.error = error;
  }
});

test.run();
