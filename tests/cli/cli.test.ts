/**
 * The one CLI layer, tested through the real entry point (a child process per call, like a user's
 * shell): --help everywhere, usage errors, paths from the current folder, the experiment choice, exit codes.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EXIT, EXIT_HELP, parseCommand, UsageError } from "../../lib/src/cli/command.js";
import { groups } from "../../lib/src/cli/main.js";
import { EXPERIMENT_ENV } from "../../lib/src/config/select.js";
import { writeRequestsJsonl } from "../../lib/src/llm/index.js";
import { projectRoot } from "../../lib/src/paths.js";

const root = projectRoot();
const entry = join(root, "lib/src/cli/main.ts");
const loader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;

interface Result {
  code: number | null;
  out: string;
  err: string;
}

function cli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<Result> {
  const env = { ...process.env, ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", loader, entry, ...args], {
      cwd: options.cwd ?? root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk;
    });
    child.once("error", fail);
    child.once("close", (code) => done({ code, out, err }));
  });
}

/** Every command of the CLI's own registry, as [group, name, command]. */
async function registry() {
  const all = [];
  for (const [group, entry] of Object.entries(groups)) {
    for (const [name, command] of Object.entries(await entry.load())) all.push({ group, name, command });
  }
  return all;
}

/** Run `items` through `fn`, two at a time (the test machine is small). */
async function inPairs<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += 2) results.push(...(await Promise.all(items.slice(i, i + 2).map(fn))));
  return results;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "cd-cli-"));
}

test("--help on every command and group of the registry: usage, options with defaults, exit 0, nothing ran", async () => {
  const commands = await registry();
  assert.ok(Object.keys(groups).length >= 6 && commands.length >= 30, `registry: ${commands.length} commands`);
  const cwd = tempDir();
  try {
    const calls = [
      ...commands.map(({ group, name, command }) => ({
        args: [group, name, "--help"],
        expect: `${group} ${name}`,
        command,
      })),
      ...Object.keys(groups).map((group) => ({
        args: [group, "-h"],
        expect: `${group} <command>`,
        command: undefined,
      })),
      { args: ["--help"], expect: "<group> <command>", command: undefined },
    ];
    const results = await inPairs(calls, (call) => cli(call.args, { cwd }));
    calls.forEach((call, i) => {
      const result = results[i];
      const what = call.args.join(" ");
      assert.is(result.code, 0, `${what}: exit ${result.code}\n${result.err}`);
      assert.is(result.err, "", `${what} printed to stderr: ${result.err}`);
      assert.ok(
        result.out.startsWith(`usage: clinical-distill ${call.expect}`),
        `${what}: ${result.out.slice(0, 200)}`,
      );
      assert.ok(result.out.includes(EXIT_HELP), `${what}: no exit codes in the help`);
      // Exactly the help and nothing else: the command did not run (every command prints when it runs).
      if (call.command) {
        assert.is(result.out, `${call.command.help()}\n`, what);
        assert.match(result.out, "-h, --help");
      }
    });
    assert.equal(readdirSync(cwd), [], "a --help call wrote files");
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test("help shows defaults, choices and the experiment rule where they apply", async () => {
  const byName = Object.fromEntries((await registry()).map((c) => [`${c.group} ${c.name}`, c.command.help()]));
  assert.match(byName["llm fake-server"], /--port N\s+.*\(default: 0\)/);
  assert.match(byName["data notes-stats"], /--invalid-utf8 report\|fail\s+.*\(default: report\)/);
  assert.match(byName["eval score"], /--task synthetic\|n2c2\|apixaban\n\s+evaluation task \(required\)/);
  for (const name of ["llm run", "synth prepare", "slurm render", "eval score", "ner evaluate"]) {
    assert.match(byName[name], `default: $${EXPERIMENT_ENV} if set, else configs/experiments/sample.yaml`);
  }
  assert.not.match(byName["llm batch-write"], "--config", "a command that reads no experiment offers no --config");
});

test("unknown group, command or option: a message naming it, the nearest usage, exit 2", async () => {
  const [group, sub, option, missing, badValue, bare] = await inPairs(
    [
      ["bogus"],
      ["slurm", "bogus"],
      ["slurm", "render", "merge", "--bogus"],
      ["llm", "run", "--requests", "x.jsonl"],
      ["data", "import-mimic", "a.csv", "b.jsonl", "--limit", "many"],
      ["slurm"],
    ],
    (args) => cli(args),
  );
  for (const result of [group, sub, option, missing, badValue, bare]) {
    assert.is(result.code, EXIT.usage, result.err);
    assert.is(result.out, "", "usage errors go to stderr");
  }
  assert.match(group.err, 'unknown command "bogus"');
  assert.match(group.err, "usage: clinical-distill <group> <command>");
  assert.match(sub.err, 'unknown command "slurm bogus"');
  assert.match(sub.err, "usage: clinical-distill slurm <command>");
  assert.match(sub.err, "render");
  assert.match(option.err, "clinical-distill slurm render: unknown option --bogus");
  assert.match(option.err, "usage: clinical-distill slurm render [options] <kind>");
  assert.match(missing.err, "clinical-distill llm run: missing --out FILE");
  assert.match(badValue.err, "--limit many: expected a whole number");
  assert.match(bare.err, 'missing command after "slurm"');
});

test("relative --out, --requests and --config resolve from the current folder, not the project root", async () => {
  const cwd = tempDir();
  try {
    mkdirSync(join(cwd, "sub"));
    await writeRequestsJsonl(
      [
        {
          id: "q0",
          model: "m",
          messages: [{ role: "user", content: "hi" }],
          sampling: { temperature: 0, top_p: 1, max_tokens: 8, seed: 1 },
        },
      ],
      join(cwd, "sub", "requests.jsonl"),
    );
    const batch = await cli(["llm", "batch-write", "--requests", "sub/requests.jsonl", "--out", "batch.jsonl"], {
      cwd,
    });
    assert.is(batch.code, 0, batch.err);
    assert.is(JSON.parse(readFileSync(join(cwd, "batch.jsonl"), "utf8").split("\n")[0]).custom_id, "q0");
    assert.ok(!readdirSync(root).includes("batch.jsonl"), "written under the project root");

    const cacheDir = join(cwd, "cache");
    writeFileSync(join(cwd, "exp.yaml"), `name: cwd-test\nllm:\n  model: m\n  cacheDir: ${cacheDir}\n`);
    const explicit = await cli(["llm", "cache-info", "--config", "exp.yaml"], {
      cwd,
      env: { [EXPERIMENT_ENV]: undefined },
    });
    assert.is(explicit.code, 0, explicit.err);
    assert.match(explicit.out, `${cacheDir}/responses.jsonl: 0 answers`);
    // No --config: the environment variable chooses the experiment; else the sample.
    const fromEnv = await cli(["llm", "cache-info"], { cwd, env: { [EXPERIMENT_ENV]: join(cwd, "exp.yaml") } });
    assert.match(fromEnv.out, `${cacheDir}/responses.jsonl`);
    const sample = await cli(["llm", "cache-info"], { cwd, env: { [EXPERIMENT_ENV]: undefined } });
    assert.is(sample.code, 0, sample.err);
    assert.not.match(sample.out, cacheDir);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test("parseCommand: paths from cwd, integers, choices, comma lists, positionals; bad input is a UsageError", () => {
  const spec = {
    summary: "t",
    options: {
      out: { type: "string", path: true, description: "" },
      n: { type: "integer", default: 3, description: "" },
      kind: { type: "string", choices: ["a", "b"], description: "" },
      inputs: { type: "string", path: "comma-list", description: "" },
    },
    positionals: [{ name: "dir", required: true, path: true, description: "" }],
    run: async () => 0,
  } as const;
  const parsed = parseCommand(spec, ["d", "--out", "o.jsonl", "--inputs", "a,/abs/b", "--kind", "b"]);
  assert.is(parsed.values.out, resolve("o.jsonl"));
  assert.is(parsed.values.inputs, `${resolve("a")},/abs/b`);
  assert.is(parsed.values.n, 3);
  assert.is(parsed.values.kind, "b");
  assert.is(parsed.args.dir, resolve("d"));
  assert.is(parseCommand(spec, ["d", "--n", "7"]).values.n, 7);
  for (const [args, message] of [
    [["d", "--n=-1"], /--n -1: expected a whole number/],
    [["d", "--n", "1.5"], /--n 1.5: expected a whole number/],
    [["d", "--kind", "c"], /--kind c: expected one of a, b/],
    [[], /missing <dir>/],
    [["d", "e"], /unexpected argument "e"/],
    [["d", "--out"], /--out/],
    [["d", "--nope"], /unknown option --nope/],
  ] as const) {
    assert.throws(
      () => parseCommand(spec, [...args]),
      (error: Error) => error instanceof UsageError && message.test(error.message),
    );
  }
});

/** The modules `file` loads before running anything: its static imports, followed through the project. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, "utf8");
  for (const match of source.matchAll(/^(?:import|export) (?!type )[^;]*? from "([^"]+)";/gms)) {
    const target = match[1];
    if (target.startsWith(".")) staticImports(resolve(dirname(file), target.replace(/\.js$/, ".ts")), seen);
    else seen.add(target);
  }
  return seen;
}

test("main.ts loads no command group up front (a group loads when used, so --help starts fast)", () => {
  const loaded = [...staticImports(entry)].map((path) => path.replace(`${root}/`, ""));
  const groupsOrHeavy = loaded.filter(
    (path) =>
      /^lib\/src\/(cli\/(?!main|common)|config|synth|eval|ner|slurm|data|llm\/backends)/.test(path) ||
      !/^(lib\/|node:)/.test(path),
  );
  assert.equal(groupsOrHeavy, [], `main.ts loads at start: ${loaded.join(", ")}`);
  assert.ok(loaded.includes("lib/src/cli/common.ts"));
});

test("docs/cli.md: the exit-code table matches EXIT, and the command table matches the registry", async () => {
  const doc = readFileSync(join(root, "docs/cli.md"), "utf8");
  const codes = [...doc.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
  assert.equal(codes, Object.values(EXIT));
  for (const code of Object.values(EXIT)) assert.match(EXIT_HELP, String(code));
  const documented = Object.fromEntries(
    [...doc.matchAll(/^\| `(\w+)` \| (.+) \|$/gm)].map((m) => [
      m[1],
      [...m[2].matchAll(/`([\w-]+)`/g)].map((c) => c[1]),
    ]),
  );
  const actual: Record<string, string[]> = {};
  for (const { group, name } of await registry()) actual[group] = [...(actual[group] ?? []), name];
  assert.equal(documented, actual);
});

test.run();
