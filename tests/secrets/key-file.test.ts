import assert from "node:assert/strict";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import { resolveApiKey } from "../../lib/src/llm/from-config.js";
import { LlmError } from "../../lib/src/llm/index.js";
import { KeyFileError, readKeyFile } from "../../lib/src/secrets/key-file.js";
import { readApiKey } from "../../lib/src/slurm/index.js";
import { tempDir } from "../helpers/temp-dir.js";

// One key-file reader, one policy: the LLM client (llm.apiKeyFile) and a serve job's key (readApiKey).
const dir = tempDir("key-file-test-");
const KEY = "sk-test-5b1e0c7d2a9f";
let counter = 0;

function keyFile(content: string, mode: number): string {
  const file = join(dir, `key-${counter++}`);
  writeFileSync(file, content, { mode });
  chmodSync(file, mode); // the umask may have narrowed the mode
  return file;
}

function refusal(read: () => unknown): KeyFileError {
  try {
    read();
  } catch (error) {
    assert.ok(error instanceof KeyFileError, `expected a KeyFileError, got ${String(error)}`);
    return error;
  }
  assert.fail("the key file was accepted");
}

test("a 0600 (or 0400) file is read; one trailing newline, LF or CRLF, is stripped", () => {
  assert.equal(readKeyFile(keyFile(`${KEY}\n`, 0o600)), KEY);
  assert.equal(readKeyFile(keyFile(`${KEY}\r\n`, 0o600)), KEY);
  assert.equal(readKeyFile(keyFile(KEY, 0o400)), KEY);
});

test("a file group or others may read or write is refused, naming the file, its mode and the chmod", () => {
  for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666]) {
    const file = keyFile(`${KEY}\n`, mode);
    const error = refusal(() => readKeyFile(file));
    assert.equal(error.reason, "too-open");
    assert.ok(error.message.includes(file), error.message);
    assert.ok(error.message.includes(`mode 0${mode.toString(8)}`), error.message);
    assert.ok(error.message.includes(`chmod 600 ${file}`), error.message);
    assert.ok(!error.message.includes(KEY), "the key is never in the message");
  }
});

test("empty, newline-only, multi-line, spaced and oversized files are refused with the reason", () => {
  assert.equal(refusal(() => readKeyFile(keyFile("", 0o600))).reason, "empty");
  assert.equal(refusal(() => readKeyFile(keyFile("\n", 0o600))).reason, "empty");
  assert.match(refusal(() => readKeyFile(keyFile("", 0o600))).message, /is empty/);
  assert.equal(refusal(() => readKeyFile(keyFile(`${KEY}\n\n`, 0o600))).reason, "not-one-line");
  assert.equal(refusal(() => readKeyFile(keyFile(`${KEY}\nsecond line\n`, 0o600))).reason, "not-one-line");
  assert.equal(refusal(() => readKeyFile(keyFile(` ${KEY}`, 0o600))).reason, "not-one-line");
  assert.equal(refusal(() => readKeyFile(keyFile(`${KEY}\0`, 0o600))).reason, "not-one-line");
  assert.equal(refusal(() => readKeyFile(keyFile("k".repeat(70_000), 0o600))).reason, "too-large");
});

test("a missing file or a folder is refused with the path", () => {
  const missing = join(dir, "absent");
  const error = refusal(() => readKeyFile(missing));
  assert.equal(error.reason, "unreadable");
  assert.match(error.message, /absent: cannot read it \(ENOENT\)/);
  const folder = join(dir, "a-folder");
  mkdirSync(folder, { mode: 0o700 });
  assert.equal(refusal(() => readKeyFile(folder)).reason, "not-a-file");
});

test("the LLM client's llm.apiKeyFile uses the same policy: 0644 refused with the mode, 0600 accepted", () => {
  const open = keyFile(`${KEY}\n`, 0o644);
  try {
    resolveApiKey({ apiKeyEnv: "UNUSED_KEY_VAR", apiKeyFile: open }, {});
    assert.fail("a 0644 llm.apiKeyFile was accepted");
  } catch (error) {
    assert.ok(LlmError.isInstance(error), String(error));
    assert.match(error.message, /^llm\.apiKeyFile: API key file .* has mode 0644/);
    assert.ok(error.message.includes(`chmod 600 ${open}`));
  }
  assert.equal(resolveApiKey({ apiKeyEnv: "UNUSED_KEY_VAR", apiKeyFile: keyFile(`${KEY}\n`, 0o600) }, {}), KEY);
  assert.throws(
    () => resolveApiKey({ apiKeyEnv: "UNUSED_KEY_VAR", apiKeyFile: keyFile("\n", 0o600) }, {}),
    /llm\.apiKeyFile: API key file .* is empty/,
  );
});

test("a serve job's key (readApiKey) uses the same policy", () => {
  assert.equal(readApiKey(keyFile(`${KEY}\n`, 0o600)), KEY);
  assert.equal(refusal(() => readApiKey(keyFile(`${KEY}\n`, 0o644))).reason, "too-open");
  assert.equal(refusal(() => readApiKey(keyFile(`${KEY}\n`, 0o620))).reason, "too-open");
  assert.equal(refusal(() => readApiKey(keyFile("", 0o600))).reason, "empty");
});

test.run();
