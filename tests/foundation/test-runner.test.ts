// The test runner's summary: loud skips count as skipped (not passed), each phase (unit, integration) is
// counted and so is the total, and the run's temp folder is private and removed, so the machine's temp
// folder is left as it was.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findSuites, integrationSuites, testPhase } from "../../scripts/internal/test-phases.js";

const root = resolve(import.meta.dirname, "..", "..");

// CI unset: under CI=true a loud skip is a failure by design.
const runTests = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", join(root, "scripts", "run-tests.ts"), ...args], {
    cwd: root,
    env: { ...process.env, CI: "" },
    encoding: "utf8",
  });

test("npm test's summary counts loud skips as skipped, lists why, and removes what tests left in temp", () => {
  const name = `runner-probe-${process.pid}`;
  const suite = join(import.meta.dirname, `${name}.test.ts`);
  writeFileSync(
    suite,
    [
      'import { mkdtempSync, writeFileSync } from "node:fs";',
      'import { tmpdir } from "node:os";',
      'import { join } from "node:path";',
      'import { test } from "uvu";',
      'import { missing } from "../helpers/skip.js";',
      'import { tempDir } from "../helpers/temp-dir.js";',
      'test("needs a tool", () => { if (!missing("the probe tool", "install it")) return; });',
      'test("passes", () => {});',
      `test("leaves a folder", () => { mkdtempSync(join(tmpdir(), "${name}-")); });`,
      `test("cleans up its folder", () => { writeFileSync(join(tempDir("${name}-clean-"), "x"), "x"); });`,
      "test.run();",
      "",
    ].join("\n"),
  );
  try {
    const run = runTests(name);
    assert.is(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /\nunit: 3 passed, 0 failed, 1 skipped \(1 suites, \d+ s\)\n/);
    assert.match(run.stdout, `\nintegration: no suites match ${name}\n`);
    assert.match(run.stdout, /\n3 passed, 0 failed, 1 skipped\n$/);
    assert.match(run.stdout, /- the probe tool \(install it\)/);
    // Only the raw mkdtemp folder is left: tempDir's folder went when the suite's process exited.
    assert.match(run.stdout, new RegExp(`Temp entries tests left behind .*: 1 \\(${name}-[^,]*\\)`));
    assert.equal(
      readdirSync(tmpdir()).filter((entry) => entry.startsWith(`${name}-`)),
      [],
      "nothing the probe left stays in the machine's temp folder",
    );

    const integrationOnly = runTests("--integration", name);
    assert.is(integrationOnly.status, 1, "a run that finds no suite fails");
    assert.match(integrationOnly.stdout, /\n0 passed, 0 failed, 0 skipped\n$/);
  } finally {
    rmSync(suite, { force: true });
  }
});

test("suites that start notebooks, browsers, SLURM or Python are integration suites; the list names real paths", () => {
  const suites = findSuites(join(root, "tests"));
  for (const entry of integrationSuites)
    assert.ok(existsSync(join(root, "tests", entry)), `tests/${entry} in the integration list exists`);
  assert.is(testPhase("notebooks/notebooks.test.ts"), "integration");
  assert.is(testPhase("browser/notebook.test.ts"), "integration");
  assert.is(testPhase("data/csv.test.ts"), "unit");
  assert.ok(suites.includes("foundation/test-runner.test.ts") && suites.includes("paths.test.ts"));
  assert.not.ok(
    suites.some((suite) => suite.startsWith("helpers/") || suite.includes("/fixtures/")),
    "helpers and fixtures are not suites",
  );
  const unit = suites.filter((suite) => testPhase(suite) === "unit");
  assert.ok(unit.length > 0 && unit.length < suites.length, "both phases have suites");
});

test.run();
