import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import { commands } from "../../lib/src/cli/ner.js";
import { loadExperiment } from "../../lib/src/config/experiment.js";
import { ConfigError, validateConfig } from "../../lib/src/config/load.js";
import { nerSection } from "../../lib/src/config/sections/ner.js";
import { biobertCommands } from "../../lib/src/ner/biobert.js";
import { readNerJsonl } from "../../lib/src/ner/jsonl.js";
import { resolveFromRoot } from "../../lib/src/paths.js";

test("the ner section: every field defaults; unknown keys and bad values name the field", () => {
  const defaults = validateConfig({}, nerSection, "t.yaml");
  assert.equal(defaults.biobert.model, "dmis-lab/biobert-base-cased-v1.2");
  assert.equal(defaults.teacher.alignment, "all");
  assert.equal(defaults.student.epochs, 5);
  assert.throws(
    () => validateConfig({ teacher: { alignmnt: "all" } }, nerSection, "t.yaml"),
    (error: unknown) => error instanceof ConfigError && /teacher/.test(error.message) && /alignmnt/.test(error.message),
  );
  assert.throws(
    () => validateConfig({ data: { typeMap: { Drug: "drug" } } }, nerSection, "t.yaml"),
    /data\.typeMap\.Drug/,
  );
  assert.throws(() => validateConfig({ biobert: { maxLength: 1024 } }, nerSection, "t.yaml"), /biobert\.maxLength/);
});

test("the sample experiment loads with its ner section", () => {
  const experiment = loadExperiment(resolveFromRoot("configs/experiments/sample.yaml"));
  assert.equal(experiment.ner.data.testFraction, 0.4);
  const [train, predict] = biobertCommands(experiment.ner, {
    train: "a b.jsonl",
    notes: "n.jsonl",
    outputDir: "out/x",
  });
  assert.match(
    train,
    /^python slurm\/ner_train\.py --train 'a b\.jsonl' --output-dir out\/x --model dmis-lab\/biobert-base-cased-v1\.2/,
  );
  assert.match(predict, /--model out\/x\/final --notes n\.jsonl --output out\/x\/predictions\.jsonl/);
});

test("CLI: import BRAT, label with the ontology, train and run the student, evaluate", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ner-cli-"));
  const { log, error } = console;
  const lines: string[] = [];
  const errors: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  console.error = (...args: unknown[]) => errors.push(args.map(String).join(" "));
  try {
    const notes = join(dir, "notes.jsonl");
    assert.equal(
      await commands["import-brat"].run(["--dir", resolveFromRoot("data/sample/ner/brat"), "--out", notes]),
      0,
    );
    assert.equal((await readNerJsonl(notes)).notes.length, 16);
    const labels = join(dir, "ontology.jsonl");
    assert.equal(await commands["label-ontology"].run(["--notes", notes, "--out", labels]), 0);
    const model = join(dir, "model.json");
    assert.equal(await commands["train-student"].run(["--train", labels, "--model", model]), 0);
    const predictions = join(dir, "pred.jsonl");
    assert.equal(await commands["predict-student"].run(["--model", model, "--notes", notes, "--out", predictions]), 0);
    const reportFile = join(dir, "report.json");
    assert.equal(await commands.evaluate.run(["--gold", notes, "--pred", predictions, "--out", reportFile]), 0);
    const report = JSON.parse(await readFile(reportFile, "utf8"));
    assert.ok(report.strict.micro.f1 > 0 && report.strict.micro.f1 <= 1);
    // Usage errors exit 2 with the option named (nothing runs).
    assert.equal(await commands.evaluate.run(["--gold", notes]), 2);
    assert.match(errors.join("\n"), /missing --pred FILE/);
    assert.equal(await commands["import-brat"].run(["--dir", dir, "--out", notes, "--type-map", "Drug=drug"]), 2);
    assert.match(errors.join("\n"), /--type-map: "Drug=drug"/);
  } finally {
    console.log = log;
    console.error = error;
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
