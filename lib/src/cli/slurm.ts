import type { CommandTable } from "./command.js";

/** `clinical-distill slurm <command>`: filled in by lib/slurm. */
export const commands: CommandTable = {};
