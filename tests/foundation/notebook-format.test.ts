// The notebooks' code cells are formatted by Biome like lib/ (at NOTEBOOK_LINE_WIDTH): the check mode of
// scripts/format-notebooks.ts must pass on the committed notebooks and must catch an unformatted cell.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../helpers/temp-dir.js";

const root = resolve(import.meta.dirname, "../..");

function check(projectDir: string) {
  return spawnSync(process.execPath, ["--import", "tsx", join(projectDir, "scripts/format-notebooks.ts"), "--check"], {
    cwd: projectDir,
    encoding: "utf8",
  });
}

test("every code cell of the committed notebooks is formatted", () => {
  const run = check(root);
  assert.is(run.status, 0, `${run.stdout}${run.stderr}`);
  assert.match(run.stdout, "every code cell is formatted");
});

test("an unformatted cell is named by --check and fixed by a plain run, leaving ids and markdown alone", () => {
  const copy = tempDir("notebook-format-");
  cpSync(join(root, "scripts"), join(copy, "scripts"), { recursive: true });
  for (const linked of ["node_modules", "lib"]) symlinkSync(join(root, linked), join(copy, linked));
  mkdirSync(join(copy, "notebooks", "x"), { recursive: true });
  const notebook = {
    cells: [
      { cell_type: "markdown", id: "m1", metadata: {}, source: ["# Title  with  spaces\n"] },
      {
        cell_type: "code",
        execution_count: null,
        id: "c1",
        metadata: {},
        outputs: [],
        source: ["const x = {a:1,b:[1,2,3]}\n", "await Promise.resolve(x)"],
      },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
  const file = join(copy, "notebooks", "x", "a.ipynb");
  writeFileSync(file, `${JSON.stringify(notebook, null, 1)}\n`);
  const failed = check(copy);
  assert.is(failed.status, 1);
  assert.match(failed.stderr, "notebooks/x/a.ipynb: cell 1 (id c1)");
  const fix = spawnSync(process.execPath, ["--import", "tsx", join(copy, "scripts/format-notebooks.ts")], {
    cwd: copy,
    encoding: "utf8",
  });
  assert.is(fix.status, 0, fix.stderr);
  const fixed = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(fixed.cells[1].source, ["const x = { a: 1, b: [1, 2, 3] };\n", "await Promise.resolve(x);"]);
  assert.equal(fixed.cells[0], notebook.cells[0]);
  assert.is(fixed.cells[1].id, "c1");
  assert.is(check(copy).status, 0);
});

test.run();
