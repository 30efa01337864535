// The main entry is what notebooks and the CLI use; test and demo helpers live behind
// `clinical-distill/testing`. Imported by package name, as a notebook does, so the exports map is what is
// tested (this needs the build: `npm run build`, which `npm test` runs first).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { root } from "./helpers.js";

const TESTING = ["FakeOpenAIServer", "crashExperiment", "sampleFromSchema"];

/** Every runtime name of the main entry, as `namespace.name` (or `name` for a top-level export). */
function publicNames(entry: Record<string, unknown>): string[] {
  return Object.entries(entry).flatMap(([key, value]) =>
    value && (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === "Module"
      ? Object.keys(value).map((name) => `${key}.${name}`)
      : [key],
  );
}

test("the main entry has no testing helper; the testing subpath has them all", async () => {
  const main = await import("clinical-distill");
  const names = publicNames(main);
  assert.ok(names.includes("llm.runToFile"), "the namespaces are read (llm.runToFile is public)");
  const leaked = names.filter((name) => TESTING.includes(name.split(".").pop() ?? ""));
  assert.equal(leaked, []);
  const testing = await import("clinical-distill/testing");
  assert.equal(Object.keys(testing).sort(), [...TESTING].sort());
  const server = await testing.FakeOpenAIServer.start();
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  } finally {
    await server.close();
  }
});

test("the testing subpath is declared for both resolvers (exports map and tslab's node10 typesVersions)", () => {
  const pkg = JSON.parse(readFileSync(join(root, "lib", "package.json"), "utf8"));
  assert.equal(pkg.exports["./testing"], {
    types: "./dist/testing/index.d.ts",
    default: "./dist/testing/index.js",
  });
  assert.equal(pkg.typesVersions["*"].testing, ["dist/testing/index.d.ts"]);
});

test("no namespace index re-exports an internal/ module", () => {
  const lib = join(root, "lib", "src");
  const indexes = readdirSync(lib, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith("index.ts"));
  const offending = indexes.filter((file) => /from\s+["'][^"']*internal\//.test(readFileSync(join(lib, file), "utf8")));
  assert.equal(offending, []);
});

test.run();
