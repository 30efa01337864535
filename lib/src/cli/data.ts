import type { CommandTable } from "./command.js";

/** `clinical-distill data <command>`: filled in by lib/data. */
export const commands: CommandTable = {};
