import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { test } from "uvu";
import { experimentSchema } from "../../lib/src/config/experiment.js";
import {
  cancelJob,
  followJob,
  loadProfile,
  readApiKey,
  renderFinetuneJob,
  renderMergeJob,
  renderRunBatchJob,
  renderServeJob,
  type SubmittedJob,
  submitJob,
  waitForServer,
} from "../../lib/src/slurm/index.js";
import { localSlurmConf } from "../../lib/src/slurm/local-cluster.js";
import { ensureLocalSlurmForTests } from "./helpers/local-slurm.js";

// On the real local cluster: with API keys in the submitting process's environment, finetune, merge and serve
// jobs are submitted and each job's environment (as the job sees it, and slurmctld's saved copy), its script
// (as SLURM stores it and on disk), `scontrol show job -d` and its log are searched for the keys. A control
// job submitted the old way (sbatch --export=ALL) shows the probes do see a leak.
const work = mkdtempSync(join(tmpdir(), "slurm-no-key-"));
const fixtures = join(import.meta.dirname, "fixtures");
const secret = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;
const SECRETS = {
  VLLM_API_KEY: secret("vllm-key"),
  // The experiment's configured key variable (llm.apiKeyEnv).
  CD_TEST_LLM_KEY: secret("configured-key"),
  // SLURM_* variables are forwarded even under --export=NONE: sbatch itself must not see this one.
  SLURM_CD_TEST_LEAK: secret("slurm-prefixed"),
  // Any other variable of the caller.
  CD_TEST_PLAIN: secret("plain"),
};
const hostile = { ...SECRETS, SBATCH_EXPORT: "ALL" };
const saved: Record<string, string | undefined> = {};

const profile = {
  ...loadProfile("local"),
  python: join(fixtures, "dump-env.sh"),
  vllm: join(fixtures, "dump-env.sh"),
  env: { ENV_DUMP_DIR: work },
};
const experiment = experimentSchema.parse({
  name: "no-key-test",
  llm: { apiKeyEnv: "CD_TEST_LLM_KEY" },
  slurm: {
    logsDir: join(work, "logs"),
    finetune: { trainFile: join(work, "train.jsonl"), outputDir: join(work, "adapter") },
    merge: { outputDir: join(work, "merged") },
    inference: { serveDir: join(work, "serve"), model: "tiny-model" },
  },
});
const submitOptions = { jobsDir: join(work, "jobs") };
let available = false;

function stateDirOf(jobId: string): string {
  const conf = readFileSync(localSlurmConf(), "utf8");
  const state = /^StateSaveLocation=(.+)$/m.exec(conf)?.[1];
  assert.ok(state, "StateSaveLocation in the local slurm.conf");
  return join(state, `hash.${Number(jobId) % 10}`, `job.${jobId}`);
}

async function waitFor(file: string, what: string): Promise<void> {
  for (let i = 0; i < 300 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(existsSync(file), `${what}: ${file} never appeared`);
}

async function slurm(command: string, args: string[]): Promise<string> {
  const result = await execa(command, args, { env: { SLURM_CONF: localSlurmConf() }, reject: false });
  assert.equal(result.exitCode, 0, `${command} ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** Everything SLURM and the job itself hold for a running job, labelled by where it came from. */
async function whatTheJobHolds(job: SubmittedJob): Promise<Record<string, string>> {
  const dump = join(work, `env-${job.jobId}`);
  await waitFor(`${dump}.ready`, `job ${job.jobId} (${job.name}) environment dump`);
  const state = stateDirOf(job.jobId);
  return {
    "the job's environment (env in the job)": readFileSync(`${dump}.self`, "utf8"),
    "the batch shell's environment from SLURM": readFileSync(`${dump}.parent`, "utf8"),
    "slurmctld's saved environment": readFileSync(join(state, "environment"), "utf8").replaceAll("\0", "\n"),
    "slurmctld's saved script": readFileSync(join(state, "script"), "utf8"),
    "scontrol show job -d": await slurm("scontrol", ["show", "job", "-d", job.jobId]),
    "scontrol write batch_script": await slurm("scontrol", ["write", "batch_script", job.jobId, "-"]),
    "the script file": readFileSync(job.scriptFile, "utf8"),
  };
}

function assertNoSecret(job: SubmittedJob, holds: Record<string, string>, extra: Record<string, string> = {}) {
  for (const [where, text] of Object.entries(holds)) {
    for (const [name, value] of Object.entries({ ...SECRETS, ...extra })) {
      assert.ok(!text.includes(value), `job ${job.name}: ${name}'s value is in ${where}`);
    }
  }
}

test.before(async () => {
  available = await ensureLocalSlurmForTests();
  for (const [name, value] of Object.entries(hostile)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});

test.after(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  writeFileSync(join(work, "release"), "");
  rmSync(work, { recursive: true, force: true });
});

test("control: a job submitted the old way (--export=ALL) carries the keys, so the probes see a leak", async () => {
  if (!available) return;
  const job = renderFinetuneJob(experiment, { profile, name: "control-export-all" });
  const scriptFile = join(work, "control.sbatch");
  writeFileSync(scriptFile, job.script, { mode: 0o700 });
  mkdirSync(join(work, "logs"), { recursive: true });
  const sbatch = await execa("sbatch", ["--parsable", "--export=ALL", scriptFile], {
    env: { ...process.env, SLURM_CONF: localSlurmConf() },
    reject: false,
  });
  assert.equal(sbatch.exitCode, 0, sbatch.stderr);
  const jobId = sbatch.stdout.trim();
  const control: SubmittedJob = {
    jobId,
    name: job.name,
    scriptFile,
    profile,
    isArray: false,
    logsDir: job.logsDir,
    outputs: {},
  };
  const holds = await whatTheJobHolds(control);
  const stateEnv = holds["slurmctld's saved environment"];
  for (const name of Object.keys(SECRETS)) {
    assert.ok(stateEnv.includes(SECRETS[name as keyof typeof SECRETS]), `control: ${name} in slurmctld's state`);
  }
  // The script's own unset line removes the two key variables from the shell; the rest are still there.
  const inJob = holds["the job's environment (env in the job)"];
  assert.ok(inJob.includes(SECRETS.CD_TEST_PLAIN) && inJob.includes(SECRETS.SLURM_CD_TEST_LEAK));
  assert.ok(!inJob.includes(SECRETS.VLLM_API_KEY) && !inJob.includes(SECRETS.CD_TEST_LLM_KEY));
  writeFileSync(join(work, `env-${jobId}.release`), "");
  await followJob(control, { pollMs: 300, throwOnFailure: false, timeoutMs: 60_000 });
});

test("finetune, merge, run-batch and serve jobs hold no key of the submitting process anywhere SLURM or the job keeps", async () => {
  if (!available) return;
  writeFileSync(join(work, "train.jsonl"), "{}\n");
  const request = { custom_id: "q1", method: "POST", url: "/v1/chat/completions", body: { model: "m", messages: [] } };
  writeFileSync(join(work, "batch.jsonl"), `${JSON.stringify(request)}\n`);
  const finetune = await submitJob(renderFinetuneJob(experiment, { profile }), submitOptions);
  const merge = await submitJob(renderMergeJob(experiment, { profile }), submitOptions);
  const batchJob = renderRunBatchJob(experiment, {
    profile,
    inputs: [join(work, "batch.jsonl")],
    outputDir: join(work, "batch-out"),
  });
  const batch = await submitJob(batchJob, submitOptions);
  const serve = await submitJob(renderServeJob(experiment, { profile }), submitOptions);
  try {
    for (const job of [finetune, merge, batch]) {
      const holds = await whatTheJobHolds(job);
      assertNoSecret(job, holds);
      // The job still has a working environment: the user's login one, SLURM's, and what the script set.
      const inJob = holds["the job's environment (env in the job)"];
      assert.match(inJob, /^PATH=\//m);
      assert.match(inJob, /^HOME=\//m);
      assert.match(inJob, /^SLURM_JOB_ID=\d+$/m);
      assert.match(inJob, /^SLURM_EXPORT_ENV=ALL$/m);
      assert.match(inJob, new RegExp(`^ENV_DUMP_DIR=${work}$`, "m"));
      assert.match(holds["slurmctld's saved environment"], /^SLURM_EXPORT_ENV=NONE$/m);
      // Let it end: the local node has few CPUs and the serve job may be waiting for one.
      writeFileSync(join(work, `env-${job.jobId}.release`), "");
    }

    // The serve job: its key is made in the job, kept in a 0600 file, and handed to vLLM alone.
    const server = await waitForServer(serve, { timeoutMs: 60_000, pollMs: 300 });
    assert.equal(statSync(server.apiKeyFile).mode & 0o777, 0o600);
    const key = readApiKey(server.apiKeyFile);
    const holds = await whatTheJobHolds(serve);
    const vllmEnv = holds["the job's environment (env in the job)"];
    assert.ok(vllmEnv.split("\n").includes(`VLLM_API_KEY=${key}`), "vLLM got the key from the job's 0600 file");
    delete holds["the job's environment (env in the job)"];
    assertNoSecret(serve, holds, { "the serve job's own key": key });
    assertNoSecret(serve, { "vLLM's environment": vllmEnv });
    const models = await fetch(`${server.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(models.status, 200);
  } finally {
    writeFileSync(join(work, "release"), "");
    await cancelJob(serve);
  }
  for (const job of [finetune, merge, batch, serve]) {
    const outcome = await followJob(job, { pollMs: 300, throwOnFailure: false, timeoutMs: 60_000 });
    assert.equal(outcome.state, job === serve ? "CANCELLED" : "COMPLETED", `${job.name}: ${outcome.logTail}`);
    assertNoSecret(job, { "its log": readFileSync(outcome.logFile!, "utf8") });
  }
  assert.match(readFileSync(batchJob.outputs.chunk0, "utf8"), /"custom_id": "q1"/);
});

test.run();
