import type { CommandTable } from "./command.js";

/** `clinical-distill ner <command>`: filled in by lib/ner. */
export const commands: CommandTable = {};
