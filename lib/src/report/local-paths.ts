import { homedir } from "node:os";

/**
 * Exported notebooks are published with a paper; the machine's own paths (the project folder, the
 * user's home) say nothing to a reader and name the author's account. Every occurrence in a notebook's
 * text and outputs becomes `<project>` or `~` before anything is rendered. The longer path goes first,
 * so a project inside the home folder reads `<project>/out/...`, not `~/code/...`.
 */
export function scrubLocalPaths<T>(value: T, projectRoot: string, home = homedir()): T {
  const patterns = [
    [projectRoot, "<project>"],
    [home, "~"],
  ]
    .map(([path, label]) => [path.replace(/[/\\]+$/, ""), label])
    .filter(([path]) => path.length > 1)
    .sort((a, b) => b[0].length - a[0].length)
    .map(([path, label]) => ({ pattern: wholePath(path), label }));
  const scrub = (item: unknown): unknown => {
    if (typeof item === "string") {
      let text = item;
      for (const { pattern, label } of patterns) text = text.replace(pattern, label);
      return text;
    }
    if (Array.isArray(item)) return item.map(scrub);
    if (item && typeof item === "object")
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, scrub(inner)]));
    return item;
  };
  return scrub(value) as T;
}

/**
 * `path` where it stands as a path of its own: not the start of a longer name (`/work/main` must not
 * touch `/work/main2`) and not the tail of a longer one (`/root` must not touch `http://host/root`),
 * except after `file://`.
 */
function wholePath(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<=^|[^\\w.:/-]|file://)${escaped}(?![\\w.-])`, "g");
}
