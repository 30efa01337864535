import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import pLimit from "p-limit";
import { loadExperiment, SAMPLE_EXPERIMENT } from "../config/index.js";
import { ToolkitError } from "../core/errors.js";
import { projectRoot } from "../paths.js";
import { findChromium, runChromium } from "./chromium.js";
import { readDatasetRegistry } from "./dataset-registry.js";
import { escapeHtml } from "./escape-html.js";
import {
  buildRestrictedIndex,
  type GuardOptions,
  indexShingles,
  RestrictedOutputError,
  type ScanStats,
  scanNotebook,
} from "./export-guard.js";
import { notebookToHtml, pageStyle } from "./export-html.js";
import { gitState, hashDatasets, modelNames, packageVersion, sha256File } from "./export-manifest.js";
import { scrubLocalPaths } from "./local-paths.js";
import { type NotebookDocument, notebookTitle, readNotebook } from "./notebook-file.js";
import { type Figure, PLOTLY_MIME, TABLE_MIME, type TablePayload } from "./types.js";
import { figureImages } from "./write-figure.js";
import { tableCsv } from "./write-table.js";

export interface ExportOptions {
  /** Executed notebooks (default out/notebooks, as the runner writes them). */
  notebooksDir?: string;
  /** Where the report goes (default out/report); replaced only when the export succeeds. */
  outDir?: string;
  /** Experiment recipe recorded in the manifest (default configs/experiments/sample.yaml). */
  experimentFile?: string;
  /** Dataset registry; default: the experiment's `datasets` field. */
  registryFile?: string;
  /** PDF per notebook via headless Chromium (default true; skipped with a warning when Chromium is absent). */
  pdf?: boolean;
  /** SVG and PNG per figure via headless Chromium (default true; same rule). */
  images?: boolean;
  /** Guard settings; default: the experiment's `export.guard` section. */
  guard?: GuardOptions;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

export interface ExportedNotebook {
  notebook: string;
  title: string;
  cells: number;
  skippedClusterCells: number;
  html: string;
  pdf: string | null;
  figures: string[];
  tables: string[];
  sha256: string;
}

export interface ExportResult {
  outDir: string;
  index: string;
  manifest: string;
  notebooks: ExportedNotebook[];
  warnings: string[];
}

function listExecuted(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ipynb")) found.push(relative(dir, full).split(sep).join("/"));
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * Jupyter's autosave copies (`.ipynb_checkpoints/*.ipynb`) beside the executed notebooks. They are not
 * exported, but they sit in the folder that is shared, and hold outputs an author may have cleared since:
 * the guard scans them too.
 */
function listCheckpoints(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string, inCheckpoints: boolean) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      const isCheckpoints = entry.name === ".ipynb_checkpoints";
      if (entry.isDirectory() && (isCheckpoints || !entry.name.startsWith(".")))
        walk(full, inCheckpoints || isCheckpoints);
      else if (inCheckpoints && entry.isFile() && entry.name.endsWith(".ipynb"))
        found.push(relative(dir, full).split(sep).join("/"));
    }
  };
  walk(dir, false);
  return found.sort();
}

/** Cells the runner skipped (their output is its "[skipped: ...]" notice). */
function skippedCells(nb: NotebookDocument): number {
  return nb.cells.filter((cell) =>
    (cell.outputs ?? []).some(
      (output) => output.output_type === "stream" && String([output.text].flat().join("")).startsWith("[skipped: cell"),
    ),
  ).length;
}

/**
 * Export executed notebooks as supplementary material: one self-contained HTML page and one PDF per
 * notebook, every table as CSV, every figure as JSON, SVG and PNG, an index page and a manifest. Refuses
 * (RestrictedOutputError, nothing written) when any output holds text from a dataset marked restricted.
 */
export async function exportNotebooks(options: ExportOptions = {}): Promise<ExportResult> {
  const root = projectRoot();
  const log = options.log ?? ((line: string) => console.log(line));
  const notebooksDir = resolve(root, options.notebooksDir ?? "out/notebooks");
  const outDir = resolve(root, options.outDir ?? "out/report");
  const experimentFile = resolve(root, options.experimentFile ?? SAMPLE_EXPERIMENT);
  const warnings: string[] = [];
  const warn = (line: string) => {
    warnings.push(line);
    log(`WARNING: ${line}`);
  };

  if (!existsSync(notebooksDir))
    throw new ToolkitError(`No executed notebooks: ${notebooksDir} does not exist. Run \`npm run notebooks\` first.`, {
      stage: "report",
      file: notebooksDir,
    });
  const notebookPaths = listExecuted(notebooksDir);
  if (notebookPaths.length === 0)
    throw new ToolkitError(`No executed notebooks in ${notebooksDir}. Run \`npm run notebooks\` first.`, {
      stage: "report",
      file: notebooksDir,
    });
  // Local paths are replaced before the guard and the rendering, so no exported file carries them.
  const notebooks = notebookPaths.map((path) => ({
    path,
    nb: scrubLocalPaths(readNotebook(join(notebooksDir, path)), root),
  }));

  const experiment = loadExperiment(experimentFile);
  const registryFile = resolve(root, options.registryFile ?? experiment.datasets);
  const registry = readDatasetRegistry(registryFile);
  if (!existsSync(registryFile))
    warn(`no dataset registry at ${registryFile}: the restricted-text guard had nothing to check`);

  // The guard runs before anything is written, over every notebook and every checkpoint copy beside them.
  const guardStarted = performance.now();
  const guardIndex = await buildRestrictedIndex(registry, {
    minWords: options.guard?.minWords ?? experiment.export.guard.minWords,
  });
  for (const entry of guardIndex.scanned)
    log(
      `guard: restricted dataset "${entry.dataset}": ${entry.notScanned && entry.files === 0 ? `not scanned (${entry.notScanned})` : `${entry.files} file(s), ${entry.words ?? 0} words indexed${entry.notScanned ? `; ${entry.notScanned}` : ""}`}`,
    );
  const checkpoints = listCheckpoints(notebooksDir).map((path) => ({
    path,
    nb: scrubLocalPaths(readNotebook(join(notebooksDir, path)), root),
  }));
  const scanStats: ScanStats = { windows: 0, ambiguous: 0 };
  const findings = [...notebooks, ...checkpoints].flatMap(({ path, nb }) =>
    scanNotebook(nb, path, guardIndex, scanStats),
  );
  log(
    `guard: ${indexShingles(guardIndex)} distinct ${guardIndex.minWords}-word runs indexed; ${notebooks.length} notebook(s) and ` +
      `${checkpoints.length} checkpoint(s) scanned (${scanStats.windows} windows) in ${((performance.now() - guardStarted) / 1000).toFixed(1)} s`,
  );
  if (scanStats.ambiguous > 0)
    warn(
      `guard: ${scanStats.ambiguous} position(s) had more readings of words broken over lines than the guard tries; the common readings were checked`,
    );
  if (findings.length > 0) throw new RestrictedOutputError(findings);

  const staging = `${outDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const chromium = findChromium();
  const wantPdf = options.pdf ?? true;
  const wantImages = options.images ?? true;
  if (!chromium && (wantPdf || wantImages))
    warn("Chromium not found (apt-get install chromium, or set CHROMIUM_PATH): no PDF, SVG or PNG was made");

  try {
    const exported: ExportedNotebook[] = [];
    const figureJobs: { fig: Figure; base: string }[] = [];
    const pdfJobs: { notebook: string; file: string; page: string }[] = [];
    for (const { path, nb } of notebooks) {
      const stem = path.replace(/\.ipynb$/, "");
      const title = notebookTitle(nb, stem);
      const htmlRel = `notebooks/${stem}.html`;
      const depth = htmlRel.split("/").length - 1;
      const html = notebookToHtml(nb, { title, indexHref: `${"../".repeat(depth)}index.html` });
      mkdirSync(dirname(join(staging, htmlRel)), { recursive: true });
      writeFileSync(join(staging, htmlRel), html);

      const tables: string[] = [];
      const figures: string[] = [];
      nb.cells.forEach((cell, cellIndex) => {
        let tableCount = 0;
        let figureCount = 0;
        for (const output of cell.outputs ?? []) {
          const table = output.data?.[TABLE_MIME] as TablePayload | undefined;
          if (table && Array.isArray(table.columns) && Array.isArray(table.rows)) {
            const file = `tables/${stem}/cell-${cellIndex + 1}-${++tableCount}.csv`;
            mkdirSync(dirname(join(staging, file)), { recursive: true });
            writeFileSync(join(staging, file), tableCsv(table));
            tables.push(file);
          }
          const fig = output.data?.[PLOTLY_MIME] as Figure | undefined;
          if (fig && Array.isArray(fig.data)) {
            const base = `figures/${stem}/cell-${cellIndex + 1}-${++figureCount}`;
            mkdirSync(dirname(join(staging, base)), { recursive: true });
            writeFileSync(join(staging, `${base}.json`), `${JSON.stringify(fig, null, 2)}\n`);
            figures.push(`${base}.json`);
            figureJobs.push({ fig, base });
          }
        }
      });

      let pdf: string | null = null;
      if (chromium && wantPdf) {
        pdf = `pdf/${stem}.pdf`;
        mkdirSync(dirname(join(staging, pdf)), { recursive: true });
        pdfJobs.push({ notebook: path, file: join(staging, pdf), page: join(staging, htmlRel) });
      }
      exported.push({
        notebook: path,
        title,
        cells: nb.cells.length,
        skippedClusterCells: skippedCells(nb),
        html: htmlRel,
        pdf,
        figures,
        tables,
        sha256: await sha256File(join(notebooksDir, path)),
      });
      log(`export: ${path}: ${figures.length} figure(s), ${tables.length} table(s)`);
    }

    // Each Chromium start costs seconds: print two PDFs at a time, and draw all figures in one run beside them.
    const limit = pLimit(2);
    const printed = pdfJobs.map((job) =>
      limit(async () => {
        log(`export: PDF of ${job.notebook}`);
        await runChromium([
          "--no-pdf-header-footer",
          "--virtual-time-budget=15000",
          `--print-to-pdf=${job.file}`,
          pathToFileURL(job.page).href,
        ]);
        if (!existsSync(job.file))
          throw new ToolkitError(`Chromium printed no PDF for ${job.notebook}`, { stage: "report", file: job.file });
      }),
    );
    const drawn = (async () => {
      if (!chromium || !wantImages || figureJobs.length === 0) return;
      log(`export: drawing ${figureJobs.length} figure(s) as SVG and PNG`);
      const images = await limit(() => figureImages(figureJobs.map((job) => job.fig)));
      images.forEach((image, i) => {
        const base = figureJobs[i].base;
        if (image.svg) writeFileSync(join(staging, `${base}.svg`), image.svg);
        if (image.png) writeFileSync(join(staging, `${base}.png`), image.png);
      });
      for (const entry of exported)
        entry.figures = entry.figures.flatMap((json) => [
          json,
          json.replace(/\.json$/, ".svg"),
          json.replace(/\.json$/, ".png"),
        ]);
    })();
    // Wait for every Chromium run (even after a failure) before the staging folder can be removed.
    const settled = await Promise.allSettled([...printed, drawn]);
    const failure = settled.find((result) => result.status === "rejected");
    if (failure) throw (failure as PromiseRejectedResult).reason;
    const git = gitState(root);
    const manifest = {
      createdAt: new Date().toISOString(),
      project: {
        name: "clinical-distill",
        version: packageVersion(join(root, "lib", "package.json")),
        workspaceVersion: packageVersion(join(root, "package.json")),
      },
      git,
      node: process.version,
      experiment: { file: relative(root, experimentFile), config: experiment },
      models: modelNames(experiment),
      datasetRegistry: existsSync(registryFile) ? relative(root, registryFile) : null,
      datasets: await hashDatasets(registry, root),
      guard: {
        minWords: guardIndex.minWords,
        indexedRuns: indexShingles(guardIndex),
        checkpointsScanned: checkpoints.map((entry) => entry.path),
        restrictedDatasets: guardIndex.scanned,
        result: "passed: no output holds text from a restricted dataset present on this machine",
      },
      notebooks: exported,
      warnings,
    };
    writeFileSync(join(staging, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(
      join(staging, "index.html"),
      indexPage(exported, manifest.experiment.file, experiment.description, git),
    );

    // Swap in the new report only now: a failed export above leaves the previous one untouched.
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(dirname(outDir), { recursive: true });
    renameSync(staging, outDir);
    return {
      outDir,
      index: join(outDir, "index.html"),
      manifest: join(outDir, "manifest.json"),
      notebooks: exported,
      warnings,
    };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

function indexPage(
  notebooks: ExportedNotebook[],
  experimentFile: string,
  description: string | undefined,
  git: { commit: string | null; dirty: boolean | null },
): string {
  const rows = notebooks
    .map((entry) => {
      const folder = entry.notebook.includes("/") ? entry.notebook.slice(0, entry.notebook.lastIndexOf("/")) : "";
      const links = [`<a href="${escapeHtml(entry.html)}">HTML</a>`];
      if (entry.pdf) links.push(`<a href="${escapeHtml(entry.pdf)}">PDF</a>`);
      const figureCount = entry.figures.filter((file) => file.endsWith(".json")).length;
      return `<tr><td>${escapeHtml(folder)}</td><td>${escapeHtml(entry.title)}</td><td class="num">${entry.cells}</td><td class="num">${entry.skippedClusterCells}</td><td class="num">${figureCount}</td><td class="num">${entry.tables.length}</td><td>${links.join(" · ")}</td></tr>`;
    })
    .join("\n");
  const commit = git.commit
    ? `${git.commit.slice(0, 12)}${git.dirty ? " (with uncommitted changes)" : ""}`
    : "not a git checkout";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Executed notebooks</title><style>${pageStyle}</style></head><body>
<h1>Executed notebooks</h1>
<p>Experiment <code>${escapeHtml(experimentFile)}</code>${description ? `: ${escapeHtml(description.replace(/\.\s*$/, ""))}` : ""}. Commit ${escapeHtml(commit)}.</p>
<p class="notice">Cells marked <code>// @cluster</code> need a real cluster or GPU and were skipped unless the run asked for them (column "skipped").
Tables are in <code>tables/</code> as CSV, figures in <code>figures/</code> as JSON, SVG and PNG; <a href="manifest.json">manifest.json</a> records versions, the configuration and data hashes.</p>
<table class="cd-table"><thead><tr><th>folder</th><th>notebook</th><th>cells</th><th>skipped</th><th>figures</th><th>tables</th><th>open</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
