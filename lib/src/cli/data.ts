import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatasetError, loadDatasetRegistry, resolveDataset } from "../config/datasets.js";
import {
  N2C2_CRITERIA,
  type N2c2Patient,
  RejectLog,
  readMimicIvNotes,
  readN2c2Dir,
  readNotes,
  writeJsonl,
} from "../data/index.js";
import { type CommandTable, defineCommand, EXIT, UsageError } from "./command.js";

function printRejects(log: RejectLog, limit = 20, items = log.items): void {
  for (const reject of items.slice(0, limit)) {
    const where = [reject.file, reject.line, reject.column].filter((part) => part !== undefined).join(":");
    console.error(`  ${where}: ${reject.message}`);
  }
  if (items.length > limit) console.error(`  ... and ${items.length - limit} more`);
}

/** Kept items with a problem (invalid UTF-8, duplicate text): counted and listed, not an exit failure. */
function printWarnings(log: RejectLog): void {
  if (log.warnings.length === 0) return;
  console.error(`warnings: ${log.warnings.length} ${JSON.stringify(log.warningsByReason())}`);
  printRejects(log, 20, log.warnings);
}

const INVALID_UTF8 = {
  type: "string",
  choices: ["report", "fail"],
  default: "report",
  description: "bytes that are not UTF-8: report and keep the item, or fail",
} as const;
const JSON_OPTION = { type: "boolean", description: "print the summary as JSON" } as const;

function quantiles(values: number[]): string {
  if (values.length === 0) return "-";
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return `min ${sorted[0]}, median ${median}, max ${sorted.at(-1)}`;
}

async function validateN2c2(dir: string, flags: { json: boolean; "invalid-utf8": "report" | "fail" }): Promise<number> {
  // A release folder holding train/ and test/ is validated split by split.
  const hasXml =
    existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).some((name) => name.endsWith(".xml"));
  const splits = hasXml ? [dir] : ["train", "test"].map((split) => join(dir, split)).filter((path) => existsSync(path));
  if (splits.length === 0) splits.push(dir);
  const log = new RejectLog();
  const summary: Record<
    string,
    { patients: number; records: string; criteria: Record<string, { met: number; notMet: number }> }
  > = {};
  for (const split of splits) {
    const patients: N2c2Patient[] = await readN2c2Dir(split, {
      onReject: log.add,
      onWarning: log.warn,
      onInvalidUtf8: flags["invalid-utf8"],
    });
    const criteria = Object.fromEntries(
      N2C2_CRITERIA.map((criterion) => [
        criterion,
        {
          met: patients.filter((patient) => patient.tags[criterion] === "met").length,
          notMet: patients.filter((patient) => patient.tags[criterion] === "not met").length,
        },
      ]),
    );
    summary[split] = {
      patients: patients.length,
      records: quantiles(patients.map((patient) => patient.records.length)),
      criteria,
    };
  }
  if (flags.json) console.log(JSON.stringify({ splits: summary, rejects: log.items, warnings: log.warnings }, null, 2));
  else {
    for (const [split, info] of Object.entries(summary)) {
      console.log(`${split}: ${info.patients} valid patients; records per patient: ${info.records}`);
      console.log(`  ${"criterion".padEnd(16)} ${"met".padStart(5)} ${"not met".padStart(8)}`);
      for (const [criterion, counts] of Object.entries(info.criteria))
        console.log(`  ${criterion.padEnd(16)} ${String(counts.met).padStart(5)} ${String(counts.notMet).padStart(8)}`);
    }
  }
  printWarnings(log);
  if (log.count > 0) {
    console.error(`${log.count} invalid file(s):`);
    printRejects(log);
    return 1;
  }
  return 0;
}

async function notesStats(file: string, flags: { json: boolean; "invalid-utf8": "report" | "fail" }): Promise<number> {
  const log = new RejectLog();
  const byType = new Map<string, number>();
  const patients = new Set<string>();
  const sizes: number[] = [];
  let first: string | undefined;
  let last: string | undefined;
  const reading = { onReject: log.add, onWarning: log.warn, onInvalidUtf8: flags["invalid-utf8"] };
  for await (const note of readNotes(file, reading)) {
    byType.set(note.note_type, (byType.get(note.note_type) ?? 0) + 1);
    patients.add(note.patient_id);
    sizes.push(Buffer.byteLength(note.text, "utf8"));
    if (first === undefined || note.date < first) first = note.date;
    if (last === undefined || note.date > last) last = note.date;
  }
  const stats = {
    file,
    notes: sizes.length,
    patients: patients.size,
    byType: Object.fromEntries([...byType].sort()),
    textBytes: quantiles(sizes),
    dates: first ? `${first} .. ${last}` : "-",
    rejected: log.count,
    rejectsByReason: log.byReason(),
    warnings: log.warnings.length,
    warningsByReason: log.warningsByReason(),
  };
  if (flags.json) console.log(JSON.stringify(stats, null, 2));
  else {
    console.log(`${stats.notes} notes, ${stats.patients} patients, dates ${stats.dates}`);
    for (const [type, count] of Object.entries(stats.byType)) console.log(`  ${type.padEnd(20)} ${count}`);
    console.log(`text size (bytes): ${stats.textBytes}`);
    console.log(`rejected: ${log.count}${log.count ? ` ${JSON.stringify(stats.rejectsByReason)}` : ""}`);
  }
  printWarnings(log);
  if (log.count > 0) {
    printRejects(log);
    return 1;
  }
  return 0;
}

async function datasets(registryFile: string | undefined): Promise<number> {
  const registry = loadDatasetRegistry(registryFile);
  let missingOpen = 0;
  for (const entry of registry.datasets) {
    let status: string;
    try {
      const resolved = resolveDataset(registry, entry.id, { registryFile });
      status = `ok       ${resolved.resolvedPath}${resolved.pathSource === "env" ? ` (env ${entry.env})` : ""}`;
    } catch (error) {
      if (!DatasetError.isInstance(error)) throw error;
      status = `missing  ${entry.env ? `set ${entry.env} or ` : ""}edit path (${entry.path})`;
      if (!entry.restricted) missingOpen += 1;
    }
    console.log(
      `${entry.id.padEnd(24)} ${entry.kind.padEnd(15)} ${entry.restricted ? "restricted" : "open      "} ${status}`,
    );
  }
  // Restricted data is expected to be absent on most machines; a missing sample is a broken checkout.
  return missingOpen > 0 ? EXIT.failed : EXIT.ok;
}

async function importMimic(
  input: string,
  output: string,
  flags: { limit: number | undefined; "invalid-utf8": "report" | "fail" },
): Promise<number> {
  const { limit } = flags;
  if (limit === 0) throw new UsageError("--limit 0: expected at least 1 note");
  const log = new RejectLog();
  async function* notes() {
    let taken = 0;
    const reading = { onReject: log.add, onWarning: log.warn, onInvalidUtf8: flags["invalid-utf8"] };
    for await (const note of readMimicIvNotes(input, reading)) {
      if (limit !== undefined && taken >= limit) return;
      taken += 1;
      yield note;
    }
  }
  // Counts only: the notes are restricted data and never go to the terminal.
  const written = await writeJsonl(output, notes());
  console.log(
    `wrote ${written} notes to ${output}; rejected ${log.count}${log.count ? ` ${JSON.stringify(log.byReason())}` : ""}`,
  );
  if (log.count > 0) printRejects(log);
  printWarnings(log);
  return 0;
}

type Utf8 = "report" | "fail";

/** `clinical-distill data <command>`. */
export const commands: CommandTable = {
  "validate-n2c2": defineCommand("data validate-n2c2", {
    summary: "check n2c2 2018 Track 1 XML files (a folder, or one with train/ and test/) and count labels",
    positionals: [
      { name: "dir", required: true, path: true, description: "folder of XML files, or holding train/ and test/" },
    ],
    options: { json: JSON_OPTION, "invalid-utf8": INVALID_UTF8 },
    notes: ["Exit 1 when some files are invalid (each is listed with its reason)."],
    run: ({ args, values }) =>
      validateN2c2(args.dir as string, { json: values.json, "invalid-utf8": values["invalid-utf8"] as Utf8 }),
  }),
  "notes-stats": defineCommand("data notes-stats", {
    summary: "count and check the notes of a JSONL file (types, patients, sizes, rejects)",
    positionals: [{ name: "notes.jsonl", required: true, path: true, description: "notes JSONL file" }],
    options: { json: JSON_OPTION, "invalid-utf8": INVALID_UTF8 },
    notes: ["Exit 1 when some lines are rejected (each is listed with file and line)."],
    run: ({ args, values }) =>
      notesStats(args["notes.jsonl"] as string, { json: values.json, "invalid-utf8": values["invalid-utf8"] as Utf8 }),
  }),
  "import-mimic": defineCommand("data import-mimic", {
    summary: "convert MIMIC-IV-Note discharge.csv(.gz) to this project's notes JSONL (counts, never text)",
    positionals: [
      { name: "discharge.csv.gz", required: true, path: true, description: "MIMIC-IV-Note discharge file" },
      { name: "out.jsonl", required: true, path: true, description: "notes JSONL to write" },
    ],
    options: { limit: { type: "integer", description: "convert at most N notes" }, "invalid-utf8": INVALID_UTF8 },
    run: ({ args, values }) =>
      importMimic(args["discharge.csv.gz"] as string, args["out.jsonl"] as string, {
        limit: values.limit,
        "invalid-utf8": values["invalid-utf8"] as Utf8,
      }),
  }),
  datasets: defineCommand("data datasets", {
    summary: "list the dataset registry and whether each path exists here",
    options: {
      registry: {
        type: "string",
        value: "FILE",
        path: true,
        description: "dataset registry YAML (default: configs/datasets.yaml in the project)",
      },
    },
    notes: ["Exit 1 when an open (non-restricted) dataset is missing: a broken checkout."],
    run: ({ values }) => datasets(values.registry),
  }),
};
