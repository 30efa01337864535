import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findJupyterPython, kernelSpecStartable, readKernelSpec } from "../../scripts/internal/jupyter-env.js";
import { cleanProblems, filterNotebooks, listNotebooks } from "../../scripts/internal/notebooks.js";
import { missing } from "../helpers/skip.js";
import { tempDir } from "../helpers/temp-dir.js";
import { runScript, writeNotebook } from "./helpers.js";

const scratch = tempDir("runner-test-");

function jupyterReady(): boolean {
  const python = findJupyterPython();
  const kernel = python ? readKernelSpec(python) : undefined;
  if (python && kernel && kernelSpecStartable(kernel)) return true;
  return missing("Jupyter with the tslab kernel", "npm run setup:jupyter") as false;
}

test("notebooks are ordered folder by folder, then file by file; hidden folders are ignored", () => {
  const dir = join(scratch, "order");
  for (const path of [
    "b-eval/a-first.ipynb",
    "a-gen/b-second.ipynb",
    "a-gen/a-first.ipynb",
    "a-gen/.ipynb_checkpoints/a-first-checkpoint.ipynb",
    "c-x/readme.md",
  ])
    writeNotebook(join(dir, path), [{ source: "1" }]);
  assert.equal(listNotebooks(dir), ["a-gen/a-first.ipynb", "a-gen/b-second.ipynb", "b-eval/a-first.ipynb"]);
  assert.equal(filterNotebooks(listNotebooks(dir), "b-eval"), ["b-eval/a-first.ipynb"]);
  assert.equal(filterNotebooks(listNotebooks(dir), "a-first"), ["a-gen/a-first.ipynb", "b-eval/a-first.ipynb"]);
  assert.equal(listNotebooks(join(scratch, "no-such-dir")), []);
});

test("the clean check finds outputs, execution counts, missing and repeated ids, a wrong kernel", () => {
  const clean = writeNotebook(join(scratch, "clean", "a.ipynb"), [
    { type: "markdown", source: "# T" },
    { source: "1" },
  ]);
  assert.equal(cleanProblems(clean), []);
  const dirty = writeNotebook(
    join(scratch, "dirty", "a.ipynb"),
    [
      { source: "1", outputs: [{ output_type: "stream", name: "stdout", text: "1\n" }], execution_count: 3 },
      { source: "2", id: null },
      { source: "3", id: "same" },
      { source: "4", id: "same" },
    ],
    "python3",
  );
  const problems = cleanProblems(dirty).join("\n");
  assert.match(problems, /cell 1 has saved outputs/);
  assert.match(problems, /cell 1 has an execution count \(3\)/);
  assert.match(problems, /cell 2 has no id/);
  assert.match(problems, /cell 4 repeats the id "same"/);
  assert.match(problems, /kernelspec\.name must be "tslab"/);
  writeFileSync(join(scratch, "dirty", "broken.ipynb"), "{ not json");
  assert.match(cleanProblems(join(scratch, "dirty", "broken.ipynb"))[0], /not readable as JSON/);
});

test("--check-clean exits non-zero naming the notebook and cell; zero on clean notebooks", () => {
  const failing = runScript("run-notebooks.ts", ["--check-clean", "--dir", join(scratch, "dirty")]);
  assert.is(failing.status, 1);
  assert.match(failing.stderr, /a\.ipynb:\n(\s+- .*\n)*\s+- cell 1 has saved outputs/);
  assert.match(failing.stderr, /broken\.ipynb:\n\s+- not readable as JSON/);
  assert.match(failing.stderr, /Clear Outputs/);
  const passing = runScript("run-notebooks.ts", ["--check-clean", "--dir", join(scratch, "clean")]);
  assert.is(passing.status, 0, passing.output);
  assert.match(passing.stdout, /all 1 source notebooks are clean/);
});

test("no matching notebook and a bad --timeout are clear errors", () => {
  const none = runScript("run-notebooks.ts", ["zzz-nothing", "--dir", join(scratch, "clean")]);
  assert.is(none.status, 2);
  assert.match(none.stderr, /no notebook under .* matches "zzz-nothing"/);
  const badTimeout = runScript("run-notebooks.ts", ["--timeout", "soon", "--dir", join(scratch, "clean")]);
  assert.is(badTimeout.status, 2);
  assert.match(badTimeout.stderr, /--timeout must be a positive whole number/);
});

test("no Jupyter: one message saying to run npm run setup:jupyter", () => {
  const run = runScript("run-notebooks.ts", ["--dir", join(scratch, "clean")], {
    CLINICAL_DISTILL_PYTHON: join(scratch, "no-python-here"),
  });
  assert.is(run.status, 1);
  assert.match(run.stderr, /npm run setup:jupyter/);
  assert.not.match(run.stderr, /Traceback|at Object\./);
});

test("a failing cell: non-zero exit, notebook + cell number + error printed, earlier good output kept", () => {
  if (!jupyterReady()) return;
  const dir = join(scratch, "project");
  const out = join(scratch, "out", "notebooks");
  writeNotebook(join(dir, "a-first", "a-ok.ipynb"), [
    { type: "markdown", source: "# ok" },
    { source: 'console.log("first notebook ran");' },
    { source: '// @cluster\nthrow new Error("cluster cells must not run");' },
  ]);
  const step = join(dir, "b-second", "a-step.ipynb");
  writeNotebook(step, [
    { type: "markdown", source: "# step" },
    { source: "const value: number = 41;" },
    { source: "console.log(value + 1);" },
  ]);

  const stale = join(out, "z-renamed", "a-old.ipynb");
  writeNotebook(stale, [{ source: "1" }]);
  const good = runScript("run-notebooks.ts", ["--dir", dir, "--out", out]);
  assert.is(good.status, 0, good.output);
  assert.throws(() => statSync(stale), /ENOENT/, "an executed copy without a source is removed after a full run");
  assert.match(good.stdout, /skipped cell 3 \(id [^)]+\): \/\/ @cluster/);
  assert.match(good.stdout, /all 2 executed/);
  const goodCopy = join(out, "b-second", "a-step.ipynb");
  const goodText = readFileSync(goodCopy, "utf8");
  assert.match(goodText, /42/);
  const skippedCopy = JSON.parse(readFileSync(join(out, "a-first", "a-ok.ipynb"), "utf8"));
  assert.match(skippedCopy.cells[2].source.join?.("") ?? skippedCopy.cells[2].source, /^\/\/ @cluster/, "source kept");
  assert.match(JSON.stringify(skippedCopy.cells[2].outputs), /skipped: cell 3/);

  // Now the step breaks at cell 3; the later notebook must not run and the good copy must survive.
  writeNotebook(step, [
    { type: "markdown", source: "# step" },
    { source: "const value: number = 41;" },
    { source: 'throw new RangeError("value out of range in the test");' },
    { source: 'console.log("never reached");' },
  ]);
  writeNotebook(join(dir, "c-third", "a-later.ipynb"), [{ source: 'console.log("later");' }]);
  const before = statSync(goodCopy).mtimeMs;
  const bad = runScript("run-notebooks.ts", ["--dir", dir, "--out", out]);
  assert.is(bad.status, 1, bad.output);
  assert.match(bad.stderr, /FAILED \[2\/3\] .*b-second\/a-step\.ipynb, cell 3 \(id [^)]+\)/);
  assert.match(bad.stderr, /RangeError: value out of range in the test/);
  assert.match(bad.stderr, /earlier good output is kept/);
  assert.match(bad.stderr, /1 notebook\(s\) not run/);
  assert.is(readFileSync(goodCopy, "utf8"), goodText, "earlier good output unchanged");
  assert.is(statSync(goodCopy).mtimeMs, before);
  const failedCopy = JSON.parse(readFileSync(join(`${out}-failed`, "b-second", "a-step.ipynb"), "utf8"));
  assert.match(JSON.stringify(failedCopy.cells[2].outputs), /value out of range/);
  assert.throws(() => statSync(join(out, "c-third", "a-later.ipynb")));
});

test("a TypeScript error is reported as such, with the cell number", () => {
  if (!jupyterReady()) return;
  const dir = join(scratch, "typed");
  writeNotebook(join(dir, "a.ipynb"), [{ source: "const ok = 1;" }, { source: "const text: string = 5;" }]);
  const run = runScript("run-notebooks.ts", ["--dir", dir, "--out", join(scratch, "typed-out")]);
  assert.is(run.status, 1);
  assert.match(run.stderr, /a\.ipynb, cell 2/);
  assert.match(run.stderr, /TypeScript compile error: 1:7 - Type 'number' is not assignable to type 'string'/);
});

test("a cell over the timeout and an unknown kernel are named", () => {
  if (!jupyterReady()) return;
  const dir = join(scratch, "slow");
  writeNotebook(join(dir, "a.ipynb"), [{ source: "await new Promise((done) => setTimeout(done, 60_000));" }]);
  const slow = runScript("run-notebooks.ts", ["--dir", dir, "--out", join(scratch, "slow-out"), "--timeout", "2"]);
  assert.is(slow.status, 1);
  assert.match(slow.stderr, /cell 1/);
  assert.match(slow.stderr, /did not finish within 2 s/);
  const other = join(scratch, "other-kernel");
  writeNotebook(join(other, "a.ipynb"), [{ source: "1" }], "no-such-kernel");
  const noKernel = runScript("run-notebooks.ts", ["--dir", other, "--out", join(scratch, "other-out")]);
  assert.is(noKernel.status, 1);
  assert.match(noKernel.stderr, /no Jupyter kernel named 'no-such-kernel'/);
  assert.match(noKernel.stderr, /npm run setup:jupyter/);
});

test("an unreadable notebook file is named, not a Python traceback", () => {
  if (!jupyterReady()) return;
  const dir = join(scratch, "unreadable");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "a-broken.ipynb"), "{ not json");
  const run = runScript("run-notebooks.ts", ["--dir", dir, "--out", join(scratch, "unreadable-out")]);
  assert.is(run.status, 1);
  assert.match(run.stderr, /FAILED \[1\/1\] .*a-broken\.ipynb, before any cell ran/);
  assert.match(run.stderr, /NotebookReadError: not a readable notebook/);
  assert.not.match(run.stderr, /Traceback/);
});

test("setup:jupyter is idempotent: a second run installs nothing", () => {
  if (!jupyterReady()) return;
  const run = runScript("setup-jupyter.ts", []);
  assert.is(run.status, 0, run.output);
  assert.match(run.stdout, /nothing installed/);
  assert.match(run.stdout, /already installed|installed the tslab kernel/);
});

test.run();
