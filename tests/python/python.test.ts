import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { test } from "uvu";
import { missing } from "../helpers/skip.js";
import { tempDir } from "../helpers/temp-dir.js";

// The Python side of the SLURM jobs: every entry point compiles, and the pure helpers (label masking,
// config parsing, checkpoints) pass their unit tests. Neither needs torch or a GPU.
const root = join(import.meta.dirname, "..", "..");
// Byte-code goes to a temporary folder, never next to the sources.
const env = { PYTHONPYCACHEPREFIX: tempDir("pycache-"), PYTHONDONTWRITEBYTECODE: "1" };

async function python(): Promise<string | null> {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const probe = await execa(candidate, ["--version"], { reject: false });
    if (probe.exitCode === 0) return candidate;
  }
  return null;
}

test("python3 -m py_compile succeeds for every script under slurm/", async () => {
  const interpreter = await python();
  if (!interpreter) {
    missing("python3", "apt-get install python3");
    return;
  }
  const scripts = readdirSync(join(root, "slurm")).filter((name) => name.endsWith(".py"));
  assert.ok(scripts.includes("finetune.py") && scripts.includes("merge_adapter.py") && scripts.includes("common.py"));
  const result = await execa(interpreter, ["-m", "py_compile", ...scripts.map((name) => join(root, "slurm", name))], {
    env,
    reject: false,
  });
  assert.equal(result.exitCode, 0, result.stderr);
});

test("entry points open with a docstring that shows how to launch them", () => {
  for (const name of ["finetune.py", "merge_adapter.py"]) {
    const source = readFileSync(join(root, "slurm", name), "utf8");
    assert.match(source, /^"""[\s\S]*?(accelerate launch|python slurm\/)/, name);
  }
});

test("Python unit tests for label masking and config parsing pass", async () => {
  const interpreter = await python();
  if (!interpreter) {
    missing("python3", "apt-get install python3");
    return;
  }
  const result = await execa(interpreter, ["-m", "unittest", "discover", "-s", join(root, "tests", "python"), "-v"], {
    env,
    reject: false,
    all: true,
  });
  assert.equal(result.exitCode, 0, result.all);
  const ran = Number(/Ran (\d+) tests?/.exec(result.all ?? "")?.[1] ?? 0);
  assert.ok(ran >= 10, `expected the Python suite to run, got: ${result.all}`);
});

test("requirements.txt pins every package the jobs use", () => {
  const pins = new Map(
    readFileSync(join(root, "slurm", "requirements.txt"), "utf8")
      .split("\n")
      .filter((line) => line.trim() && !line.startsWith("#"))
      .map((line) => line.split("==") as [string, string]),
  );
  for (const name of [
    "torch",
    "transformers",
    "peft",
    "trl",
    "accelerate",
    "deepspeed",
    "bitsandbytes",
    "datasets",
    "vllm",
  ]) {
    assert.match(pins.get(name) ?? "", /^\d+\.\d+\.\d+/, `${name} must be pinned with ==`);
  }
});

test.run();
