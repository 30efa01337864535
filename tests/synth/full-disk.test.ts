// Step outputs on a full disk (a 64 KiB tmpfs): the writer fails naming its file and never leaves a short
// file under the final name.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { JsonlWriter } from "../../lib/src/synth/index.js";
import { missing } from "../helpers/skip.js";

test("JsonlWriter on a full disk: error names the .partial file, nothing under the final name", () => {
  const root = mkdtempSync(join(tmpdir(), "synth-full-disk-"));
  const dir = join(root, "disk");
  mkdirSync(dir);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "pipe" });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    missing(
      `permission to mount a tmpfs (${String((error as Error).message).split("\n")[0]})`,
      "run as root, as CI does",
    );
    return;
  }
  const file = join(dir, "accepted.jsonl");
  try {
    const writer = new JsonlWriter(file, 4096);
    const thrown = (() => {
      try {
        for (let i = 0; i < 10_000; i++) writer.write({ i, text: "x".repeat(100) });
        writer.close();
      } catch (error) {
        assert.throws(() => writer.abort(), /ENOSPC/, "abort reports the write it could not make, and closes");
        return error as Error;
      }
      return undefined;
    })();
    assert.ok(thrown, "writing 1 MB to a 64 KiB disk must fail");
    assert.match(thrown.message, `${file}.partial`);
    assert.match(thrown.message, /ENOSPC/);
    assert.not.ok(existsSync(file), "no file under the final name");
  } finally {
    execFileSync("umount", [dir]);
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
