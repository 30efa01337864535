import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { main } from "../../lib/src/cli/main.js";
import { experimentSchema, loadExperiment } from "../../lib/src/config/experiment.js";
import { bootstrapSettings } from "../../lib/src/config/sections/eval.js";
import { DEFAULT_SEED, deriveSeed, resolvedSeeds, SUB_SEEDS, type SubSeedName } from "../../lib/src/config/seeds.js";
import { loadEvalTask } from "../../lib/src/eval/tasks/load-task.js";
import { createReplayBackend } from "../../lib/src/llm/backends/replay-backend.js";
import { biobertArgv } from "../../lib/src/ner/biobert.js";
import { readNerJsonl } from "../../lib/src/ner/jsonl.js";
import { splitNotes } from "../../lib/src/ner/pipeline.js";
import { PerceptronTagger } from "../../lib/src/ner/student.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { evalSampling } from "../../lib/src/prompts/eval.js";
import {
  generateFromConfig,
  postProcessFromConfig,
  prepareFromConfig,
  teacherRequestOptions,
} from "../../lib/src/synth/from-config.js";
import { teacherRequestsForNote } from "../../lib/src/synth/generate.js";

const NAMES = Object.keys(SUB_SEEDS) as SubSeedName[];
const parse = (value: object) => experimentSchema.parse({ name: "seeds-test", ...value });
const seedValue = (experiment: ReturnType<typeof parse>, name: string) =>
  resolvedSeeds(experiment).find((row) => row.name === name)?.value;

test("one `seed:` change moves every derived sub-seed, and the loaded sections carry them", () => {
  const one = parse({ seed: 1 });
  const two = parse({ seed: 2 });
  for (const name of NAMES) {
    assert.is.not(seedValue(one, name), seedValue(two, name), name);
    assert.is(seedValue(one, name), deriveSeed(1, name), name);
  }
  // Distinct names are distinct streams.
  assert.is(new Set(NAMES.map((name) => seedValue(one, name))).size, NAMES.length);
  // The section fields consumers read are the derived values.
  assert.is(one.synth.teacher.seed, deriveSeed(1, "synth.teacher"));
  assert.is(one.synth.prepare.seed, deriveSeed(1, "synth.prepare"));
  assert.is(one.eval.sampling.seed, deriveSeed(1, "eval.sampling"));
  assert.is(one.eval.bootstrap.seed, deriveSeed(1, "bootstrap"));
  assert.is(one.ner.data.seed, deriveSeed(1, "ner.split"));
  assert.is(one.ner.student.seed, deriveSeed(1, "ner.student"));
  assert.is(one.ner.biobert.seed, deriveSeed(1, "ner.biobert"));
  assert.is(one.ner.metrics.seed, deriveSeed(1, "ner.metrics"));
  for (const row of resolvedSeeds(one).filter((r) => r.name in SUB_SEEDS)) {
    assert.is(row.source, `derived from seed 1 as "${row.name}"`);
  }
  // Fine-tuning and vLLM take the experiment seed itself.
  assert.is(seedValue(two, "finetune"), 2);
  assert.is(seedValue(two, "vllm"), 2);
  // No seed: the default experiment seed.
  assert.is(parse({}).seed, DEFAULT_SEED);
});

test("an explicit section seed wins over `seed:` and is recorded as explicit", () => {
  const a = parse({ seed: 1, ner: { student: { seed: 7 } }, synth: { prepare: { seed: 9 } } });
  const b = parse({ seed: 2, ner: { student: { seed: 7 } }, synth: { prepare: { seed: 9 } } });
  assert.is(a.ner.student.seed, 7);
  assert.is(b.ner.student.seed, 7);
  assert.is(b.synth.prepare.seed, 9);
  const rows = Object.fromEntries(resolvedSeeds(b).map((row) => [row.name, row]));
  assert.equal(rows["ner.student"], {
    name: "ner.student",
    setting: "ner.student.seed",
    value: 7,
    source: "explicit (ner.student.seed)",
  });
  assert.is(rows["synth.prepare"].source, "explicit (synth.prepare.seed)");
  assert.is(rows["ner.metrics"].source, 'derived from seed 2 as "ner.metrics"');
  assert.is.not(seedValue(a, "ner.metrics"), seedValue(b, "ner.metrics"));
  // The sample states its step c seed (to keep the split its evaluation sets were written for).
  const sample = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
  assert.is(resolvedSeeds(sample).find((row) => row.name === "synth.prepare")?.source, "explicit (synth.prepare.seed)");
});

test("the derived seeds reach teacher requests, evaluation requests, the bootstrap and BioBERT", async () => {
  const experiment = parse({ seed: 5 });
  const { requests } = teacherRequestsForNote(
    { note_id: "N1", text: "Patient seen. HbA1c 7.1%." },
    teacherRequestOptions(experiment.synth),
  );
  assert.ok(requests.length > 0);
  for (const request of requests) assert.is(request.sampling.seed, deriveSeed(5, "synth.teacher"));
  // What the CLI and eval/tasks/models.ts send: evalSampling() overlaid with the section.
  assert.is({ ...evalSampling(), ...experiment.eval.sampling }.seed, deriveSeed(5, "eval.sampling"));
  const bootstrap = bootstrapSettings(experiment.eval, experiment.seed);
  assert.is(bootstrap.seed, deriveSeed(5, "bootstrap"));
  assert.is(bootstrap.seedSource, 'seed (sub-seed "bootstrap")');
  const loaded = await loadEvalTask(experiment, "apixaban");
  assert.is(loaded.evaluateOptions.bootstrap?.seed, deriveSeed(5, "bootstrap"));
  const argv = biobertArgv(experiment.ner, { train: "t", notes: "n", outputDir: "o" }).train;
  assert.is(argv[argv.indexOf("--seed") + 1], deriveSeed(5, "ner.biobert"));
});

test("the NER student: two experiment seeds train different models, one seed the same model twice", async () => {
  const { notes } = await readNerJsonl(resolveFromRoot("data/sample/ner/notes.jsonl"));
  const train = (seed: number) => {
    const experiment = parse({ seed });
    const split = splitNotes(notes, { testFraction: experiment.ner.data.testFraction, seed: experiment.ner.data.seed });
    return {
      trainIds: split.train.map((note) => note.id).sort(),
      model: JSON.stringify(PerceptronTagger.train(split.train, experiment.ner.student).tagger.toJSON()),
      onAll: JSON.stringify(PerceptronTagger.train(notes, experiment.ner.student).tagger.toJSON()),
    };
  };
  const first = train(1);
  assert.equal(train(1), first);
  const other = train(2);
  // The same notes in another order give other weights: the student's seed moved, not only the split's.
  assert.is.not(other.onAll, first.onAll);
  assert.is.not(other.model, first.model);
});

test("no literal seed default is left in lib/src: 42 lives once, as DEFAULT_SEED", () => {
  const root = resolveFromRoot("lib/src");
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) files.push(path);
    }
  };
  walk(root);
  const offenders: string[] = [];
  for (const file of files) {
    if (file.endsWith(join("config", "seeds.ts"))) continue;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const code = line.trim();
        if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) return;
        if (/\bseed\b.*\b42\b/i.test(code) || /\?\?\s*42\b/.test(code) || /\.default\(\s*42\s*\)/.test(code)) {
          offenders.push(`${file.slice(root.length + 1)}:${i + 1}: ${code}`);
        }
      });
  }
  assert.equal(offenders, []);
  assert.match(readFileSync(join(root, "config", "seeds.ts"), "utf8"), "export const DEFAULT_SEED = 42;");
});

test("step c's manifest and dataset card record the seeds and where they came from", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "seeds-"));
  try {
    const sample = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
    const experiment = { ...sample, synth: { ...sample.synth, outDir: scratch } };
    const backend = await createReplayBackend([resolveFromRoot("data/sample/teacher-responses/replay.jsonl")]);
    await generateFromConfig(experiment, { backend, health: false });
    await postProcessFromConfig(experiment);
    const { outDir } = await prepareFromConfig(experiment);
    const manifest = JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8"));
    assert.equal(manifest.seeds, resolvedSeeds(experiment));
    assert.is(manifest.seed, experiment.synth.prepare.seed);
    const card = readFileSync(join(outDir, "README.md"), "utf8");
    assert.match(card, `| Seed | ${experiment.synth.prepare.seed}, explicit (synth.prepare.seed) |`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test("eval score --json records the experiment's seeds", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "seeds-cli-"));
  const log = console.log;
  console.log = () => {};
  try {
    const baseline = join(scratch, "baseline.jsonl");
    const json = join(scratch, "scores.json");
    assert.is(await main(["eval", "baseline", "--task", "apixaban", "--out", baseline]), 0);
    assert.is(await main(["eval", "score", "--task", "apixaban", "--predictions", baseline, "--json", json]), 0);
    const sample = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
    const scores = JSON.parse(readFileSync(json, "utf8"));
    assert.equal(scores.seeds, resolvedSeeds(sample));
    assert.is(scores.leakage.evaluatedNotes, 4);
  } finally {
    console.log = log;
    rmSync(scratch, { recursive: true, force: true });
  }
});

test.run();
