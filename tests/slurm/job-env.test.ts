import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import { experimentSchema } from "../../lib/src/config/experiment.js";
import {
  clusterProfileSchema,
  loadProfile,
  renderCommandJob,
  renderFinetuneJob,
  renderMergeJob,
  renderRunBatchJob,
  renderServeJob,
} from "../../lib/src/slurm/index.js";
import { KEY_VARIABLES, looksSecret, SBATCH_ENV_ALLOW, sbatchEnv } from "../../lib/src/slurm/job-env.js";

// What environment a job gets: rendering and policy (the real-cluster proof is no-key-in-jobs.test.ts).
const experiment = experimentSchema.parse({ name: "job-env-test", llm: { apiKeyEnv: "MY_LAB_LLM_KEY" } });
const a100 = loadProfile("a100-8x");
const local = loadProfile("local");

const allJobs = (profile = a100) => [
  renderFinetuneJob(experiment, { profile }),
  renderMergeJob(experiment, { profile }),
  renderServeJob(experiment, { profile }),
  renderRunBatchJob(experiment, { profile, inputs: ["a.jsonl"], outputDir: "out/x" }),
  renderCommandJob(experiment, ["true"], { profile }),
];

test("every job script asks for --export=NONE and unsets the key variables, the configured one included", () => {
  for (const job of [...allJobs(), ...allJobs(local)]) {
    assert.match(job.script, /^#SBATCH --export=NONE$/m, job.name);
    const unset = /^unset (.+)$/m.exec(job.script)?.[1].split(" ") ?? [];
    for (const name of [...KEY_VARIABLES, "MY_LAB_LLM_KEY"]) assert.ok(unset.includes(name), `${job.name}: ${name}`);
    assert.match(job.script, /^export SLURM_EXPORT_ENV=ALL$/m, job.name);
    // The unset comes after the profile's set-up (modules, conda), so nothing sourced there can put a key back.
    assert.ok(job.script.indexOf("unset ") > job.script.indexOf("conda activate"), job.name);
    assert.ok(job.script.indexOf("unset ") < job.script.indexOf("\ncd "), job.name);
  }
});

test("the serve job hands its key to vLLM alone, read from its 0600 file, never exported in the job", () => {
  const script = renderServeJob(experiment, { profile: a100 }).script;
  assert.match(script, /^umask 077$/m);
  assert.match(script, /^chmod 600 "\$KEY_FILE"$/m);
  assert.match(script, /^VLLM_API_KEY="\$\(cat "\$KEY_FILE"\)" vllm serve /m);
  assert.doesNotMatch(script, /export VLLM_API_KEY|--api-key/);
});

test("sbatch itself runs with the allow-list: no key, no SBATCH_*/SLURM_* of the caller, the profile's SLURM_CONF", () => {
  const caller = {
    PATH: "/usr/bin:/bin",
    HOME: "/home/alice",
    USER: "alice",
    LANG: "C.UTF-8",
    VLLM_API_KEY: "sk-leak-1",
    MY_LAB_LLM_KEY: "sk-leak-2",
    SLURM_SNEAKY: "sk-leak-3",
    SBATCH_EXPORT: "ALL",
    SLURM_CONF: "/etc/slurm/other.conf",
  };
  assert.deepEqual(sbatchEnv({ slurmConf: "/abs/slurm.conf" }, caller), {
    PATH: "/usr/bin:/bin",
    HOME: "/home/alice",
    USER: "alice",
    LANG: "C.UTF-8",
    SLURM_CONF: "/abs/slurm.conf",
  });
  // Without a profile slurmConf the site's own (the caller's SLURM_CONF) is kept.
  assert.equal(sbatchEnv({}, caller).SLURM_CONF, "/etc/slurm/other.conf");
  assert.equal(sbatchEnv({}, {}).SLURM_CONF, undefined);
});

test("a profile cannot reopen the environment or put a credential into it", () => {
  for (const option of ["--export=ALL", "--export=ALL,VLLM_API_KEY", "--export-file=/tmp/env", "--get-user-env"]) {
    const parsed = clusterProfileSchema.safeParse({ ...a100, extraSbatch: [option] });
    assert.ok(!parsed.success, option);
    assert.match(parsed.error.issues[0].message, /--export=NONE/);
  }
  for (const name of [
    "VLLM_API_KEY",
    "OPENAI_API_KEY",
    "HF_TOKEN",
    "WANDB_API_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "DB_PASSWORD",
  ]) {
    const parsed = clusterProfileSchema.safeParse({ ...a100, env: { [name]: "x" } });
    assert.ok(!parsed.success, name);
    assert.match(parsed.error.issues[0].message, /credential/);
  }
  for (const name of ["TOKENIZERS_PARALLELISM", "NCCL_DEBUG", "HF_TOKEN_PATH", "API_KEY_FILE", "KEYBOARD"]) {
    assert.ok(!looksSecret(name), name);
    assert.ok(clusterProfileSchema.safeParse({ ...a100, env: { [name]: "x" } }).success, name);
  }
  // A job's own env is checked the same way (its value would sit in the script and slurmctld's state).
  assert.throws(
    () => renderCommandJob(experiment, ["true"], { profile: local, env: { HF_TOKEN: "hf_secret" } }),
    /"HF_TOKEN" looks like a credential/,
  );
});

test("docs/cluster.md documents the job environment: NONE, each allow-listed name, the unset keys", () => {
  const docs = readFileSync(join(import.meta.dirname, "..", "..", "docs", "cluster.md"), "utf8");
  const section = docs.slice(docs.indexOf("## Job environment"));
  assert.ok(docs.includes("## Job environment"), "a Job environment section");
  assert.match(section, /--export=NONE/);
  for (const name of [...SBATCH_ENV_ALLOW, ...KEY_VARIABLES, "SLURM_CONF", "SLURM_EXPORT_ENV"]) {
    assert.ok(section.includes(`\`${name}\``), `docs list ${name}`);
  }
});

test.run();
