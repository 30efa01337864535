import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { missing } from "../helpers/skip.js";
import { tempDir } from "./helpers.js";

// A teacher or evaluation server behind TLS (an institution's reverse proxy, say), trusted the way a user
// trusts a private CA: NODE_EXTRA_CA_CERTS. Node reads that variable only at start, so the client runs in
// a child process against an HTTPS server in this one.
const root = resolve(import.meta.dirname, "..", "..");
const dir = tempDir("llm-https-");
const cert = join(dir, "cert.pem");
const key = join(dir, "key.pem");
test.after(() => rmSync(dir, { recursive: true, force: true }));

function makeCertificate(): boolean {
  const made = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { encoding: "utf8" },
  );
  if (made.error || made.status !== 0) return missing("openssl", "apt-get install openssl") as false;
  return true;
}

const client = join(dir, "client.mts");
writeFileSync(
  client,
  `import { createOpenAIBackend, runRequests } from ${JSON.stringify(pathToFileURL(join(root, "lib/src/llm/index.ts")).href)};
const backend = createOpenAIBackend({ baseUrl: process.argv[2] });
const request = { id: "q1", model: "test-model", messages: [{ role: "user", content: "Is the patient on apixaban?" }], sampling: { temperature: 0, top_p: 1, max_tokens: 16 } };
for await (const result of runRequests([request], { backend, health: false, retry: { maxAttempts: 1 } }))
  console.log(JSON.stringify(result.ok ? { ok: true, text: result.text } : { ok: false, reason: result.reason, detail: result.detail }));
await backend.close?.();
`,
);

function runClient(url: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; text?: string; detail?: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", client, url], { cwd: root, env });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`client exited ${code}:\n${out}\n${err}`));
      else resolveRun(JSON.parse(line));
    });
  });
}

test("https: a server with a private CA answers once trusted, and is refused while it is not", async () => {
  if (!makeCertificate()) return;
  let requests = 0;
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "c1",
          object: "chat.completion",
          model: "test-model",
          choices: [{ index: 0, message: { role: "assistant", content: "Yes" }, finish_reason: "stop" }],
        }),
      );
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  try {
    const trusted = await runClient(url, { ...process.env, NODE_EXTRA_CA_CERTS: cert });
    assert.equal(trusted, { ok: true, text: "Yes" });
    assert.is(requests, 1);
    const { NODE_EXTRA_CA_CERTS: _unused, ...plain } = process.env;
    const untrusted = await runClient(url, plain);
    assert.is(untrusted.ok, false);
    assert.match(untrusted.detail ?? "", /self[- ]signed|certificate/i);
    assert.is(requests, 1, "no request reached the server over an untrusted connection");
  } finally {
    server.close();
  }
});

test.run();
