import { extname } from "node:path";
import { Worker } from "node:worker_threads";

/**
 * A worker thread running the module `name` of this folder (`shard-worker`, `post-process-worker`).
 * Under tsx (tests, benches) a worker cannot load TypeScript by itself: it registers tsx's loader
 * first; from lib/dist it imports the compiled worker directly.
 */
export function startWorker(name: string, workerData?: unknown): Worker {
  const url = new URL(`./${name}${extname(new URL(import.meta.url).pathname)}`, import.meta.url);
  if (url.pathname.endsWith(".js")) return new Worker(url, { workerData });
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`,
    { eval: true, workerData },
  );
}
