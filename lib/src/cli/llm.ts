import type { CommandTable } from "./command.js";

/** `clinical-distill llm <command>`: filled in by lib/llm. */
export const commands: CommandTable = {};
