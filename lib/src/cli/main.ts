#!/usr/bin/env node
/**
 * The command line over the library, for headless cluster runs:
 *   clinical-distill <group> <command> [options]      e.g. clinical-distill synth post-process --help
 * A group's module is imported only when that group is used, so `--help` and small commands start fast.
 */
import { RunInterrupted, stopRunsOnSignals } from "../llm/interrupt.js";
import type { CommandTable } from "./command.js";
import { EXIT, EXIT_HELP, PROGRAM, wantsHelp } from "./common.js";

export interface Group {
  summary: string;
  load(): Promise<CommandTable>;
}

/** The registry of command groups (tests enumerate every command from it). */
export const groups: Record<string, Group> = {
  data: {
    summary: "check and import datasets (n2c2, MIMIC-IV-Note, notes JSONL)",
    load: async () => (await import("./data.js")).commands,
  },
  llm: {
    summary: "run requests against the configured LLM server; batch files; the cache",
    load: async () => (await import("./llm.js")).commands,
  },
  synth: {
    summary: "synthetic data steps a-c: generate, post-process, prepare",
    load: async () => (await import("./synth.js")).commands,
  },
  slurm: {
    summary: "render, submit and follow cluster jobs; the local test cluster",
    load: async () => (await import("./slurm.js")).commands,
  },
  eval: {
    summary: "evaluation: baseline, requests, scoring, n2c2 official table",
    load: async () => (await import("./eval.js")).commands,
  },
  ner: {
    summary: "NER distillation: BRAT import/export, ontology teacher, student, metrics",
    load: async () => (await import("./ner.js")).commands,
  },
};

function programHelp(): string {
  const lines = [`usage: ${PROGRAM} <group> <command> [options]`, "", "groups:"];
  for (const [name, group] of Object.entries(groups)) lines.push(`  ${name.padEnd(8)} ${group.summary}`);
  lines.push(
    "",
    `Run \`${PROGRAM} <group> --help\` for a group's commands, \`${PROGRAM} <group> <command> --help\` for one command.`,
    `--config FILE (every command that reads an experiment) defaults to $CLINICAL_DISTILL_EXPERIMENT, else the sample.`,
    EXIT_HELP,
  );
  return lines.join("\n");
}

function groupHelp(name: string, table: CommandTable): string {
  const lines = [`usage: ${PROGRAM} ${name} <command> [options]`, "", groups[name].summary, "", "commands:"];
  for (const [key, command] of Object.entries(table)) lines.push(`  ${key.padEnd(16)} ${command.summary}`);
  lines.push("", `Run \`${PROGRAM} ${name} <command> --help\` for its options.`, EXIT_HELP);
  return lines.join("\n");
}

function usageError(message: string, help: string): number {
  console.error(`${PROGRAM}: ${message}\n\n${help}`);
  return EXIT.usage;
}

export async function main(argv: string[]): Promise<number> {
  const [groupName, name, ...rest] = argv;
  if (groupName === undefined) return usageError("missing command", programHelp());
  if (groupName === "--help" || groupName === "-h") {
    console.log(programHelp());
    return EXIT.ok;
  }
  const group = Object.hasOwn(groups, groupName) ? groups[groupName] : undefined;
  if (!group) return usageError(`unknown command "${groupName}"`, programHelp());
  const table = await group.load();
  if (name === undefined) return usageError(`missing command after "${groupName}"`, groupHelp(groupName, table));
  if (name.startsWith("-") && wantsHelp([name])) {
    console.log(groupHelp(groupName, table));
    return EXIT.ok;
  }
  if (name.startsWith("-"))
    return usageError(`unknown option ${name} (a command comes first)`, groupHelp(groupName, table));
  const command = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!command) return usageError(`unknown command "${groupName} ${name}"`, groupHelp(groupName, table));
  try {
    return await command.run(rest);
  } catch (error) {
    console.error(`${PROGRAM} ${command.name}: ${(error as Error).message}`);
    return error instanceof RunInterrupted ? error.exitCode : EXIT.failed;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  // Ctrl-C / SIGTERM stop any LLM run cleanly, keeping what finished (interrupt.ts); a second one quits at once.
  stopRunsOnSignals();
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
