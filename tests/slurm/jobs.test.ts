import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import { experimentSchema } from "../../lib/src/config/experiment.js";
import {
  cancelJob,
  followJob,
  jobState,
  loadProfile,
  readApiKey,
  renderCommandJob,
  renderServeJob,
  SlurmJobError,
  SlurmSubmitError,
  submitChain,
  submitJob,
  waitForServer,
} from "../../lib/src/slurm/index.js";
import { tempDir } from "../helpers/temp-dir.js";
import { ensureLocalSlurmForTests } from "./helpers/local-slurm.js";

// Real jobs on the local one-node cluster (scripts/slurm-local.sh). The time-limit job is submitted first and
// checked last: SLURM's limits are whole minutes, checked every 30 s, so it takes 60-90 s to end TIMEOUT.
const work = tempDir("slurm-jobs-test-");
const experiment = experimentSchema.parse({
  name: "slurm-test",
  slurm: { logsDir: join(work, "logs"), jobsDir: join(work, "jobs") },
});
const submitOptions = { jobsDir: join(work, "jobs") };
let available = false;
let timeoutJob: Promise<unknown> | null = null;

test.before(async () => {
  available = await ensureLocalSlurmForTests();
  if (!available) return;
  const job = renderCommandJob(experiment, ["sleep", "300"], {
    name: "too-long",
    profile: loadProfile("local"),
    resources: { time: "0:01" },
  });
  const submitted = await submitJob(job, submitOptions);
  timeoutJob = followJob(submitted, { throwOnFailure: false, pollMs: 2000 });
});

test("a local-profile job runs a real CPU workload and ends COMPLETED with its output", async () => {
  if (!available) return;
  const output = join(work, "primes.txt");
  const program = `import sys\nprimes=[n for n in range(2,2000) if all(n%d for d in range(2,int(n**0.5)+1))]\nopen(sys.argv[1],"w").write(str(len(primes)))\nprint("counted", len(primes))`;
  const job = renderCommandJob(experiment, ["python3", "-c", program, output], { name: "count-primes" });
  const submitted = await submitJob(job, submitOptions);
  assert.match(submitted.jobId, /^\d+$/);
  const streamed: string[] = [];
  const states: string[] = [];
  const outcome = await followJob(submitted, {
    pollMs: 300,
    onLog: (text) => streamed.push(text),
    onState: (state) => states.push(state),
  });
  assert.equal(outcome.state, "COMPLETED");
  assert.equal(outcome.exitCode, 0);
  assert.equal(readFileSync(output, "utf8"), "303");
  assert.match(streamed.join(""), /counted 303/);
  assert.equal(states.at(-1), "COMPLETED");
  assert.ok(outcome.logFile?.startsWith(join(work, "logs", "count-primes-")), String(outcome.logFile));
});

test("a job that exits non-zero is FAILED with its exit code and log tail", async () => {
  if (!available) return;
  const job = renderCommandJob(experiment, ["bash", "-c", "echo about to fail; echo oops >&2; exit 7"], {
    name: "fails",
  });
  const submitted = await submitJob(job, submitOptions);
  const error = await followJob(submitted, { pollMs: 300 }).catch((caught: unknown) => caught);
  assert.ok(SlurmJobError.isInstance(error), String(error));
  assert.equal(error.outcome.state, "FAILED");
  assert.equal(error.outcome.exitCode, 7);
  assert.match(error.outcome.logTail, /about to fail\noops/);
  assert.match(error.message, /FAILED, exit code 7/);
  assert.match(error.message, /oops/);
});

test("aborting the follow cancels the job: CANCELLED", async () => {
  if (!available) return;
  const job = renderCommandJob(experiment, ["bash", "-c", "echo started; sleep 120"], { name: "to-cancel" });
  const submitted = await submitJob(job, submitOptions);
  const controller = new AbortController();
  const seen: string[] = [];
  const following = followJob(submitted, {
    pollMs: 300,
    signal: controller.signal,
    onLog: (text) => {
      seen.push(text);
      if (text.includes("started")) controller.abort();
    },
  }).catch((caught: unknown) => caught);
  const error = await following;
  assert.ok(SlurmJobError.isInstance(error), String(error));
  assert.equal(error.outcome.state, "CANCELLED");
  assert.match(error.message, /cancelled on request/);
  assert.equal(await jobState(submitted), "CANCELLED");
});

test("a chain runs in order; when the first fails the second never runs", async () => {
  if (!available) return;
  const order = join(work, "order.txt");
  const ok = await submitChain(
    [
      renderCommandJob(experiment, ["bash", "-c", `sleep 1; echo first >> "$1"`, "_", order], { name: "chain-a" }),
      renderCommandJob(experiment, ["bash", "-c", `echo second >> "$1"`, "_", order], { name: "chain-b" }),
    ],
    submitOptions,
  );
  await followJob(ok[1], { pollMs: 300 });
  assert.equal(readFileSync(order, "utf8"), "first\nsecond\n");

  const marker = join(work, "must-not-exist.txt");
  const broken = await submitChain(
    [
      renderCommandJob(experiment, ["bash", "-c", "exit 3"], { name: "chain-fail" }),
      renderCommandJob(experiment, ["touch", marker], { name: "chain-never" }),
    ],
    submitOptions,
  );
  const first = await followJob(broken[0], { pollMs: 300, throwOnFailure: false });
  assert.equal(first.state, "FAILED");
  const second = await followJob(broken[1], { pollMs: 300, throwOnFailure: false, timeoutMs: 60_000 });
  assert.equal(second.state, "CANCELLED");
  assert.equal(existsSync(marker), false);
});

test("an invalid partition is a clear submission error", async () => {
  if (!available) return;
  const job = renderCommandJob(experiment, ["true"], { name: "bad-partition", resources: { partition: "nosuchpart" } });
  const error = await submitJob(job, submitOptions).catch((caught: unknown) => caught);
  assert.ok(SlurmSubmitError.isInstance(error), String(error));
  assert.match(error.message, /sbatch refused job "bad-partition".*[Ii]nvalid partition/);
});

test("--gres=gpu:8 (the a100-8x header) is accepted on the fake-GPU node and gpu:9 is refused", async () => {
  if (!available) return;
  const eight = renderCommandJob(experiment, ["true"], { name: "gpu8", resources: { gpus: 8, partition: "gpu" } });
  assert.match(eight.script, /^#SBATCH --gres=gpu:8$/m);
  const outcome = await followJob(await submitJob(eight, submitOptions), { pollMs: 300 });
  assert.equal(outcome.state, "COMPLETED");
  const nine = renderCommandJob(experiment, ["true"], { name: "gpu9", resources: { gpus: 9 } });
  const error = await submitJob(nine, submitOptions).catch((caught: unknown) => caught);
  assert.ok(SlurmSubmitError.isInstance(error), String(error));
  assert.match(error.message, /Requested node configuration is not available/);
});

test("config strings never run as shell code in a real job", async () => {
  if (!available) return;
  const pwned = join(work, "pwned");
  const attacks = [
    `$(touch ${pwned})`,
    `\`touch ${pwned}\``,
    `'; touch ${pwned}; echo '`,
    `"; touch ${pwned}; "`,
    `a\nb`,
  ];
  const outputFile = join(work, "attack-args.txt");
  const job = renderCommandJob(
    experiment,
    [
      "python3",
      "-c",
      "import sys, json; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))",
      outputFile,
      ...attacks,
    ],
    { name: "quoting", env: { ATTACK: `$(touch ${pwned})` } },
  );
  await followJob(await submitJob(job, submitOptions), { pollMs: 300 });
  assert.deepEqual(JSON.parse(readFileSync(outputFile, "utf8")), attacks);
  assert.equal(existsSync(pwned), false);
});

test("a serve job writes a 0600 key and server.json; waitForServer finds /health; the key is never logged", async () => {
  if (!available) return;
  const profile = { ...loadProfile("local"), vllm: join(import.meta.dirname, "fixtures", "fake-vllm.py") };
  const serveExperiment = experimentSchema.parse({
    name: "serve-test",
    slurm: {
      logsDir: join(work, "logs"),
      inference: { serveDir: join(work, "serve"), model: "tiny-model" },
    },
  });
  const job = renderServeJob(serveExperiment, { profile });
  const submitted = await submitJob(job, submitOptions);
  try {
    const server = await waitForServer(submitted, { timeoutMs: 60_000, pollMs: 300 });
    assert.match(server.baseUrl, /^http:\/\/[^/]+:\d+\/v1$/);
    assert.equal(server.model, "tiny-model");
    assert.equal(statSync(server.apiKeyFile).mode & 0o777, 0o600);
    const key = readApiKey(server.apiKeyFile);
    assert.match(key, /^[0-9a-f]{64}$/);
    const unauthorised = await fetch(`${server.baseUrl}/models`);
    assert.equal(unauthorised.status, 401);
    const models = await fetch(`${server.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(models.status, 200);
    await cancelJob(submitted);
    const outcome = await followJob(submitted, { pollMs: 300, throwOnFailure: false });
    assert.equal(outcome.state, "CANCELLED");
    const log = readFileSync(outcome.logFile!, "utf8");
    assert.ok(!log.includes(key), "the API key must not appear in the job log");
    assert.ok(!readFileSync(submitted.scriptFile, "utf8").includes(key));
    assert.match(log, /fake vllm: serving tiny-model/);
    assert.equal(existsSync(server.apiKeyFile), false, "the key file is removed when the job ends");
  } finally {
    await cancelJob(submitted);
  }
});

test("a job over its time limit ends TIMEOUT", async () => {
  if (!available || !timeoutJob) return;
  const outcome = (await timeoutJob) as { state: string; logTail: string };
  assert.equal(outcome.state, "TIMEOUT");
});

test.run();
