import { readFileSync } from "node:fs";
import { parseCsv } from "../../../core/csv.js";
import { TableError } from "../errors.js";

/**
 * Read a small CSV whose header must hold `required` columns (in any order) and may hold `optional` ones;
 * anything else is an error, since a misspelt column would otherwise be silently ignored. Values are
 * trimmed. Errors are TableErrors naming the file and line (evaluation inputs).
 */
export function readStrictCsvTable(
  file: string,
  required: readonly string[],
  optional: readonly string[] = [],
): StrictCsvRow[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new TableError(file, undefined, `cannot read the file (${(error as Error).message})`);
  }
  const records = parseCsv(text, (line, message) => new TableError(file, line, `not valid CSV: ${message}`));
  if (records.length === 0) throw new TableError(file, 1, "empty file: expected a header row");
  const header = records[0].record.map((name) => name.trim());
  const missing = required.filter((name) => !header.includes(name));
  const unknown = header.filter((name) => !required.includes(name) && !optional.includes(name));
  const duplicated = header.filter((name, i) => header.indexOf(name) !== i);
  if (missing.length > 0 || unknown.length > 0 || duplicated.length > 0) {
    const problems = [
      missing.length > 0 ? `missing column(s) ${missing.join(", ")}` : "",
      unknown.length > 0 ? `unknown column(s) ${unknown.join(", ")}` : "",
      duplicated.length > 0 ? `repeated column(s) ${duplicated.join(", ")}` : "",
    ].filter(Boolean);
    throw new TableError(
      file,
      1,
      `wrong header (${problems.join("; ")}); expected ${[...required, ...optional.map((name) => `[${name}]`)].join(",")}`,
    );
  }
  return records.slice(1).map(({ record, line }) => {
    if (record.length !== header.length) {
      throw new TableError(file, line, `expected ${header.length} fields, found ${record.length}`);
    }
    const values: Record<string, string> = {};
    header.forEach((name, i) => {
      values[name] = record[i].trim();
    });
    return { line, values };
  });
}

export interface StrictCsvRow {
  /** 1-based line number of the row in the file (the header is line 1). */
  line: number;
  values: Record<string, string>;
}
