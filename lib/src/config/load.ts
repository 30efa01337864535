import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { formatPath, ToolkitError } from "../core/errors.js";

/** A config file that failed to read, parse or validate. The message names file, field path and expectation. */
export class ConfigError extends ToolkitError {
  declare readonly file: string;
  readonly issues: readonly { path: string; message: string }[];
  /** `field` is the first issue's path (absent when the whole file is at fault). */
  constructor(file: string, issues: { path: string; message: string }[]) {
    const lines = issues.map((issue) => `  - ${issue.path || "(top level)"}: ${issue.message}`);
    super(`Invalid config ${file}:\n${lines.join("\n")}`, {
      stage: "config",
      file,
      field: issues[0]?.path || undefined,
    });
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** Validate an already-parsed value; `source` names where it came from in errors. */
export function validateConfig<S extends z.ZodType>(value: unknown, schema: S, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(
    source,
    result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  );
}

/** Read a YAML file and validate it against a zod schema, with one clear error on failure. */
export function loadYamlConfig<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(file, [{ path: "", message: `cannot read the file (${(error as Error).message})` }]);
  }
  let value: unknown;
  try {
    value = parseYaml(text) ?? {};
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos
        ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`
        : "";
    throw new ConfigError(file, [
      { path: "", message: `not valid YAML${where}: ${(error as Error).message.split("\n")[0]}` },
    ]);
  }
  return validateConfig(value, schema, file);
}
