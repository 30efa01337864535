/**
 * Shell quoting for rendered job scripts. Every value that comes from a config (paths, model names,
 * module names, environment values) goes through here, so a config string such as `$(touch /tmp/x)` or
 * `'; rm -rf ~` reaches the program as the literal text it is and never runs.
 */

import { ToolkitError } from "../core/errors.js";

/** One POSIX shell word with the literal value: single quotes, with embedded `'` written as `'\''`. */
export function shellQuote(value: string | number): string {
  const text = String(value);
  if (text.includes("\0"))
    throw new ToolkitError(`cannot put a NUL byte into a shell word: ${JSON.stringify(text)}`, { stage: "slurm" });
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A command line from an argument vector, each argument quoted. */
export function shellCommand(argv: readonly (string | number)[]): string {
  return argv.map(shellQuote).join(" ");
}

/**
 * Variables a path in a cluster profile may refer to (`/scratch/${USER}/hf`): they are only known on the
 * compute node. Nothing else is expanded: `$(...)`, backticks and other variables stay literal text.
 */
export const EXPANDABLE_VARIABLES = [
  "USER",
  "HOME",
  "SCRATCH",
  "TMPDIR",
  "SLURM_JOB_ID",
  "SLURM_ARRAY_JOB_ID",
  "SLURM_ARRAY_TASK_ID",
  "SLURM_SUBMIT_DIR",
] as const;

/**
 * A shell word for a path that may contain `${USER}`-style references to the variables above: literal
 * pieces are single-quoted, the references become `"${USER}"` (expanded, never word-split or globbed).
 */
export function shellPath(value: string): string {
  const allowed = new Set<string>(EXPANDABLE_VARIABLES);
  const pieces: string[] = [];
  let rest = value;
  const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/;
  for (;;) {
    const match = reference.exec(rest);
    if (!match) break;
    const name = match[1] ?? match[2];
    const before = rest.slice(0, match.index);
    if (allowed.has(name)) {
      if (before) pieces.push(shellQuote(before));
      pieces.push(`"\${${name}}"`);
    } else {
      pieces.push(shellQuote(before + match[0]));
    }
    rest = rest.slice(match.index + match[0].length);
  }
  if (rest || pieces.length === 0) pieces.push(shellQuote(rest));
  return pieces.join("");
}

/** Environment variable names that may be set from config. */
export function assertEnvName(name: string, where: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ToolkitError(`${where}: "${name}" is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)`, {
      stage: "slurm",
      field: name,
    });
  }
}
