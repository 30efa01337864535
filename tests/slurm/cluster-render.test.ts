// biome-ignore-all lint/suspicious/noTemplateCurlyInString: profile paths use ${VAR} literally
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { userInfo } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import { experimentSchema } from "../../lib/src/config/experiment.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import {
  type ClusterProfile,
  clusterProfileSchema,
  forTeacher,
  loadProfile,
  renderFinetuneJob,
  renderMergeJob,
  renderRunBatchJob,
  renderServeJob,
  servingLayout,
} from "../../lib/src/slurm/index.js";
import { timeSeconds } from "../../lib/src/slurm/job-resources.js";
import { finetuneRunConfig } from "../../lib/src/slurm/jobs.js";
import { REQUEUE_FILE, STOP_FILE } from "../../lib/src/slurm/requeue.js";

// Rendering of the cluster behaviour: time-limit signal and self-requeue, per-job resources, scratch paths,
// data-parallel serving. No cluster needed.
const a100 = loadProfile("a100-8x");
const local = loadProfile("local");
const experiment = experimentSchema.parse({ name: "cluster-render" });
const withSlurm = (slurm: Record<string, unknown>) => experimentSchema.parse({ name: "cluster-render", slurm });
const header = (script: string, option: string) =>
  script.split("\n").find((line) => line.startsWith(`#SBATCH --${option}=`)) ?? null;
const scratch = `/scratch/${userInfo().username}/clinical-distill`;

test("finetune: USR1 before the limit, requeueable, trap, trainer in the background, scontrol requeue", () => {
  const script = renderFinetuneJob(experiment, { profile: a100 }).script;
  assert.equal(header(script, "signal"), "#SBATCH --signal=B:USR1@600");
  assert.match(script, /^#SBATCH --requeue$/m);
  assert.match(script, /^trap '.*touch "\$STOP_FILE"' USR1$/m);
  assert.match(script, /accelerate launch .*finetune\.py --config \S+ &$/m);
  assert.match(script, /^ {2}scontrol requeue "\$SLURM_JOB_ID"$/m);
  assert.ok(script.includes(`STOP_FILE=${scratch}/out/finetune/adapter/${STOP_FILE}\n`));
  execFileSync("bash", ["-n"], { input: script }); // valid bash
  // Even on a profile that does not requeue, the self-requeueing job asks to be requeueable; a warning as
  // long as the 10-minute limit comes at half-time instead of at the start.
  const short = renderFinetuneJob(experiment, { profile: local }).script;
  assert.match(short, /^#SBATCH --requeue$/m);
  assert.equal(header(short, "signal"), "#SBATCH --signal=B:USR1@300");
  const off = renderFinetuneJob(withSlurm({ finetune: { checkpointBeforeLimitS: 0 } }), { profile: local }).script;
  assert.equal(header(off, "signal"), null);
  assert.ok(!off.includes("scontrol requeue"));
  assert.match(off, /^#SBATCH --no-requeue$/m);
});

test("the stop and requeue file names are the ones slurm/common.py uses", () => {
  const printed = execFileSync(
    "python3",
    ["-c", "import sys; sys.path.insert(0, 'slurm'); import common; print(common.STOP_FILE, common.REQUEUE_FILE)"],
    { cwd: resolveFromRoot(), encoding: "utf8" },
  );
  assert.equal(printed.trim(), `${STOP_FILE} ${REQUEUE_FILE}`);
});

test("merge asks for what a merge needs: 1 GPU, 8 CPUs, 64G, 4 h; the profile and the experiment override", () => {
  const script = renderMergeJob(experiment, { profile: a100 }).script;
  assert.equal(header(script, "gres"), "#SBATCH --gres=gpu:1");
  assert.equal(header(script, "cpus-per-task"), "#SBATCH --cpus-per-task=8");
  assert.equal(header(script, "mem"), "#SBATCH --mem=64G");
  assert.equal(header(script, "time"), "#SBATCH --time=4:00:00");
  // Built-in values never exceed a small profile's own (the local test cluster).
  const small = renderMergeJob(experiment, { profile: local }).script;
  assert.equal(header(small, "cpus-per-task"), "#SBATCH --cpus-per-task=1");
  assert.equal(header(small, "mem"), "#SBATCH --mem=500M");
  assert.equal(header(small, "time"), "#SBATCH --time=0:10:00");
  assert.equal(header(small, "gres"), null);
  const big: ClusterProfile = { ...a100, jobs: { merge: { mem: "320G", time: "8:00:00" } } };
  const seventy = renderMergeJob(experiment, { profile: big }).script;
  assert.equal(header(seventy, "mem"), "#SBATCH --mem=320G");
  assert.equal(header(seventy, "time"), "#SBATCH --time=8:00:00");
  assert.equal(header(renderMergeJob(withSlurm({ merge: { gpus: 0 } }), { profile: a100 }).script, "gres"), null);
  // Fine-tuning and serving keep the whole node.
  const finetune = renderFinetuneJob(experiment, { profile: a100 }).script;
  assert.equal(header(finetune, "mem"), "#SBATCH --mem=500G");
  assert.equal(header(finetune, "gres"), "#SBATCH --gres=gpu:8");
  assert.throws(
    () => clusterProfileSchema.parse({ ...a100, jobs: { merge: { mem: "lots" } } }),
    /jobs\.merge\.mem|mem/,
  );
  assert.throws(() => clusterProfileSchema.parse({ ...a100, jobs: { mergee: {} } }));
  assert.equal(timeSeconds("1-02:00"), 93_600);
  assert.equal(timeSeconds("90"), 5400);
});

test("scratch: adapter, checkpoints, merged model and HF cache go under the profile's scratchDir", () => {
  const finetune = renderFinetuneJob(experiment, { profile: a100 });
  assert.equal(finetune.outputs.adapter, `${scratch}/out/finetune/adapter`);
  assert.equal(finetuneRunConfig(experiment, a100).output_dir, `${scratch}/out/finetune/adapter`);
  assert.ok(finetune.script.includes(`export HF_HOME=${scratch}/hf-cache\n`));
  const merge = renderMergeJob(experiment, { profile: a100 });
  assert.equal(merge.outputs.model, `${scratch}/out/finetune/merged`);
  assert.ok(merge.script.includes(`--adapter ${scratch}/out/finetune/adapter --output ${scratch}/out/finetune/merged`));
  assert.match(
    renderServeJob(experiment, { profile: a100 }).script,
    new RegExp(`vllm serve ${scratch}/out/finetune/merged `),
  );
  // Absolute paths stay; the local profile keeps the project folder.
  const absolute = withSlurm({ merge: { outputDir: "/data/models/student" } });
  assert.equal(renderMergeJob(absolute, { profile: a100 }).outputs.model, "/data/models/student");
  assert.equal(renderMergeJob(experiment, { profile: local }).outputs.model, resolveFromRoot("out/finetune/merged"));
  assert.ok(!renderMergeJob(experiment, { profile: local }).script.includes("HF_HOME"));
  // An explicit hfHome wins; ${SCRATCH} must be known here; other variables are refused.
  const ownCache = { ...a100, hfHome: "/data/hf" };
  assert.ok(renderMergeJob(experiment, { profile: ownCache }).script.includes("export HF_HOME=/data/hf\n"));
  const saved = process.env.SCRATCH;
  delete process.env.SCRATCH;
  try {
    assert.throws(
      () => renderMergeJob(experiment, { profile: { ...a100, scratchDir: "${SCRATCH}/cd" } }),
      /scratchDir "\$\{SCRATCH\}\/cd" uses \$\{SCRATCH\}, which is not set/,
    );
    process.env.SCRATCH = "/lustre/me";
    assert.equal(
      renderMergeJob(experiment, { profile: { ...a100, scratchDir: "${SCRATCH}/cd" } }).outputs.model,
      "/lustre/me/cd/out/finetune/merged",
    );
  } finally {
    if (saved === undefined) delete process.env.SCRATCH;
    else process.env.SCRATCH = saved;
  }
  assert.throws(() => clusterProfileSchema.parse({ ...a100, scratchDir: "/tmp/${SLURM_JOB_ID}" }), /scratchDir/);
});

test("serving: an 8B student runs as 8 data-parallel replicas; the 70B teacher stays tensor parallel 8", () => {
  const student = renderServeJob(experiment, { profile: a100 }).script;
  assert.equal(header(student, "gres"), "#SBATCH --gres=gpu:8");
  assert.match(student, /--tensor-parallel-size 1 --data-parallel-size 8 /);
  const teacher = renderServeJob(forTeacher(experiment, "meta-llama/Llama-3.1-70B-Instruct"), { profile: a100 }).script;
  assert.match(teacher, /vllm serve meta-llama\/Llama-3\.1-70B-Instruct .*--tensor-parallel-size 8 --dtype/);
  assert.ok(!teacher.includes("--data-parallel-size"));
  assert.equal(header(teacher, "gres"), "#SBATCH --gres=gpu:8");
  assert.deepEqual(servingLayout(withSlurm({ inference: { tensorParallel: 2 } }), a100), {
    tensorParallel: 2,
    dataParallel: 4,
    gpus: 8,
  });
  // Fewer replicas than the node holds ask for fewer GPUs.
  const two = renderServeJob(withSlurm({ inference: { dataParallel: 2 } }), { profile: a100 }).script;
  assert.equal(header(two, "gres"), "#SBATCH --gres=gpu:2");
  assert.throws(
    () => renderServeJob(withSlurm({ inference: { tensorParallel: 4, dataParallel: 3 } }), { profile: a100 }),
    /dataParallel 3 x tensorParallel 4 = 12 GPUs, but a job on cluster profile "a100-8x" has 8/,
  );
  assert.throws(
    () => renderServeJob(withSlurm({ inference: { tensorParallel: 16 } }), { profile: a100 }),
    /slurm\.inference\.tensorParallel is 16/,
  );
  // run-batch: one engine per array task (one GPU for the student, eight for the teacher).
  const inputs = { inputs: ["/d/a.jsonl", "/d/b.jsonl"], outputDir: "/r" };
  const batch = renderRunBatchJob(experiment, { profile: a100, ...inputs }).script;
  assert.equal(header(batch, "gres"), "#SBATCH --gres=gpu:1");
  assert.ok(!batch.includes("--data-parallel-size"));
  const teacherBatch = renderRunBatchJob(forTeacher(experiment, "m70"), { profile: a100, ...inputs }).script;
  assert.equal(header(teacherBatch, "gres"), "#SBATCH --gres=gpu:8");
  // The CPU-only local profile asks for no GPU at all.
  assert.equal(header(renderServeJob(experiment, { profile: local }).script, "gres"), null);
});

test("VLLM_ENGINE_READY_TIMEOUT_S (absent from the pinned vLLM 0.11.0) is not set; the old key is refused", () => {
  for (const script of [
    renderServeJob(experiment, { profile: a100 }).script,
    renderRunBatchJob(experiment, { profile: a100, inputs: ["/d/a.jsonl"], outputDir: "/r" }).script,
  ]) {
    assert.ok(!script.includes("VLLM_ENGINE_READY_TIMEOUT_S"));
  }
  assert.throws(() => withSlurm({ inference: { engineReadyTimeoutS: 3600 } }), /engineReadyTimeoutS/);
  const pins = execFileSync("cat", [join(resolveFromRoot(), "slurm", "requirements.txt")], { encoding: "utf8" });
  assert.match(
    pins,
    /^vllm==0\.11\.0$/m,
    "docs/cluster.md's finding is for vllm 0.11.0: re-check it when the pin moves",
  );
});

test.run();
