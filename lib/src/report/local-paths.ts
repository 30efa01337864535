import { homedir } from "node:os";

/**
 * Exported notebooks are published with a paper; the machine's own paths (the project folder, the
 * user's home) say nothing to a reader and name the author's account. Every occurrence in a notebook's
 * text and outputs becomes `<project>` or `~` before anything is rendered. The longer path goes first,
 * so a project inside the home folder reads `<project>/out/...`, not `~/code/...`.
 */
export function scrubLocalPaths<T>(value: T, projectRoot: string, home = homedir()): T {
  const swaps = [
    [projectRoot, "<project>"],
    [home, "~"],
  ]
    .filter(([path]) => path.length > 1)
    .sort((a, b) => b[0].length - a[0].length)
    // Paths as they appear inside JSON strings (backslashes doubled on Windows).
    .map(([path, label]) => [JSON.stringify(path.replace(/[/\\]+$/, "")).slice(1, -1), label]);
  let json = JSON.stringify(value);
  for (const [path, label] of swaps) json = replaceWholePath(json, path, label);
  return JSON.parse(json) as T;
}

/** Replace `path` where it is not the start of a longer name (`/work/main` must not touch `/work/main2`). */
function replaceWholePath(text: string, path: string, label: string): string {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text.replace(new RegExp(`${escaped}(?![\\w.-])`, "g"), label);
}
