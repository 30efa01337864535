import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { projectRoot, resolveFromRoot } from "../lib/src/paths.js";

test("projectRoot finds the workspace root from the library's own location", () => {
  const root = projectRoot();
  assert.ok(existsSync(join(root, "lib", "package.json")));
  assert.is(resolveFromRoot("data", "sample"), join(root, "data", "sample"));
});

test.run();
