import { existsSync } from "node:fs";
import { loadDatasetRegistry, resolveDataset } from "../config/index.js";

/** What the export needs to know about one dataset in the registry (configs/datasets.yaml). */
export interface RegistryDataset {
  name: string;
  /** Absolute path (file or folder) on this machine, after the entry's env override. */
  paths: string[];
  restricted: boolean;
  /** The path as the registry (or its env override) states it, for messages and the manifest. */
  declaredPaths: string[];
  /** Where the path came from: the registry, or the entry's environment variable. */
  pathSource: "env" | "registry";
}

/**
 * The dataset registry as the export uses it, through the config layer's loader (a malformed registry
 * is a ConfigError naming file and field). Returns [] when the file does not exist.
 */
export function readDatasetRegistry(file: string): RegistryDataset[] {
  if (!existsSync(file)) return [];
  const registry = loadDatasetRegistry(file);
  return registry.datasets.map((entry) => {
    const resolved = resolveDataset(registry, entry.id, { mustExist: false, registryFile: file });
    return {
      name: entry.id,
      paths: [resolved.resolvedPath],
      restricted: entry.restricted,
      declaredPaths: [resolved.pathSource === "env" ? `$${entry.env}` : entry.path],
      pathSource: resolved.pathSource,
    };
  });
}
