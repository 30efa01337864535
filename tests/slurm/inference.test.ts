import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import { experimentSchema } from "../../lib/src/config/experiment.js";
import { predictOnServedModel, predictWithBatchJob } from "../../lib/src/eval/tasks/cluster-predict.js";
import { readPredictions } from "../../lib/src/eval/tasks/predictions.js";
import type { LoadedTask } from "../../lib/src/eval/tasks/task.js";
import {
  followJob,
  jobState,
  joinBatchOutputs,
  loadProfile,
  renderRunBatchJob,
  renderServeJob,
  SlurmJobError,
  splitBatchFile,
  submitJob,
  waitForServer,
  withServedModel,
  withServer,
} from "../../lib/src/slurm/index.js";
import { tempDir } from "../helpers/temp-dir.js";
import { ensureLocalSlurmForTests } from "./helpers/local-slurm.js";

// Inference jobs on the local cluster, with tests/slurm/fixtures/fake-vllm.py standing in for vLLM.
const work = tempDir("slurm-inference-test-");
const profile = { ...loadProfile("local"), vllm: join(import.meta.dirname, "fixtures", "fake-vllm.py") };
const experimentWith = (model: string) =>
  experimentSchema.parse({
    name: "inference-test",
    slurm: {
      logsDir: join(work, "logs"),
      jobsDir: join(work, "jobs"),
      inference: { serveDir: join(work, "serve"), model },
    },
  });
const experiment = experimentWith("tiny-model");
const submitOptions = { jobsDir: join(work, "jobs") };
let available = false;

function batchFile(path: string, ids: string[]): string {
  const lines = ids.map((id) =>
    JSON.stringify({ custom_id: id, method: "POST", url: "/v1/chat/completions", body: { model: "m", messages: [] } }),
  );
  writeFileSync(path, `${lines.join("\n")}\n\n`);
  return path;
}

test.before(async () => {
  available = await ensureLocalSlurmForTests();
});

test("splitBatchFile: chunks of at most chunkSize lines, in order; bad input is a clear error", async () => {
  const ids = Array.from({ length: 25 }, (_, i) => `q${i}`);
  const input = batchFile(join(work, "requests.jsonl"), ids);
  const chunks = await splitBatchFile(input, { chunkSize: 10, outDir: join(work, "chunks") });
  assert.deepEqual(
    chunks.map((chunk) => chunk.split("/").pop()),
    ["requests-chunk-00000.jsonl", "requests-chunk-00001.jsonl", "requests-chunk-00002.jsonl"],
  );
  const counts = chunks.map((chunk) => readFileSync(chunk, "utf8").trim().split("\n").length);
  assert.deepEqual(counts, [10, 10, 5]);
  assert.equal(JSON.parse(readFileSync(chunks[2], "utf8").split("\n")[4]).custom_id, "q24");
  await assert.rejects(splitBatchFile(input, { chunkSize: 0, outDir: work }), /chunkSize/);
  await assert.rejects(splitBatchFile(join(work, "nope.jsonl"), { chunkSize: 5, outDir: work }), /no batch file/);
});

test("splitBatchFile and joinBatchOutputs drop a byte order mark, as notes files do, so no chunk line carries one", async () => {
  const input = batchFile(join(work, "bom.jsonl"), ["b0", "b1", "b2"]);
  writeFileSync(input, `\ufeff${readFileSync(input, "utf8")}`);
  const chunks = await splitBatchFile(input, { chunkSize: 2, outDir: join(work, "bom-chunks") });
  const first = readFileSync(chunks[0], "utf8");
  assert.equal(JSON.parse(first.split("\n")[0]).custom_id, "b0");
  // Two outputs that each start with the mark: the joined file has none, at its start or mid-file.
  writeFileSync(chunks[1], `\ufeff${readFileSync(chunks[1], "utf8")}`);
  writeFileSync(chunks[0], `\ufeff${first}`);
  const joined = join(work, "bom-joined.jsonl");
  assert.deepEqual(await joinBatchOutputs(chunks, joined), { lines: 3, missing: [] });
  const ids = readFileSync(joined, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line).custom_id);
  assert.deepEqual(ids, ["b0", "b1", "b2"]);
});

test("run-batch as a job array: one task per chunk, outputs complete, re-submission skips done chunks", async () => {
  if (!available) return;
  const input = batchFile(
    join(work, "eval.jsonl"),
    Array.from({ length: 7 }, (_, i) => `item-${i}`),
  );
  const chunks = await splitBatchFile(input, { chunkSize: 3, outDir: join(work, "eval-chunks") });
  const job = renderRunBatchJob(experiment, { profile, inputs: chunks, outputDir: join(work, "eval-out") });
  const outcome = await followJob(await submitJob(job, submitOptions), { pollMs: 300 });
  assert.equal(outcome.state, "COMPLETED");
  assert.equal(outcome.tasks?.length, 3);
  assert.ok(outcome.tasks?.every((task) => task.state === "COMPLETED"));
  const joined = await joinBatchOutputs(Object.values(job.outputs), join(work, "eval-output.jsonl"));
  assert.deepEqual(joined, { lines: 7, missing: [] });
  const ids = readFileSync(join(work, "eval-output.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line).custom_id);
  assert.deepEqual(
    ids,
    Array.from({ length: 7 }, (_, i) => `item-${i}`),
  );

  const again = await followJob(await submitJob(job, submitOptions), { pollMs: 300 });
  assert.equal(again.state, "COMPLETED");
  const logs = (again.tasks ?? []).map((task) => readFileSync(task.logFile!, "utf8")).join("\n");
  assert.equal((logs.match(/exists; nothing to do/g) ?? []).length, 3);
});

test("an array with a failing chunk reports FAILED, the failing task and its log; others still complete", async () => {
  if (!available) return;
  const good = batchFile(join(work, "good.jsonl"), ["a", "b"]);
  const bad = batchFile(join(work, "bad.jsonl"), ["c", "FAIL-d"]);
  const job = renderRunBatchJob(experiment, { profile, inputs: [good, bad], outputDir: join(work, "mixed-out") });
  const outcome = await followJob(await submitJob(job, submitOptions), { pollMs: 300, throwOnFailure: false });
  assert.equal(outcome.state, "FAILED");
  assert.equal(outcome.exitCode, 1);
  assert.match(outcome.logTail, /request FAIL-d failed/);
  const states = (outcome.tasks ?? []).map((task) => [task.taskId, task.state]).sort();
  assert.deepEqual(states, [
    ["0", "COMPLETED"],
    ["1", "FAILED"],
  ]);
  assert.ok(existsSync(job.outputs.chunk0));
  assert.ok(!existsSync(job.outputs.chunk1), "a failed chunk leaves no output (only .partial)");
});

test("waitForServer: a server job that dies while starting is an error with its state and log tail", async () => {
  if (!available) return;
  const job = renderServeJob(experimentWith("crash-on-start"), { profile, name: "serve-crash" });
  const submitted = await submitJob(job, submitOptions);
  const error = await waitForServer(submitted, { pollMs: 300, timeoutMs: 60_000 }).catch((caught: unknown) => caught);
  assert.ok(SlurmJobError.isInstance(error), String(error));
  assert.equal(error.outcome.state, "FAILED");
  assert.match(error.message, /before its server was ready/);
  assert.match(error.message, /cannot load model crash-on-start/);
});

test("withServer cancels the serve job after the work, also when the work throws", async () => {
  if (!available) return;
  let jobId = "";
  const models = await withServer(
    experiment,
    async (server) => {
      jobId = server.jobId;
      const key = readFileSync(server.apiKeyFile, "utf8").trim();
      const reply = await fetch(`${server.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
      return ((await reply.json()) as { data: { id: string }[] }).data.map((model) => model.id);
    },
    { profile, jobsDir: join(work, "jobs"), pollMs: 300, timeoutMs: 60_000 },
  );
  assert.deepEqual(models, ["tiny-model"]);
  const ended = await followJob({ jobId, profile, name: "vllm-serve", isArray: false } as never, {
    pollMs: 300,
    throwOnFailure: false,
  });
  assert.equal(ended.state, "CANCELLED");

  let failingJob = "";
  await assert.rejects(
    withServer(
      experiment,
      async (server) => {
        failingJob = server.jobId;
        throw new Error("work failed");
      },
      { profile, jobsDir: join(work, "jobs"), pollMs: 300, timeoutMs: 60_000 },
    ),
    /work failed/,
  );
  for (let i = 0; i < 50 && (await jobState({ jobId: failingJob, profile })) !== "CANCELLED"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(await jobState({ jobId: failingJob, profile }), "CANCELLED");
});

test("withServedModel: a backend with the job's key and an open cache; both closed and the job cancelled on failure", async () => {
  if (!available) return;
  const cacheFile = join(work, "cache", "served.jsonl");
  let jobId = "";
  await assert.rejects(
    withServedModel(
      experiment,
      cacheFile,
      async ({ server, backend, cache }) => {
        jobId = server.jobId;
        assert.ok(backend.target.startsWith(server.baseUrl.replace(/\/v1$/, "")), backend.target);
        const health = await backend.health?.();
        assert.ok(health?.ok, JSON.stringify(health));
        assert.deepEqual(health?.models, ["tiny-model"]);
        assert.equal(typeof cache.close, "function");
        throw new Error("interrupted mid-run");
      },
      { profile, jobsDir: join(work, "jobs"), pollMs: 300, timeoutMs: 60_000 },
    ),
    /interrupted mid-run/,
  );
  for (let i = 0; i < 50 && (await jobState({ jobId, profile })) !== "CANCELLED"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(await jobState({ jobId, profile }), "CANCELLED");
});

/** A two-item task about one made-up note (project-written; no real text). */
function tinyTask(): LoadedTask {
  const item = (n: number) => ({
    itemId: `t-${n}`,
    task: "apixaban" as const,
    noteId: "N1",
    questionId: `q${n}`,
    questionType: "boolean" as const,
    question: `Question ${n}?`,
    gold: "yes",
  });
  return {
    task: "apixaban",
    subset: "tiny",
    items: [item(1), item(2)],
    noteText: (id) => (id === "N1" ? "Made-up note: patient on apixaban." : undefined),
    notes: 1,
    dataset: { id: "tiny", path: "(none)", restricted: false },
    evaluateOptions: {},
  };
}

test("predictOnServedModel: every item through the served model, predictions file written, the job cancelled", async () => {
  if (!available) return;
  const outDir = join(work, "served-task");
  const cluster = { profile, jobsDir: join(work, "jobs"), pollMs: 300, timeoutMs: 60_000 };
  const served = await predictOnServedModel(experiment, tinyTask(), "student", outDir, cluster);
  assert.equal(served.file, join(outDir, "apixaban", "tiny", "predictions-student.jsonl"));
  const read = readPredictions(served.file, ["t-1", "t-2"]);
  assert.deepEqual(
    [...read.values()].map((p) => [p.item_id, p.ok, p.text]),
    [
      ["t-1", true, '{"answer": "Yes"}'],
      ["t-2", true, '{"answer": "Yes"}'],
    ],
  );
  assert.equal(served.summary.done, 2);
  assert.ok(existsSync(join(outDir, "cache", "student.jsonl")), "answers are cached for a re-run");
});

test("predictWithBatchJob: a run-batch job over the task's requests, predictions in item order; unknown label is an error", async () => {
  if (!available) return;
  const outDir = join(work, "batch-task");
  const withTeacher = experimentSchema.parse({
    ...experiment,
    eval: { ...experiment.eval, models: { teacher: "big" } },
  });
  const batch = await predictWithBatchJob(withTeacher, tinyTask(), "teacher", outDir, {
    profile,
    ...submitOptions,
    pollMs: 300,
  });
  assert.equal(batch.outcome.state, "COMPLETED");
  assert.deepEqual(
    batch.predictions.map((p) => [p.item_id, p.ok, p.model]),
    [
      ["t-1", true, "teacher"],
      ["t-2", true, "teacher"],
    ],
  );
  assert.equal(readPredictions(batch.file, ["t-1", "t-2"]).size, 2);
  await assert.rejects(
    predictWithBatchJob(withTeacher, tinyTask(), "nobody", outDir),
    /no model "nobody" in eval\.models/,
  );
});

test.run();
