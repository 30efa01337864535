import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { commands } from "../../lib/src/cli/synth.js";
import { loadExperiment } from "../../lib/src/config/experiment.js";
import { createReplayBackend } from "../../lib/src/llm/backends/replay-backend.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { generateFromConfig, postProcessFromConfig, prepareFromConfig } from "../../lib/src/synth/from-config.js";
import { type VariantsStats, variantColumn } from "../../lib/src/synth/prepare.js";
import { VARIANTS } from "../../lib/src/synth/types.js";
import { tempDir } from "../helpers/temp-dir.js";

const scratch = tempDir("synth-from-config-");
const sampleFile = resolveFromRoot("configs/experiments/sample.yaml");
const sample = loadExperiment(sampleFile);
const experiment = { ...sample, synth: { ...sample.synth, outDir: join(scratch, "synth") } };

/** Rows per split that each variant's column marks in a folder's parquet shards. */
function markedRows(outDir: string, stats: VariantsStats) {
  const frames = (["train", "test"] as const).map((split) =>
    pl.concat(stats.splits[split].files.map((file) => pl.readParquet(join(outDir, file)))),
  );
  return Object.fromEntries(
    stats.variants.map((variant) => [
      variant,
      frames.map((frame) => frame.filter(pl.col(variantColumn(variant))).height),
    ]),
  );
}

test.before(async () => {
  const backend = await createReplayBackend([resolveFromRoot("data/sample/teacher-responses/replay.jsonl")]);
  await generateFromConfig(experiment, { backend, health: false });
  await postProcessFromConfig(experiment);
});

test("the config path writes every variant once into dataset/, row counts per variant as prepareVariants reports", async () => {
  // A folder of the old layout (one per variant) is replaced, not left beside the new one.
  mkdirSync(join(experiment.synth.outDir, "dataset", "all", "data"), { recursive: true });
  const { stats, outDir, files } = await prepareFromConfig(experiment);
  assert.is(outDir, join(experiment.synth.outDir, "dataset"));
  assert.equal(stats.variants, [...VARIANTS]);
  assert.equal(readdirSync(outDir).sort(), ["README.md", "data", "manifest.json", "rejects.jsonl", "stats.json"]);
  assert.equal(JSON.parse(readFileSync(join(outDir, "stats.json"), "utf8")), JSON.parse(JSON.stringify(stats)));
  const expected = Object.fromEntries(
    VARIANTS.map((variant) => {
      const one = stats.byVariant[variant];
      return [variant, [one?.splits.train.rows, one?.splits.test.rows]];
    }),
  );
  assert.equal(markedRows(outDir, stats), expected);
  assert.ok(stats.splits.train.rows > 0 && stats.splits.test.rows > 0);
  // Same seed, same bytes, in another folder.
  const again = await prepareFromConfig(experiment, { outDir: join(scratch, "again") });
  for (const file of files)
    assert.ok(readFileSync(join(outDir, file)).equals(readFileSync(join(again.outDir, file))), `${file} differs`);
});

test("synth prepare --variant writes only the variants asked for, in the one folder", async () => {
  const config = join(scratch, "experiment.yaml");
  writeFileSync(
    config,
    readFileSync(sampleFile, "utf8").replace(/^ {2}outDir: out\/synth$/m, `  outDir: ${experiment.synth.outDir}`),
  );
  const log = console.log;
  const printed: string[] = [];
  console.log = (line: string) => printed.push(line);
  try {
    assert.is(await commands.prepare.run(["--config", config, "--variant", "boolean", "--variant", "numeric"]), 0);
  } finally {
    console.log = log;
  }
  const outDir = join(experiment.synth.outDir, "dataset");
  const stats: VariantsStats = JSON.parse(readFileSync(join(outDir, "stats.json"), "utf8"));
  assert.equal(stats.variants, ["boolean", "numeric"]);
  const columns = pl.readParquet(join(outDir, stats.splits.train.files[0])).columns;
  assert.equal(
    columns.filter((name) => name.startsWith("variant_")),
    ["variant_boolean", "variant_numeric"],
  );
  assert.match(printed.join("\n"), `boolean: train ${stats.byVariant.boolean?.splits.train.rows} rows`);
  assert.match(printed.join("\n"), `-> ${outDir}`);
});

test.run();
