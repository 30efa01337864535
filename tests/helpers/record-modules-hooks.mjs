// Module hooks for record-modules.mjs (they run on the loader thread; static imports only).
import { appendFileSync } from "node:fs";

let file;
export function initialize(data) {
  file = data;
}
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
