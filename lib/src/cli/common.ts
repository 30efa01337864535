/**
 * What the dispatcher (main.ts) and every command share. No imports: main.ts loads only this at
 * start, so `clinical-distill --help` does not load the config layer or any command group.
 */

export const PROGRAM = "clinical-distill";

/** Exit codes of every command (docs/cli.md has the same table; a test checks they agree). */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (or some of its items failed: requests, files). */
  failed: 1,
  /** Bad command line: unknown command or option, missing or invalid argument. Nothing ran. */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM, 128 + the signal number, as shells report it. */
  sigint: 130,
  sigterm: 143,
} as const;

export const EXIT_HELP =
  "exit codes: 0 ok, 1 the command ran and failed, 2 usage error (nothing ran), 130/143 interrupted (SIGINT/SIGTERM)";

/** Arguments before `--` asking for help. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}
