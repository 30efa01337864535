/**
 * The one CLI layer: every command declares its options and arguments here, and this module parses
 * them (node:util parseArgs), prints help, reports usage errors and resolves paths. Commands never
 * parse argv themselves, so `--help`, errors, paths and exit codes behave the same everywhere.
 */
import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import { EXPERIMENT_ENV, SAMPLE_EXPERIMENT, selectedExperimentPath } from "../config/select.js";
import { ToolkitError } from "../core/errors.js";
import { EXIT, EXIT_HELP, PROGRAM, wantsHelp } from "./common.js";

export { EXIT, EXIT_HELP, PROGRAM, wantsHelp };

/** A bad command line: printed with the usage of the command, exit 2. */
export class UsageError extends ToolkitError {
  override name = "UsageError";
  /** `field`: the option (`--limit`) or argument (`<file>`) at fault, where there is one. */
  constructor(message: string, field?: string) {
    super(message, { stage: "cli", field });
  }
}

export interface OptionSpec {
  /** "integer": a whole number >= 0, given as text and returned as a number. */
  type: "string" | "boolean" | "integer";
  description: string;
  /** Placeholder in help, e.g. FILE, DIR, N. */
  value?: string;
  short?: string;
  multiple?: boolean;
  required?: boolean;
  default?: string | number | boolean;
  choices?: readonly string[];
  /** A file or folder: resolved from the current folder (a comma list: each item). */
  path?: boolean | "comma-list";
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  path?: boolean;
  choices?: readonly string[];
  /** Takes every remaining argument (the last positional only). */
  rest?: boolean;
}

type OptionValue<S extends OptionSpec> = S["type"] extends "boolean"
  ? boolean
  : S["type"] extends "integer"
    ? number
    : S["multiple"] extends true
      ? string[]
      : string;
type Given<S extends OptionSpec> = S extends { required: true } | { default: unknown } | { type: "boolean" }
  ? OptionValue<S>
  : OptionValue<S> | undefined;
export type Values<O extends Record<string, OptionSpec>> = { [K in keyof O]: Given<O[K]> };

export interface Parsed<O extends Record<string, OptionSpec>> {
  values: Values<O>;
  /** Positionals by name (paths already resolved). */
  args: Record<string, string | undefined>;
  /** The arguments taken by a `rest` positional. */
  rest: string[];
  /** The experiment YAML (absolute), where the command declares `experiment: true`. */
  config: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  summary: string;
  options?: O;
  positionals?: readonly PositionalSpec[];
  /** Adds `--config FILE`, chosen by selectedExperimentPath (explicit, else env, else the sample). */
  experiment?: boolean;
  /** Extra help lines (exit codes of this command, examples). */
  notes?: readonly string[];
  run(parsed: Parsed<O>): Promise<number>;
}

/** A command as the dispatcher sees it: help text and a run over raw arguments. */
export interface Command {
  /** "data datasets": the words after the program name. */
  name: string;
  summary: string;
  help(): string;
  /** Parse, then run: --help prints help (exit 0), a usage error prints it (exit 2); other errors throw. */
  run(args: string[]): Promise<number>;
}
export type CommandTable = Record<string, Command>;

const CONFIG_OPTION: OptionSpec = {
  type: "string",
  value: "FILE",
  description: `experiment YAML (relative: from the current folder); default: $${EXPERIMENT_ENV} if set, else ${SAMPLE_EXPERIMENT}`,
};
const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", description: "show this help and exit" };

function allOptions(spec: CommandSpec<Record<string, OptionSpec>>): Record<string, OptionSpec> {
  return { ...(spec.experiment ? { config: CONFIG_OPTION } : {}), ...spec.options, help: HELP_OPTION };
}

function flag(name: string, option: OptionSpec): string {
  const placeholder = option.value ?? option.choices?.join("|") ?? (option.type === "integer" ? "N" : "VALUE");
  const value = option.type === "boolean" ? "" : ` ${placeholder}`;
  return `--${name}${value}`;
}

function usageLine(name: string, spec: CommandSpec<Record<string, OptionSpec>>): string {
  const required = Object.entries(spec.options ?? {})
    .filter(([, option]) => option.required)
    .map(([key, option]) => flag(key, option));
  const positionals = (spec.positionals ?? []).map((p) => {
    const word = p.rest ? `${p.name}...` : p.name;
    return p.required ? `<${word}>` : `[${word}]`;
  });
  return ["usage:", PROGRAM, name, ...required, "[options]", ...positionals].join(" ");
}

/** One help row: the name in a column of 22, its text after (on the next line when the name is longer). */
function column(name: string, text: string): string {
  return name.length <= 22 ? `  ${name.padEnd(22)} ${text}` : `  ${name}\n  ${"".padEnd(22)} ${text}`;
}

function helpText(name: string, spec: CommandSpec<Record<string, OptionSpec>>): string {
  const lines = [usageLine(name, spec), "", spec.summary];
  const positionals = spec.positionals ?? [];
  if (positionals.length > 0) {
    lines.push("", "arguments:");
    for (const p of positionals) {
      const extras = [p.choices ? `one of: ${p.choices.join(", ")}` : "", p.required ? "required" : ""].filter(Boolean);
      lines.push(column(p.name, `${p.description}${extras.length ? ` (${extras.join("; ")})` : ""}`));
    }
  }
  lines.push("", "options:");
  for (const [key, option] of Object.entries(allOptions(spec))) {
    const short = option.short ? `-${option.short}, ` : "";
    const extras = [
      option.choices && option.value ? `one of: ${option.choices.join(", ")}` : "",
      option.multiple ? "repeatable" : "",
      option.required ? "required" : "",
      option.default !== undefined ? `default: ${option.default}` : "",
    ].filter(Boolean);
    const text = `${option.description}${extras.length ? ` (${extras.join("; ")})` : ""}`;
    lines.push(column(short + flag(key, option), text));
  }
  lines.push("", "Relative paths resolve from the current folder.", ...(spec.notes ?? []), EXIT_HELP);
  return lines.join("\n");
}

function fromCwd(path: string): string {
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}

function convert(name: string, option: OptionSpec, raw: unknown): unknown {
  if (raw === undefined) return option.default;
  if (option.type === "boolean") return raw;
  const one = (text: string): string | number => {
    if (option.choices && !option.choices.includes(text))
      throw new UsageError(`--${name} ${text}: expected one of ${option.choices.join(", ")}`, `--${name}`);
    if (option.type === "integer") {
      if (!/^\d+$/.test(text)) throw new UsageError(`--${name} ${text}: expected a whole number >= 0`, `--${name}`);
      return Number(text);
    }
    if (option.path === "comma-list") return text.split(",").filter(Boolean).map(fromCwd).join(",");
    return option.path ? fromCwd(text) : text;
  };
  return Array.isArray(raw) ? raw.map(one) : one(raw as string);
}

export function parseCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, args: string[]): Parsed<O> {
  const options = allOptions(spec as CommandSpec<Record<string, OptionSpec>>);
  const config = Object.fromEntries(
    Object.entries(options).map(([key, option]) => [
      key,
      {
        type: option.type === "boolean" ? ("boolean" as const) : ("string" as const),
        ...(option.short ? { short: option.short } : {}),
        ...(option.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  // Name unknown options ourselves: parseArgs' own message is long and talks about its API.
  const { tokens } = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === "option" && !(token.name in options))
      throw new UsageError(`unknown option ${token.rawName}`, token.rawName);
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: config, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(options)) {
    if (key === "help") continue;
    values[key] = convert(key, option, parsed.values[key]);
    if (option.required && values[key] === undefined) throw new UsageError(`missing ${flag(key, option)}`, `--${key}`);
  }
  const named: Record<string, string | undefined> = {};
  const positionals = spec.positionals ?? [];
  const given = [...parsed.positionals];
  let rest: string[] = [];
  for (const p of positionals) {
    if (p.rest) {
      rest = given.splice(0);
      if (p.required && rest.length === 0) throw new UsageError(`missing <${p.name}...>`, `<${p.name}>`);
      continue;
    }
    const value = given.shift();
    if (value === undefined) {
      if (p.required) throw new UsageError(`missing <${p.name}>`, `<${p.name}>`);
      continue;
    }
    if (p.choices && !p.choices.includes(value))
      throw new UsageError(`unknown ${p.name} "${value}" (expected one of ${p.choices.join(", ")})`, `<${p.name}>`);
    named[p.name] = p.path ? fromCwd(value) : value;
  }
  if (given.length > 0) throw new UsageError(`unexpected argument "${given[0]}"`);
  const experiment = spec.experiment ? selectedExperimentPath(values.config as string | undefined) : "";
  if (spec.experiment) values.config = experiment;
  return { values: values as Values<O>, args: named, rest, config: experiment };
}

/** Declare a command; `name` is its words after the program name ("data datasets"). */
export function defineCommand<const O extends Record<string, OptionSpec>>(name: string, spec: CommandSpec<O>): Command {
  const help = () => helpText(name, spec as unknown as CommandSpec<Record<string, OptionSpec>>);
  return {
    name,
    summary: spec.summary,
    help,
    async run(args) {
      if (wantsHelp(args)) {
        console.log(help());
        return EXIT.ok;
      }
      try {
        return await spec.run(parseCommand(spec, args));
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        console.error(`${PROGRAM} ${name}: ${error.message}\n\n${help()}`);
        return EXIT.usage;
      }
    },
  };
}
