import { homedir } from "node:os";
import { escapeHtml } from "./escape-html.js";

/** Output representations holding markup: there the placeholder is written as an HTML character reference. */
const MARKUP_MIMES = new Set(["text/html", "image/svg+xml"]);

/**
 * Exported notebooks are published with a paper; the machine's own paths (the project folder, the
 * user's home) say nothing to a reader and name the author's account. Every occurrence in a notebook's
 * text and outputs becomes `<project>` or `~` before anything is rendered. The longer path goes first,
 * so a project inside the home folder reads `<project>/out/...`, not `~/code/...`. Inside markup
 * (`text/html`, `image/svg+xml` outputs) it is written `&lt;project&gt;`: a bare `<project>` there is
 * an unknown tag to a browser, which hides it and leaves a path that reads as absolute (`/out/...`).
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
  const scrub = (item: unknown, markup: boolean): unknown => {
    if (typeof item === "string") {
      let text = item;
      for (const { pattern, label } of patterns) text = text.replace(pattern, markup ? escapeHtml(label) : label);
      return text;
    }
    if (Array.isArray(item)) return item.map((inner) => scrub(inner, markup));
    if (item && typeof item === "object")
      return Object.fromEntries(
        Object.entries(item).map(([key, inner]) => [key, scrub(inner, markup || MARKUP_MIMES.has(key))]),
      );
    return item;
  };
  return scrub(value, false) as T;
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
