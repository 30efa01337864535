// Every error the library throws is a ToolkitError that carries its stage and, where known, its place
// (file, line, row, column, field, byte); no bare `throw new Error(` is left in lib/src.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UsageError } from "../../lib/src/cli/command.js";
import { DatasetError } from "../../lib/src/config/datasets.js";
import { ConfigError } from "../../lib/src/config/load.js";
import { FileWriteError } from "../../lib/src/core/checked-write.js";
import { DataError } from "../../lib/src/core/data-error.js";
import { formatPlace, type Stage, ToolkitError } from "../../lib/src/core/errors.js";
import { N2c2FormatError } from "../../lib/src/data/n2c2.js";
import { N2c2InputError } from "../../lib/src/eval/n2c2-score.js";
import { PredictionFileError, TableError } from "../../lib/src/eval/tasks/errors.js";
import { LeakageError, type LeakageReport } from "../../lib/src/eval/tasks/leakage.js";
import { LlmError } from "../../lib/src/llm/errors.js";
import { RunInterrupted } from "../../lib/src/llm/interrupt.js";
import { ChatFormatError } from "../../lib/src/prompts/llama31.js";
import { RestrictedOutputError } from "../../lib/src/report/export-guard.js";
import { KeyFileError } from "../../lib/src/secrets/key-file.js";
import { SlurmJobError, SlurmSubmitError } from "../../lib/src/slurm/errors.js";
import { PostProcessError } from "../../lib/src/synth/post-process.js";

const lib = resolve(import.meta.dirname, "../../lib/src");

const leakage: LeakageReport = {
  checked: true,
  trainingSplits: ["train"],
  trainingNotes: 10,
  trainingNotesWithoutText: 0,
  evaluatedNotes: 4,
  overlappingNotes: 1,
  overlappingItems: 2,
  overlaps: [{ noteId: "n1", via: "id", trainingNoteId: "n1", items: 2 }],
  overridden: false,
};

/** One instance of each error class, with the stage it must report. */
const instances: [name: string, error: ToolkitError, stage: Stage][] = [
  ["DatasetError", new DatasetError("mimic", "dataset mimic: not in x.yaml", { file: "x.yaml" }), "config"],
  ["ConfigError", new ConfigError("run.yaml", [{ path: "llm.model", message: "Required" }]), "config"],
  ["SlurmSubmitError", new SlurmSubmitError("train", "jobs/train.sbatch", "sbatch: error: bad partition"), "slurm"],
  [
    "SlurmJobError",
    new SlurmJobError({
      jobId: "7",
      name: "train",
      state: "FAILED",
      exitCode: 1,
      signal: null,
      reason: "None",
      logFile: "logs/train-7.out",
      logTail: "",
    }),
    "slurm",
  ],
  [
    "RestrictedOutputError",
    new RestrictedOutputError([
      { notebook: "a.ipynb", cell: 3, endCell: 3, part: "output", dataset: "mimic", words: 12 },
    ]),
    "report",
  ],
  ["RunInterrupted", new RunInterrupted({ cause: "SIGINT", done: 1, ok: 1, cacheFile: "cache.jsonl" }), "llm"],
  ["FileWriteError", new FileWriteError("out.jsonl", "the results file", new Error("ENOSPC"), 0), "llm"],
  ["LlmError", new LlmError("http", "server said 500", { status: 500 }), "llm"],
  ["KeyFileError", new KeyFileError("key.txt", "empty", "API key file key.txt is empty"), "secrets"],
  ["UsageError", new UsageError("missing --config FILE", "--config"), "cli"],
  ["DataError", new DataError({ file: "notes.jsonl", line: 4 }, "not JSON"), "data"],
  ["N2c2FormatError", new N2c2FormatError({ file: "101.xml", line: 2, column: 5 }, "no TEXT"), "data"],
  ["ChatFormatError", new ChatFormatError("messages[1].role: bad", "messages[1].role"), "prompts"],
  ["LeakageError", new LeakageError("eval", leakage), "eval"],
  ["TableError", new TableError("answers.csv", 3, "bad value"), "eval"],
  ["PredictionFileError", new PredictionFileError("pred.jsonl", "2 items missing", ["a", "b"]), "eval"],
  ["N2c2InputError", new N2c2InputError(["patient 101: no MAKES-DECISIONS"]), "eval"],
  ["PostProcessError", new PostProcessError("responses are not contiguous", "grouping"), "synth"],
];

test("every error class is a ToolkitError with its stage and its own name", () => {
  for (const [name, error, stage] of instances) {
    assert.ok(ToolkitError.isInstance(error), `${name} is not recognised as a ToolkitError`);
    assert.ok(error instanceof Error, name);
    assert.is(error.stage, stage, name);
    assert.is(error.name, name);
  }
});

test("each class's own isInstance still tells its errors apart", () => {
  const checks: [string, (value: unknown) => boolean][] = [
    ["DatasetError", DatasetError.isInstance],
    ["SlurmSubmitError", SlurmSubmitError.isInstance],
    ["SlurmJobError", SlurmJobError.isInstance],
    ["LlmError", LlmError.isInstance],
    ["DataError", DataError.isInstance],
    ["TableError", TableError.isInstance],
    ["PredictionFileError", PredictionFileError.isInstance],
    ["N2c2InputError", N2c2InputError.isInstance],
  ];
  for (const [name, isInstance] of checks) {
    const own = instances.filter(([other]) => other === name || (name === "DataError" && other === "N2c2FormatError"));
    for (const [other, error] of instances) {
      assert.is(
        isInstance(error),
        own.some(([n]) => n === other),
        `${name}.isInstance(${other})`,
      );
    }
  }
});

test("isInstance goes by the marker (a second loaded copy of the library), not by instanceof", () => {
  const otherCopy = { [Symbol.for("clinical-distill.ToolkitError")]: true, message: "x" };
  assert.ok(ToolkitError.isInstance(otherCopy));
  assert.not.ok(ToolkitError.isInstance(new Error("plain")));
  assert.not.ok(ToolkitError.isInstance(null));
  assert.not.ok(ToolkitError.isInstance("ToolkitError"));
  const otherData = { [Symbol.for("clinical-distill.DataError")]: true };
  assert.ok(DataError.isInstance(otherData));
});

test("ToolkitError carries every place field and the cause", () => {
  const cause = new Error("inner");
  const error = new ToolkitError(
    "bad",
    { stage: "data", file: "a.csv", line: 3, column: 2, row: 2, field: "note_id", byte: 40 },
    { cause },
  );
  assert.equal(
    { ...error, message: error.message, cause: error.cause },
    {
      stage: "data",
      file: "a.csv",
      line: 3,
      column: 2,
      row: 2,
      field: "note_id",
      byte: 40,
      message: "bad",
      cause,
      name: "ToolkitError",
    },
  );
});

test("the classes put what they know into the place fields, messages unchanged", () => {
  const config = new ConfigError("run.yaml", [
    { path: "llm.model", message: "Required" },
    { path: "seed", message: "Expected number" },
  ]);
  assert.is(config.file, "run.yaml");
  assert.is(config.field, "llm.model");
  assert.is(config.message, "Invalid config run.yaml:\n  - llm.model: Required\n  - seed: Expected number");
  assert.is(new ConfigError("run.yaml", [{ path: "", message: "not valid YAML" }]).field, undefined);

  const data = new DataError({ file: "t.csv", line: 5, row: 4, field: "text" }, "empty text");
  assert.equal([data.file, data.line, data.row, data.field, data.reason], ["t.csv", 5, 4, "text", "empty text"]);
  assert.is(data.message, 't.csv:5 (row 4, field "text"): empty text');

  const table = new TableError("answers.csv", 3, "bad value");
  assert.equal([table.file, table.row, table.message], ["answers.csv", 3, "answers.csv, row 3: bad value"]);
  assert.equal(
    [new PredictionFileError("p.jsonl", "x").file, new KeyFileError("k", "empty", "m").file],
    ["p.jsonl", "k"],
  );
  assert.is(new SlurmSubmitError("train", "jobs/t.sbatch", "").file, "jobs/t.sbatch");
  assert.is(new FileWriteError("out.jsonl", "the file", new Error("x"), 0).file, "out.jsonl");
  assert.is(new UsageError("missing --config FILE", "--config").field, "--config");
  assert.is(new LlmError("config", "llm.baseUrl: bad", { field: "llm.baseUrl" }).field, "llm.baseUrl");
  const dataset = new DatasetError("d", "m", { file: "r.yaml", field: "path" });
  assert.equal([dataset.file, dataset.field, dataset.datasetId], ["r.yaml", "path", "d"]);
});

test("formatPlace formats a place as DataError always did", () => {
  assert.is(formatPlace({ file: "a.jsonl" }), "a.jsonl");
  assert.is(formatPlace({ file: "a.jsonl", line: 3 }), "a.jsonl:3");
  assert.is(formatPlace({ file: "a.xml", line: 3, column: 7 }), "a.xml:3:7");
  // A column without a line has nowhere to go in file:line:column.
  assert.is(formatPlace({ file: "a.xml", column: 7 }), "a.xml");
  assert.is(formatPlace({ file: "t.csv", line: 4, row: 3, field: "note_id" }), 't.csv:4 (row 3, field "note_id")');
  assert.is(formatPlace({ file: "n.jsonl", byte: 12 }), "n.jsonl (byte 12)");
  assert.is(formatPlace({ file: "f", line: 1, row: 1, field: "x", byte: 0 }), 'f:1 (row 1, field "x", byte 0)');
});

/** lib/src files with a bare `throw new Error(`, as `file:line`. */
function bareThrows(): string[] {
  const found: string[] = [];
  const files = readdirSync(lib, { withFileTypes: true, recursive: true }).filter(
    (entry) => entry.isFile() && entry.name.endsWith(".ts"),
  );
  assert.ok(files.length > 50, `expected the library sources under ${lib}, found ${files.length} files`);
  for (const entry of files) {
    const file = join(entry.parentPath, entry.name);
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (/\bthrow\s+new\s+Error\s*\(/.test(line)) found.push(`${relative(lib, file)}:${i + 1}`);
      });
  }
  return found;
}

test("lib/src throws no bare Error: each names its stage through ToolkitError", () => {
  assert.equal(bareThrows(), [], "throw a ToolkitError (or a subclass) with stage and place instead");
});

test.run();
