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
import type { CommandTable } from "./command.js";

/** Split `--flag value` / `--flag` options from positional arguments. */
function parseArgs(args: string[]): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split("=", 2);
    if (inline !== undefined) flags[name] = inline;
    else if (args[index + 1] !== undefined && !args[index + 1].startsWith("--") && name === "registry")
      flags[name] = args[++index];
    else flags[name] = true;
  }
  return { positional, flags };
}

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

/** `--invalid-utf8=report|fail` (report unless told). */
function invalidUtf8Flag(flags: Record<string, string | true>): "report" | "fail" {
  const value = flags["invalid-utf8"] ?? "report";
  if (value !== "report" && value !== "fail") throw new Error(`--invalid-utf8 must be report or fail, got ${value}`);
  return value;
}

function quantiles(values: number[]): string {
  if (values.length === 0) return "-";
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return `min ${sorted[0]}, median ${median}, max ${sorted.at(-1)}`;
}

async function validateN2c2(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args);
  const dir = positional[0];
  if (!dir) {
    console.error("usage: clinical-distill data validate-n2c2 <dir> [--json]");
    return 2;
  }
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
      onInvalidUtf8: invalidUtf8Flag(flags),
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

async function notesStats(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args);
  const file = positional[0];
  if (!file) {
    console.error("usage: clinical-distill data notes-stats <notes.jsonl> [--json]");
    return 2;
  }
  const log = new RejectLog();
  const byType = new Map<string, number>();
  const patients = new Set<string>();
  const sizes: number[] = [];
  let first: string | undefined;
  let last: string | undefined;
  const reading = { onReject: log.add, onWarning: log.warn, onInvalidUtf8: invalidUtf8Flag(flags) };
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

async function datasets(args: string[]): Promise<number> {
  const { flags } = parseArgs(args);
  const registryFile = typeof flags.registry === "string" ? flags.registry : undefined;
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
  return missingOpen > 0 ? 1 : 0;
}

async function importMimic(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args);
  const [input, output] = positional;
  const limit = typeof flags.limit === "string" ? Number(flags.limit) : undefined;
  if (!input || !output || (limit !== undefined && !(Number.isInteger(limit) && limit > 0))) {
    console.error("usage: clinical-distill data import-mimic <discharge.csv.gz> <out.jsonl> [--limit=N]");
    return 2;
  }
  const log = new RejectLog();
  async function* notes() {
    let taken = 0;
    const reading = { onReject: log.add, onWarning: log.warn, onInvalidUtf8: invalidUtf8Flag(flags) };
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

/** `clinical-distill data <command>`. */
export const commands: CommandTable = {
  "validate-n2c2": {
    summary: "Check n2c2 2018 Track 1 XML files (a folder, or one with train/ and test/) and count labels",
    usage: "data validate-n2c2 <dir> [--json] [--invalid-utf8=report|fail]",
    run: validateN2c2,
  },
  "notes-stats": {
    summary: "Count and check the notes of a JSONL file (types, patients, sizes, rejects)",
    usage: "data notes-stats <notes.jsonl> [--json] [--invalid-utf8=report|fail]",
    run: notesStats,
  },
  "import-mimic": {
    summary: "Convert MIMIC-IV-Note discharge.csv(.gz) to this project's notes JSONL (counts, never text)",
    usage: "data import-mimic <discharge.csv.gz> <out.jsonl> [--limit=N] [--invalid-utf8=report|fail]",
    run: importMimic,
  },
  datasets: {
    summary: "List the dataset registry and whether each path exists here",
    usage: "data datasets [--registry configs/datasets.yaml]",
    run: datasets,
  },
};
