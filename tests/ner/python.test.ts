import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { missing } from "../helpers/skip.js";

const scripts = ["ner_labels.py", "ner_train.py", "ner_predict.py"].map((name) => resolveFromRoot("slurm", name));
const hasPython = spawnSync("python3", ["--version"]).status === 0;

test("the BioBERT scripts compile and the label alignment self-test passes without torch", () => {
  if (!hasPython) {
    missing("python3", "apt-get install python3");
    return;
  }
  const cache = mkdtempSync(join(tmpdir(), "ner-pyc-"));
  try {
    for (const script of scripts) {
      const compiled = spawnSync(
        "python3",
        [
          "-c",
          "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
          script,
          join(cache, "x.pyc"),
        ],
        { encoding: "utf8" },
      );
      assert.equal(compiled.status, 0, `${script}: ${compiled.stderr}`);
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
  const selfTest = spawnSync("python3", ["-B", scripts[0]], { encoding: "utf8" });
  assert.equal(selfTest.status, 0, selfTest.stderr);
  assert.match(selfTest.stdout, /self-test passed/);
});

test("argument errors are clear and need no torch", () => {
  if (!hasPython) {
    missing("python3", "apt-get install python3");
    return;
  }
  const run = spawnSync("python3", ["-B", scripts[1], "--train", "x", "--output-dir", "y", "--stride", "400"], {
    encoding: "utf8",
  });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--stride must be/);
});

test("python and TypeScript agree on the BIO label set", async () => {
  if (!hasPython) {
    missing("python3", "apt-get install python3");
    return;
  }
  const { BIO_LABELS } = await import("../../lib/src/ner/bio.js");
  const run = spawnSync(
    "python3",
    [
      "-B",
      "-c",
      "import json, sys; sys.path.insert(0, sys.argv[1]); import ner_labels; print(json.dumps(ner_labels.LABELS))",
      resolveFromRoot("slurm"),
    ],
    { encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), BIO_LABELS);
});

test.run();
