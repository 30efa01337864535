import type { CommandTable } from "./command.js";

/** `clinical-distill eval <command>`: filled in by lib/eval. */
export const commands: CommandTable = {};
