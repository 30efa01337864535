/**
 * The classic Jupyter Notebook, as a user drives it: the notebook server on loopback, a notebook opened in
 * headless Chromium, "run all" pressed, and a figure from `report.show` drawn in the output area. The
 * classic notebook has no plotly renderer, so the figure is drawn by the HTML fallback (plotly.js
 * inlined, nothing fetched). Needs Debian's jupyter-notebook, the tslab kernel and a built lib/dist.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findChromium } from "../../lib/src/report/chromium.js";
import { missing } from "../helpers/skip.js";
import { type Browser, launchBrowser } from "./cdp.js";

const root = resolve(import.meta.dirname, "..", "..");
// Inside the project, so the kernel resolves `clinical-distill` from the project's node_modules.
const scratch = join(root, "out", `browser-test-${process.pid}`);
const token = randomBytes(16).toString("hex");

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

function notebookServerAvailable(): boolean {
  try {
    execFileSync("jupyter", ["notebook", "--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function tslabInstalled(): boolean {
  try {
    return /\btslab\b/.test(execFileSync("jupyter", ["kernelspec", "list"], { encoding: "utf8" }));
  } catch {
    return false;
  }
}

const cell = (source: string) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source });
const notebook = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
  cells: [
    cell('import { report } from "clinical-distill";'),
    cell(
      'report.show({ data: [{ type: "bar", x: ["medication", "disease"], y: [0.8, 0.6] }], layout: { title: { text: "Browser test figure" } } });',
    ),
    cell(
      'report.show({ data: [{ type: "scatter", x: [1, 2, 3], y: [3, 1, 2] }], layout: { title: "Second figure" } });',
    ),
  ],
};

async function waitForServer(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the notebook server exited (${server.exitCode}):\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`the notebook server did not answer at ${url} within 60 s:\n${log()}`);
    await new Promise((done) => setTimeout(done, 300));
  }
}

test("a figure shown in the classic notebook is drawn in the browser", async () => {
  if (!findChromium()) return void missing("Chromium", "apt-get install chromium (or set CHROMIUM_PATH)");
  if (!notebookServerAvailable())
    return void missing("the Jupyter Notebook server", "apt-get install jupyter-notebook");
  if (!tslabInstalled()) return void missing("the tslab kernel", "npm run setup:jupyter");
  const built = join(root, "lib", "dist", "report", "display.js");
  assert.ok(
    existsSync(built) && readFileSync(built, "utf8").includes("text/html"),
    "lib/dist is missing or older than the figure fallback: run `npm run build` (npm test does)",
  );

  mkdirSync(join(scratch, "runtime"), { recursive: true });
  writeFileSync(join(scratch, "figures.ipynb"), JSON.stringify(notebook));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let serverLog = "";
  const server = spawn(
    "jupyter",
    [
      "notebook",
      "--no-browser",
      "--allow-root",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--notebook-dir=${scratch}`,
      `--NotebookApp.token=${token}`,
    ],
    {
      cwd: scratch,
      detached: true, // its own process group, so the kernels it starts end with it
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, JUPYTER_RUNTIME_DIR: join(scratch, "runtime"), BROWSER: "true" },
    },
  );
  const keep = (chunk: Buffer) => {
    serverLog = (serverLog + chunk.toString()).slice(-6000);
  };
  server.stdout?.on("data", keep);
  server.stderr?.on("data", keep);
  let browser: Browser | undefined;
  try {
    await waitForServer(`${base}/api/status?token=${token}`, server, () => serverLog);
    browser = await launchBrowser(["--window-size=1200,1000"]);
    const page = await browser.newPage();
    await page.goto(`${base}/notebooks/figures.ipynb?token=${token}`, 60_000);
    await page.waitFor(
      "window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()",
      "the tslab kernel to start",
      90_000,
    );
    await page.evaluate("Jupyter.notebook.execute_all_cells(), true");
    await page.waitFor(
      `document.querySelectorAll(".output_area .cd-plotly-figure svg.main-svg g.g-gtitle text").length >= 2 || document.querySelector(".output_error")`,
      "both figures to be drawn in the output area",
      180_000,
    );
    const errors = await page.evaluate<string[]>(
      `[...document.querySelectorAll(".output_error, .output_stderr")].map((el) => el.textContent)`,
    );
    assert.equal(errors, [], "the cells ran without errors");
    const titles = await page.evaluate<string[]>(
      `[...document.querySelectorAll(".output_area .cd-plotly-figure")].map((el) => el.querySelector("g.g-gtitle text")?.textContent)`,
    );
    assert.equal(titles, ["Browser test figure", "Second figure"]);
    const bars = await page.evaluate<number>(
      `document.querySelectorAll(".output_area .cd-plotly-figure g.point").length`,
    );
    assert.ok(bars >= 2, `the bars are drawn (${bars} points)`);
  } finally {
    await browser?.close();
    try {
      process.kill(-(server.pid as number), "SIGTERM");
    } catch {}
    await new Promise((done) => (server.exitCode === null ? server.once("exit", done) : done(undefined)));
    rmSync(scratch, { recursive: true, force: true });
  }
});

test.run();
