/**
 * Formats the code cells of the project's notebooks with Biome, the formatter lib/ uses, at a width that
 * reads well in Jupyter and in the exported PDF (NOTEBOOK_LINE_WIDTH; lib/ uses 120).
 *
 *   npm run format:notebooks            rewrite the notebooks in place
 *   npm run format:notebooks -- --check list the cells that are not formatted and exit 1 (a test runs this)
 *
 * Biome does not read .ipynb, so every code cell is written to a .ts file in one scratch folder, Biome
 * formats the folder in one call, and the results go back into the cells. Cell ids, metadata, outputs and
 * markdown are untouched; the notebook is written the way Jupyter writes it (JSON, indent 1).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "./internal/jupyter-env.js";
import { listNotebooks } from "./internal/notebooks.js";

export const NOTEBOOK_LINE_WIDTH = 100;

interface Cell {
  cell_type: string;
  id?: string;
  source: string[] | string;
}

const { values } = parseArgs({ options: { check: { type: "boolean", default: false } } });
const scratch = join(projectRoot, ".cache", "format-notebooks");
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
writeFileSync(
  join(scratch, "biome.json"),
  JSON.stringify({
    root: true,
    formatter: { enabled: true, indentStyle: "space", indentWidth: 2, lineWidth: NOTEBOOK_LINE_WIDTH },
    linter: { enabled: false },
    assist: { enabled: false },
    files: { includes: ["**/*.ts"] },
  }),
);

const notebookDir = join(projectRoot, "notebooks");
const notebooks = listNotebooks(notebookDir)
  .map((path) => join(notebookDir, path))
  .map((file) => ({
    file,
    json: JSON.parse(readFileSync(file, "utf8")) as { cells: Cell[] },
  }));
const cellFile = (n: number, c: number) => join(scratch, `${n}-${c}.ts`);
const text = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source);

for (const [n, { json }] of notebooks.entries()) {
  for (const [c, cell] of json.cells.entries()) {
    if (cell.cell_type === "code") writeFileSync(cellFile(n, c), `${text(cell)}\n`);
  }
}
execFileSync(
  join(projectRoot, "node_modules", ".bin", "biome"),
  ["format", "--write", `--config-path=${scratch}`, scratch],
  { cwd: scratch, stdio: ["ignore", "ignore", "inherit"] },
);

const unformatted: string[] = [];
notebooks.forEach(({ file, json }, n) => {
  let changed = false;
  json.cells.forEach((cell, c) => {
    if (cell.cell_type !== "code") return;
    const formatted = readFileSync(cellFile(n, c), "utf8").replace(/\n+$/, "");
    if (formatted === text(cell)) return;
    changed = true;
    unformatted.push(`${relative(projectRoot, file)}: cell ${c} (id ${cell.id ?? "none"})`);
    cell.source = formatted.split(/(?<=\n)/);
  });
  if (changed && !values.check) writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
});
rmSync(scratch, { recursive: true, force: true });

if (values.check && unformatted.length > 0) {
  console.error(`format-notebooks: ${unformatted.length} cells are not formatted (run npm run format:notebooks):`);
  for (const line of unformatted) console.error(`  ${line}`);
  process.exit(1);
}
console.log(
  values.check
    ? "format-notebooks: every code cell is formatted"
    : `format-notebooks: formatted ${unformatted.length} cells`,
);
