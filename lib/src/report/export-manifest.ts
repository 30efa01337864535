import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { RegistryDataset } from "./dataset-registry.js";

/** sha256 of a file, streamed (data files can be large). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The checkout's commit and whether it has uncommitted changes; nulls outside a git work tree. */
export function gitState(root: string): { commit: string | null; dirty: boolean | null } {
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" });
  if (head.status !== 0) return { commit: null, dirty: null };
  const status = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root, encoding: "utf8" });
  return { commit: head.stdout.trim(), dirty: status.status === 0 ? status.stdout.trim() !== "" : null };
}

/** Model names in a config: every string under a key that mentions "model" (teacher.model, student.baseModel, ...). */
export function modelNames(config: unknown): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, `${path}[${i}]`);
    } else if (value && typeof value === "object")
      for (const [key, item] of Object.entries(value)) walk(item, path ? `${path}.${key}` : key);
    else if (typeof value === "string" && value !== "" && /model/i.test(path.split(".").pop() ?? ""))
      found[path] = value;
  };
  walk(config, "");
  return found;
}

function listFiles(path: string): string[] {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return [];
  if (stat.isFile()) return [path];
  if (!stat.isDirectory()) return [];
  return readdirSync(path)
    .filter((name) => !name.startsWith("."))
    .sort()
    .flatMap((name) => listFiles(join(path, name)));
}

export interface DatasetHashes {
  name: string;
  restricted: boolean;
  paths: string[];
  present: boolean;
  /** Paths relative to the project root when inside it (absolute otherwise: a cluster's data folder). */
  files: { path: string; bytes: number; sha256: string }[];
}

/** sha256 of every file of every registry dataset present on this machine: which data the outputs came from. */
export async function hashDatasets(datasets: RegistryDataset[], root: string): Promise<DatasetHashes[]> {
  const result: DatasetHashes[] = [];
  for (const dataset of datasets) {
    const files = dataset.paths.flatMap(listFiles);
    const hashed: DatasetHashes["files"] = [];
    for (const file of files) {
      const inside = relative(root, file);
      hashed.push({
        path: inside.startsWith("..") ? file : inside,
        bytes: statSync(file).size,
        sha256: await sha256File(file),
      });
    }
    result.push({
      name: dataset.name,
      restricted: dataset.restricted,
      paths: dataset.declaredPaths,
      present: files.length > 0,
      files: hashed,
    });
  }
  return result;
}

/** `version` of a package.json, or null. */
export function packageVersion(file: string): string | null {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}
