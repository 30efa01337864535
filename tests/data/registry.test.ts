import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  ConfigError,
  DatasetError,
  type DatasetRegistry,
  loadDatasetRegistry,
  resolveDataset,
  restrictedDatasets,
} from "../../lib/src/config/index.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { tempDir } from "../helpers/temp-dir.js";

async function registryFile(yaml: string): Promise<string> {
  const dir = tempDir("cd-registry-");
  const file = join(dir, "datasets.yaml");
  await writeFile(file, yaml);
  return file;
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.instance(error, ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

test("the shipped registry loads; samples resolve and are open; the real datasets are restricted", () => {
  const registry = loadDatasetRegistry();
  const ids = registry.datasets.map((d) => d.id);
  for (const id of ["sample-notes", "sample-n2c2", "mimic-iv-note", "n2c2-2018-track1", "apixaban-annotations"])
    assert.ok(ids.includes(id), id);
  for (const entry of registry.datasets.filter((d) => d.id.startsWith("sample-"))) {
    assert.is(entry.restricted, false);
    resolveDataset(registry, entry.id);
  }
  const n2c2 = resolveDataset(registry, "sample-n2c2");
  assert.is(n2c2.splitPaths.train, resolveFromRoot("data/sample/n2c2/train"));
  assert.equal(
    restrictedDatasets(registry)
      .map((d) => d.id)
      .sort(),
    ["apixaban-annotations", "mimic-iv-note", "n2c2-2018-track1", "synthetic-eval-mimic"],
  );
  for (const entry of restrictedDatasets(registry)) assert.ok(entry.env && entry.agreement, entry.id);
});

test("a missing path says which file and env var to set, and the agreement", () => {
  const registry = loadDatasetRegistry();
  try {
    resolveDataset(registry, "mimic-iv-note", { env: {} });
    assert.unreachable("should throw");
  } catch (error) {
    assert.ok(DatasetError.isInstance(error));
    const message = (error as Error).message;
    assert.match(message, "dataset mimic-iv-note: path /path/to/mimic-iv-note");
    assert.match(message, "does not exist; set it in configs/datasets.yaml or env MIMIC_IV_NOTE_PATH");
    assert.match(message, "PhysioNet Credentialed Health Data Use Agreement");
  }
});

test("the env variable overrides the path; relative paths resolve from the project root", () => {
  const registry = loadDatasetRegistry();
  const resolved = resolveDataset(registry, "mimic-iv-note", {
    env: { MIMIC_IV_NOTE_PATH: "data/sample/notes.jsonl" },
  });
  assert.is(resolved.resolvedPath, resolveFromRoot("data/sample/notes.jsonl"));
  assert.is(resolved.pathSource, "env");
  const n2c2 = resolveDataset(registry, "n2c2-2018-track1", { env: { N2C2_2018_TRACK1_PATH: "data/sample/n2c2" } });
  assert.is(n2c2.splitPaths.test, resolveFromRoot("data/sample/n2c2/test"));
  const lazy = resolveDataset(registry, "apixaban-annotations", { env: {}, mustExist: false });
  assert.is(lazy.resolvedPath, "/path/to/apixaban/annotations.csv");
});

test("a missing split and an unknown id are DatasetErrors", () => {
  const registry: DatasetRegistry = {
    datasets: [
      { id: "x", description: "d", kind: "n2c2", path: "data/sample/n2c2", restricted: false, splits: { dev: "dev" } },
    ],
  };
  try {
    resolveDataset(registry, "x");
    assert.unreachable("should throw");
  } catch (error) {
    assert.ok(DatasetError.isInstance(error));
    assert.match((error as Error).message, 'split "dev" path');
  }
  try {
    resolveDataset(registry, "nope");
    assert.unreachable("should throw");
  } catch (error) {
    assert.ok(DatasetError.isInstance(error));
    assert.match((error as Error).message, "known ids: x");
  }
});

test("invalid registries fail with file, field path and expectation", async () => {
  const restrictedNoAgreement = await registryFile(
    "datasets:\n  - id: real\n    description: d\n    kind: notes\n    path: /x\n    restricted: true\n",
  );
  const error = configError(() => loadDatasetRegistry(restrictedNoAgreement));
  assert.match(error.message, restrictedNoAgreement);
  assert.match(error.message, "datasets[0].agreement: a restricted dataset must name its agreement");

  const duplicate = await registryFile(
    "datasets:\n  - {id: a, description: d, kind: notes, path: x, restricted: false}\n  - {id: a, description: d, kind: n2c2, path: y, restricted: false}\n",
  );
  assert.match(configError(() => loadDatasetRegistry(duplicate)).message, 'datasets[1].id: duplicate id "a"');

  const typo = await registryFile(
    "datasets:\n  - {id: a, description: d, kind: note, path: x, restricted: false, restriced: true}\n",
  );
  const typoError = configError(() => loadDatasetRegistry(typo));
  assert.match(typoError.message, "datasets[0].kind");
  assert.match(typoError.message, "restriced");

  const missingRestricted = await registryFile("datasets:\n  - {id: a, description: d, kind: notes, path: x}\n");
  assert.match(configError(() => loadDatasetRegistry(missingRestricted)).message, "datasets[0].restricted");

  const badEnv = await registryFile(
    "datasets:\n  - {id: a, description: d, kind: notes, path: x, restricted: false, env: my-path}\n",
  );
  assert.match(configError(() => loadDatasetRegistry(badEnv)).message, "datasets[0].env");

  const notYaml = await registryFile("datasets: [\n");
  assert.match(configError(() => loadDatasetRegistry(notYaml)).message, "not valid YAML");
  assert.match(configError(() => loadDatasetRegistry("/nonexistent/datasets.yaml")).message, "cannot read the file");
});

test.run();
