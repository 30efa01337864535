import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { test } from "uvu";
import { experimentSchema } from "../../lib/src/config/experiment.js";
import {
  chainRecordFile,
  chainStatus,
  followChain,
  formatChainStatus,
  jobRecords,
  loadProfile,
  readChain,
  renderCommandJob,
  submitJob,
} from "../../lib/src/slurm/index.js";
import { slurmClientEnv } from "../../lib/src/slurm/profile.js";
import { tempDir } from "../helpers/temp-dir.js";
import { ensureLocalSlurmForTests } from "./helpers/local-slurm.js";

// Chains and self-requeue on the local one-node cluster (scripts/slurm-local.sh).
const work = tempDir("slurm-chain-test-");
const fixture = join(import.meta.dirname, "fixtures", "submit-chain.ts");
const local = loadProfile("local");
let available = false;

test.before(async () => {
  available = await ensureLocalSlurmForTests();
});

/** Run the submitter as its own process and wait for it to exit: nothing of it is left to poll. */
async function submitFromChild(name: string, mode: "ok" | "fail"): Promise<{ record: string; dir: string }> {
  const dir = join(work, name);
  const record = chainRecordFile({ outputDir: dir }, name);
  const subprocess = execa(process.execPath, ["--import", "tsx", fixture, record, dir, mode], { reject: false });
  const pid = subprocess.pid as number;
  const child = await subprocess;
  assert.equal(child.exitCode, 0, child.stderr);
  assert.throws(() => process.kill(pid, 0), /ESRCH/, "the submitting process is gone");
  assert.match(child.stdout.trim(), /^\d+ \d+ \d+$/);
  return { record, dir };
}

const stampsOf = (file: string) => {
  const [start, end] = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => BigInt(line.split(" ")[1]));
  return { start, end };
};

test("a 3-job afterok chain runs in order after the submitting process has exited", async () => {
  if (!available) return;
  const { record, dir } = await submitFromChild("in-order", "ok");
  // Reattach from the record alone: the third job waits on its dependency.
  const jobs = readChain(record);
  assert.deepEqual(
    jobs.map((job) => job.name),
    ["chain-ok-1", "chain-ok-2", "chain-ok-3"],
  );
  const early = await chainStatus(record);
  assert.equal(early[2].state, "PENDING");
  assert.equal(early[2].reason, "Dependency");
  const seen: string[] = [];
  const final = await followChain(record, {
    pollMs: 300,
    timeoutMs: 120_000,
    onState: (s) => seen.push(`${s.name}:${s.state}`),
  });
  assert.deepEqual(
    final.map((status) => status.state),
    ["COMPLETED", "COMPLETED", "COMPLETED"],
    formatChainStatus(final),
  );
  assert.ok(seen.includes("chain-ok-3:COMPLETED"));
  const [one, two, three] = [1, 2, 3].map((index) => stampsOf(join(dir, `job${index}.stamp`)));
  assert.ok(one.end <= two.start, "job 2 started after job 1 ended");
  assert.ok(two.end <= three.start, "job 3 started after job 2 ended");
  assert.match(formatChainStatus(final), /^chain-ok-1\t\d+\tCOMPLETED exit 0/);
});

test("when the first job of a recorded chain fails, the rest are cancelled and never run", async () => {
  if (!available) return;
  const { record, dir } = await submitFromChild("first-fails", "fail");
  const final = await followChain(record, { pollMs: 300, timeoutMs: 120_000 });
  assert.deepEqual(
    final.map((status) => status.state),
    ["FAILED", "CANCELLED", "CANCELLED"],
    formatChainStatus(final),
  );
  assert.equal(final[0].exitCode, 3);
  assert.equal(existsSync(join(dir, "job2.stamp")), false);
  assert.equal(existsSync(join(dir, "job3.stamp")), false);
  // The same from a shell: `slurm chain status` prints the chain and exits 1 because a job failed.
  const cli = await execa(
    process.execPath,
    [
      "--import",
      "tsx",
      join(import.meta.dirname, "..", "..", "lib", "src", "cli", "main.ts"),
      "slurm",
      "chain",
      "status",
      record,
    ],
    { reject: false },
  );
  assert.equal(cli.exitCode, 1, cli.stderr);
  assert.match(cli.stdout, /chain-fail-1\t\d+\tFAILED/);
  assert.match(cli.stdout, /CANCELLED/);
});

test("a broken chain record is a clear error naming the file", async () => {
  const bad = join(work, "bad.json");
  await import("node:fs").then((fs) =>
    fs.writeFileSync(bad, JSON.stringify({ version: 1, submittedAt: "x", jobs: [{ jobId: "abc" }] })),
  );
  assert.throws(() => readChain(bad), new RegExp(`chain record ${bad}.*jobId`, "s"));
  assert.throws(() => readChain(join(work, "none.json")), /no chain record at/);
  assert.throws(() => chainRecordFile({ outputDir: "out" }, "../x"), /chain name/);
});

test("a job SLURM has forgotten is reported UNKNOWN with the reason, and following ends", async () => {
  if (!available) return;
  const record = join(work, "forgotten.json");
  const job = {
    jobId: "99999999",
    name: "gone",
    scriptFile: "/x",
    logsDir: "/x",
    isArray: false,
    profile: local,
    outputs: {},
  };
  writeFileSync(record, JSON.stringify({ version: 1, submittedAt: new Date().toISOString(), jobs: [job] }));
  const [status] = await followChain(record, { pollMs: 100, timeoutMs: 30_000 });
  assert.equal(status.state, "UNKNOWN");
  assert.match(status.reason, /SLURM no longer knows the job/);
});

test("USR1 before the limit: the job checkpoints, requeues itself and resumes to the same result", async () => {
  if (!available) return;
  const toy = join(import.meta.dirname, "..", "..", "slurm", "toy_train.py");
  const dir = join(work, "requeue");
  const checkpoints = join(dir, "checkpoints");
  const args = ["--steps", "120", "--log-every", "10", "--sleep", "0.05"];
  const experiment = experimentSchema.parse({ name: "requeue-test", slurm: { logsDir: join(dir, "logs") } });
  const job = renderCommandJob(
    experiment,
    ["python3", toy, ...args, "--output", join(dir, "result.json"), "--checkpoint-dir", checkpoints],
    { name: "toy-requeue", profile: local, requeueOnSignal: { dir: checkpoints, beforeLimitS: 120 } },
  );
  assert.match(job.script, /^#SBATCH --signal=B:USR1@120$/m);
  const submitted = await submitJob(job, { jobsDir: join(dir, "jobs") });
  const env = { ...process.env, ...slurmClientEnv(local) };
  const logOf = async () => {
    const file = (await jobRecords(submitted.jobId, local))[0]?.logFile;
    return file && existsSync(file) ? readFileSync(file, "utf8") : "";
  };
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (const started = Date.now(); !(await check()); ) {
      if (Date.now() - started > 60_000) throw new Error(`timed out waiting for ${what}:\n${await logOf()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  await until("the first training steps", async () => /TRAIN_LOG/.test(await logOf()));
  // What SLURM does at `--signal=B:USR1@N`, sent now.
  await execa("scancel", ["--signal=USR1", "--batch", submitted.jobId], { env });
  await until("the requeue", async () => /requeueing job/.test(await logOf()));
  await until(
    "the job to be pending again",
    async () => (await jobRecords(submitted.jobId, local))[0]?.state === "PENDING",
  );
  // SLURM holds a requeued job back for about two minutes (BeginTime); start it now. Asked again while it
  // stays pending: an update that lands while the controller is still finishing the requeue can be lost.
  let asked = 0;
  await until("the job to complete", async () => {
    const state = (await jobRecords(submitted.jobId, local))[0]?.state;
    if (state === "PENDING" && Date.now() - asked > 3000) {
      asked = Date.now();
      await execa("scontrol", ["update", `JobId=${submitted.jobId}`, "StartTime=now"], { env, reject: false });
    }
    return state === "COMPLETED";
  });

  const log = await logOf();
  assert.match(log, /USR1: asking the trainer to save a checkpoint and stop/);
  const stoppedAt = Number(/stopped on request at step (\d+)/.exec(log)?.[1]);
  assert.ok(stoppedAt > 0 && stoppedAt < 120, log);
  assert.match(log, /restart 1\n/);
  assert.match(log, new RegExp(`resuming from \\S+checkpoint-${stoppedAt} \\(step ${stoppedAt}\\)`));
  const resumed = JSON.parse(readFileSync(join(dir, "result.json"), "utf8"));
  assert.equal(resumed.resumed_from, join(checkpoints, `checkpoint-${stoppedAt}`));
  // The interrupted run ends where an uninterrupted one does.
  const straight = join(dir, "straight.json");
  await execa("python3", [toy, ...args, "--sleep", "0", "--output", straight]);
  const expected = JSON.parse(readFileSync(straight, "utf8"));
  assert.equal(resumed.weight, expected.weight);
  assert.equal(resumed.bias, expected.bias);
  assert.equal(existsSync(join(checkpoints, ".clinical-distill-requeue")), false);
});

test.run();
