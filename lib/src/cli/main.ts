#!/usr/bin/env node
/**
 * The command line over the library, for headless cluster runs:
 *   clinical-distill <group> <command> [args]      e.g. clinical-distill synth post-process --help
 */
import type { CommandTable } from "./command.js";
import { commands as data } from "./data.js";
import { commands as evaluation } from "./eval.js";
import { commands as llm } from "./llm.js";
import { commands as ner } from "./ner.js";
import { commands as slurm } from "./slurm.js";
import { commands as synth } from "./synth.js";

const groups: Record<string, CommandTable> = { data, llm, synth, slurm, eval: evaluation, ner };

function help(): string {
  const lines = ["usage: clinical-distill <group> <command> [args]", ""];
  for (const [group, table] of Object.entries(groups)) {
    for (const [name, command] of Object.entries(table)) lines.push(`  ${group} ${name}`.padEnd(34) + command.summary);
  }
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [group, name, ...rest] = argv;
  if (!group || group === "--help" || group === "-h") {
    console.log(help());
    return 0;
  }
  const command = groups[group]?.[name ?? ""];
  if (!command) {
    console.error(`clinical-distill: unknown command "${[group, name].filter(Boolean).join(" ")}"\n\n${help()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    console.error(`clinical-distill ${group} ${name}: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
