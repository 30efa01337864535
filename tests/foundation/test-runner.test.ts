// The test runner's summary line: loud skips count as skipped (not passed), and the run's temp folder is
// private and removed, so the machine's temp folder is left as it was.
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = resolve(import.meta.dirname, "..", "..");

test("npm test's summary counts loud skips as skipped, lists why, and removes what tests left in temp", () => {
  const name = `runner-probe-${process.pid}`;
  const suite = join(import.meta.dirname, `${name}.test.ts`);
  writeFileSync(
    suite,
    [
      'import { mkdtempSync } from "node:fs";',
      'import { tmpdir } from "node:os";',
      'import { join } from "node:path";',
      'import { test } from "uvu";',
      'import { missing } from "../helpers/skip.js";',
      'test("needs a tool", () => { if (!missing("the probe tool", "install it")) return; });',
      'test("passes", () => {});',
      `test("leaves a folder", () => { mkdtempSync(join(tmpdir(), "${name}-")); });`,
      "test.run();",
      "",
    ].join("\n"),
  );
  try {
    // CI unset: under CI=true a loud skip is a failure by design.
    const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "scripts", "run-tests.ts"), name], {
      cwd: root,
      env: { ...process.env, CI: "" },
      encoding: "utf8",
    });
    assert.is(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /2 passed, 0 failed, 1 skipped/);
    assert.match(run.stdout, /- the probe tool \(install it\)/);
    assert.match(run.stdout, /Temp entries tests left behind .*: 1 /);
    assert.equal(
      readdirSync(tmpdir()).filter((entry) => entry.startsWith(`${name}-`)),
      [],
      "nothing the probe left stays in the machine's temp folder",
    );
  } finally {
    rmSync(suite, { force: true });
  }
});

test.run();
