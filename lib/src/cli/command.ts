/** One CLI command: a summary for help, and a run that returns the process exit code. */
export interface Command {
  summary: string;
  usage?: string;
  run(args: string[]): Promise<number>;
}
export type CommandTable = Record<string, Command>;
