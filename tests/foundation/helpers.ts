import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "..", "..");
const tsxCli = join(root, "node_modules", "tsx", "dist", "cli.mjs");

/** Run one of the project's scripts as a user would, capturing its exit code and output. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000) {
  const run = spawnSync(process.execPath, [tsxCli, join(root, "scripts", script), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: timeoutMs,
  });
  return {
    status: run.status,
    stdout: run.stdout ?? "",
    stderr: run.stderr ?? "",
    output: `${run.stdout}\n${run.stderr}`,
  };
}

export interface CellSpec {
  type?: "code" | "markdown";
  source: string;
  outputs?: unknown[];
  execution_count?: number | null;
  id?: string | null;
}

/** A clean nbformat 4.5 tslab notebook from cell sources. */
export function notebookJson(cells: CellSpec[], kernel = "tslab"): string {
  return JSON.stringify(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: kernel, display_name: "TypeScript", language: "typescript" } },
      cells: cells.map((cell) => {
        const base: Record<string, unknown> = {
          cell_type: cell.type ?? "code",
          metadata: {},
          source: cell.source,
        };
        if (cell.id !== null) base.id = cell.id ?? randomUUID().slice(0, 8);
        if ((cell.type ?? "code") === "code") {
          base.outputs = cell.outputs ?? [];
          base.execution_count = cell.execution_count ?? null;
        }
        return base;
      }),
    },
    null,
    1,
  );
}

export function writeNotebook(file: string, cells: CellSpec[], kernel?: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, notebookJson(cells, kernel));
  return file;
}
