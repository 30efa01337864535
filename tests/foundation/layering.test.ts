// core/ is the ground floor (errors, random, bootstrap, lines, JSONL, CSV) and imports nothing else of the
// library. The config layer sits just above it: every other folder reads its schemas and defaults, so config
// importing any of them would make a cycle (config -> prompts -> llm -> config was one).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const lib = resolve(import.meta.dirname, "../../lib/src");
/** What each bottom layer may import inside lib/src (paths.ts: the project-root lookup). */
const LAYERS: [folder: string, allowed: RegExp[]][] = [
  ["core", [/^core\//]],
  ["config", [/^config\//, /^core\//, /^paths\.ts$/]],
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function importSpecifiers(source: string): string[] {
  const pattern =
    /\b(?:import|export)\s[^"';]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\bimport\s+["']([^"']+)["']/g;
  return [...source.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? match[3]);
}

/** The lib/src-relative .ts path a relative specifier names, or undefined for node:/npm packages. */
function libPath(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return relative(lib, resolve(dirname(file), specifier))
    .replace(/\\/g, "/")
    .replace(/\.js$/, ".ts");
}

test("importSpecifiers finds every kind of import", () => {
  const source = [
    'import { z } from "zod";',
    'import type { A } from "../llm/types.js";',
    "import {\n  b,\n  c,\n} from '../prompts/eval.js';",
    'export { d } from "./load.js";',
    'export * from "../eval/index.js";',
    'const m = await import("../synth/index.js");',
    'import "../report/side-effect.js";',
  ].join("\n");
  assert.equal(importSpecifiers(source), [
    "zod",
    "../llm/types.js",
    "../prompts/eval.js",
    "./load.js",
    "../eval/index.js",
    "../synth/index.js",
    "../report/side-effect.js",
  ]);
});

for (const [folder, allowed] of LAYERS) {
  test(`lib/src/${folder} imports only ${allowed.map(String).join(", ")} and packages`, () => {
    const files = tsFiles(join(lib, folder));
    assert.ok(files.length >= 5, `expected the ${folder} sources under ${lib}, found ${files.length}`);
    const upward: string[] = [];
    for (const file of files) {
      for (const specifier of importSpecifiers(readFileSync(file, "utf8"))) {
        const target = libPath(file, specifier);
        if (target !== undefined && !allowed.some((pattern) => pattern.test(target))) {
          upward.push(`${relative(lib, file)} imports ${specifier}`);
        }
      }
    }
    assert.equal(upward, [], `${folder} must not depend on the layers above it:\n${upward.join("\n")}`);
  });
}

test.run();
