import { parentPort } from "node:worker_threads";
import { type ShardData, writeShard } from "../parquet-shards.js";

// One shard per message; the reply says it is on disk (or why not).
parentPort?.on("message", ({ data, path }: { data: ShardData; path: string }) => {
  try {
    writeShard(data, path);
    parentPort?.postMessage({});
  } catch (error) {
    parentPort?.postMessage({ error: (error as Error).message });
  }
});
