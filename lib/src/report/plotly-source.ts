import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

let cached: string | undefined;

/** plotly.js (the dist-min bundle shipped as an npm dependency), read once: pages inline it so they render offline. */
export function plotlySource(): string {
  if (cached === undefined) {
    const file = createRequire(import.meta.url).resolve("plotly.js-dist-min");
    // "</script" inside the bundle would end the inline element early; escape the slash to be safe.
    cached = readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
  }
  return cached;
}
