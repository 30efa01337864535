import type { CommandTable } from "./command.js";

/** `clinical-distill synth <command>`: filled in by lib/synth. */
export const commands: CommandTable = {};
