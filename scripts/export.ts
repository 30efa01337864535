/**
 * Exports executed notebooks (out/notebooks, written by `npm run notebooks`) as supplementary material:
 *
 *   npm run export [-- --config configs/experiments/sample.yaml] [--registry FILE] [--notebooks DIR]
 *                     [--out DIR] [--no-pdf] [--no-images]
 *
 * Writes out/report/: index.html, notebooks/<path>.html (self-contained, plotly inlined: opens offline),
 * pdf/<path>.pdf (A4, tables and figures fitted to the page), tables/**.csv, figures/**.{json,svg,png},
 * manifest.json. Refuses, writing nothing,
 * when an output holds text from a dataset marked restricted in the registry (see docs/export.md).
 * Runs from the TypeScript sources, so it needs no build.
 */

import { relative } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../lib/src/config/index.js";
import { exportNotebooks, RestrictedOutputError } from "../lib/src/report/index.js";

const { values } = parseArgs({
  options: {
    config: { type: "string", default: "configs/experiments/sample.yaml" },
    registry: { type: "string" },
    notebooks: { type: "string", default: "out/notebooks" },
    out: { type: "string", default: "out/report" },
    "no-pdf": { type: "boolean", default: false },
    "no-images": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(
    "usage: npm run export -- [--config FILE] [--registry FILE] [--notebooks DIR] [--out DIR] [--no-pdf] [--no-images]",
  );
  process.exit(0);
}

try {
  const started = Date.now();
  const result = await exportNotebooks({
    experimentFile: values.config,
    registryFile: values.registry,
    notebooksDir: values.notebooks,
    outDir: values.out,
    pdf: !values["no-pdf"],
    images: !values["no-images"],
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`export: ${result.notebooks.length} notebook(s) exported in ${seconds} s`);
  console.log(`export: open ${relative(process.cwd(), result.index) || result.index}`);
  console.log(`export: manifest ${relative(process.cwd(), result.manifest) || result.manifest}`);
  if (result.warnings.length > 0) console.log(`export: ${result.warnings.length} warning(s) above`);
} catch (error) {
  if (error instanceof RestrictedOutputError || error instanceof ConfigError) console.error(error.message);
  else console.error(`export failed: ${(error as Error).message}`);
  process.exit(1);
}
