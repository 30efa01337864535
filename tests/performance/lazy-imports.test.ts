/**
 * Importing the library (a notebook's first cell) must not load the heavy packages only some calls need:
 * execa (SLURM commands), polars (parquet), plotly (figures), node-llama-cpp (local models). Each is
 * imported inside the function that uses it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadedPackages } from "../helpers/loaded-packages.js";

const HEAVY = ["execa", "nodejs-polars", "plotly.js-dist-min", "node-llama-cpp", "apache-arrow"];
const tsx = ["--import", "tsx"];

test("importing the library loads none of the heavy packages", () => {
  const { packages } = loadedPackages('await import("./lib/src/index.ts");', tsx);
  assert.ok(packages.has("zod"), "the recorder sees packages the library does load (zod)");
  assert.equal(
    HEAVY.filter((name) => packages.has(name)),
    [],
  );
});

test("the scoring path (read held-out questions, score predictions) loads none of them either", () => {
  const script = `
    const { evaluation } = await import("./lib/src/index.ts");
    const items = await evaluation.readSyntheticItems("data/sample/synthetic-eval/held-out.csv");
    const predictions = new Map(items.map((item) => [item.itemId, { item_id: item.itemId, model: "m", ok: true, text: JSON.stringify({ answer: item.gold }) }]));
    const result = evaluation.evaluate("m", items, predictions, { bootstrap: { resamples: 10 } });
    if (result.score.overall.accuracy.value !== 1) throw new Error("gold scored against itself is not 1");
  `;
  const { packages } = loadedPackages(script, tsx);
  assert.equal(
    HEAVY.filter((name) => packages.has(name)),
    [],
  );
});

test("the lazily loaded packages still load where they are used", async () => {
  const { submitJob } = await import("../../lib/src/slurm/submit.js");
  assert.type(submitJob, "function");
});

test.run();
