import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { commands } from "../../lib/src/cli/data.js";
import { readAllNotes } from "../../lib/src/data/notes.js";
import { resolveFromRoot } from "../../lib/src/paths.js";
import { tempDir } from "../helpers/temp-dir.js";

const fixtures = join(import.meta.dirname, "fixtures");

/** Run a command with console output captured (returns exit code and what it printed). */
async function run(name: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.join(" "));
  try {
    const code = await commands[name].run(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

test("data validate-n2c2 passes the sample release folder and prints label counts per split", async () => {
  const result = await run("validate-n2c2", [resolveFromRoot("data/sample/n2c2")]);
  assert.is(result.code, 0, result.err);
  assert.match(result.out, /train: 7 valid patients/);
  assert.match(result.out, /test: 4 valid patients/);
  assert.match(result.out, /KETO-1YR\s+1\s+6/);
});

test("data validate-n2c2 fails with file and reason for a folder with bad files", async () => {
  const result = await run("validate-n2c2", [join(fixtures, "n2c2-mixed"), "--json"]);
  assert.is(result.code, 1);
  const report = JSON.parse(result.out);
  assert.is(report.rejects.length, 2);
  assert.match(result.err, "2.xml");
  assert.match(result.err, "KETO-1YR");
  assert.is((await run("validate-n2c2", [])).code, 2);
});

test("data notes-stats counts notes and rejects", async () => {
  const sample = await run("notes-stats", [resolveFromRoot("data/sample/notes.jsonl"), "--json"]);
  assert.is(sample.code, 0, sample.err);
  const stats = JSON.parse(sample.out);
  assert.ok(stats.notes >= 30);
  assert.is(stats.rejected, 0);
  const bad = await run("notes-stats", [join(fixtures, "notes-bad.jsonl")]);
  assert.is(bad.code, 1);
  assert.match(bad.out, "2 notes");
  assert.match(bad.out, '"schema":2');
  assert.match(bad.err, "notes-bad.jsonl:7");
});

test("data datasets lists the registry and succeeds when the samples are present", async () => {
  const result = await run("datasets", []);
  assert.is(result.code, 0, result.err);
  assert.match(result.out, /sample-notes\s+notes\s+open\s+ok/);
  assert.match(result.out, /mimic-iv-note\s+notes\s+restricted/);
});

test("data import-mimic converts MIMIC-IV-Note CSV to notes JSONL, printing counts but no note text", async () => {
  const dir = tempDir("cd-import-");
  const input = join(dir, "discharge.csv");
  const csv = [
    "note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text",
    "1-DS-1,1,11,DS,1,2180-05-07 00:00:00,,secret text one",
    "1-DS-2,1,12,DS,2,2180-06-07 00:00:00,,",
    "2-DS-1,2,21,DS,1,2181-01-01 00:00:00,,secret text two",
    "3-DS-1,3,31,DS,1,2181-02-01 00:00:00,,secret text three",
  ].join("\n");
  await writeFile(input, csv);
  const output = join(dir, "out", "notes.jsonl");
  const result = await run("import-mimic", [input, output, "--limit=2"]);
  assert.is(result.code, 0, result.err);
  assert.match(result.out, "wrote 2 notes");
  assert.match(result.out, '"empty-text":1');
  assert.not.match(result.out + result.err, "secret");
  const notes = await readAllNotes(output);
  assert.equal(
    notes.map((n) => [n.note_id, n.patient_id, n.date]),
    [
      ["1-DS-1", "1", "2180-05-07"],
      ["2-DS-1", "2", "2181-01-01"],
    ],
  );
  assert.is((await run("import-mimic", [input])).code, 2);
  assert.is((await run("import-mimic", [input, output, "--limit=0"])).code, 2);
});

test.run();
