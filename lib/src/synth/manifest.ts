import { createHash } from "node:crypto";
import { closeSync, openSync, readdirSync, readSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** sha256 of a file, read in 1 MiB pieces. */
export function sha256File(file: string): string {
  const hash = createHash("sha256");
  const fd = openSync(file, "r");
  const buffer = Buffer.allocUnsafe(1 << 20);
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

export interface ManifestEntry {
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * manifest.json: every file under `dir` (but itself) with size and sha256, sorted by path, with no
 * timestamps, so two runs with one seed give the same manifest.
 */
export function writeManifest(
  dir: string,
  extra: Record<string, unknown> = {},
): { file: string; files: ManifestEntry[] } {
  const file = join(dir, "manifest.json");
  const files = listFiles(dir)
    .filter((path) => path !== file && !path.endsWith(".partial"))
    .map((path) => relative(dir, path).split(sep).join("/"))
    .sort()
    .map((path) => ({ path, bytes: statSync(join(dir, path)).size, sha256: sha256File(join(dir, path)) }));
  writeFileSync(file, `${JSON.stringify({ ...extra, files }, null, 2)}\n`);
  return { file, files };
}
