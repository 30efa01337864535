import { createRequire } from "node:module";

/** tslab's display writer: `update` false sends display_data, true sends update_display_data for its id. */
export type WriteDisplayData = (
  content: { data: Record<string, unknown>; metadata: object; transient: { display_id?: string } },
  update: boolean,
) => void;

/**
 * The display writer of the tslab kernel running this code (the one for the cell now executing), or
 * undefined outside tslab. It is looked up in the module cache rather than imported: the library must not
 * depend on tslab, and the instance that matters is the one the kernel loaded (a notebook's own
 * `import "tslab"` can resolve to another copy whose display is "Not ready").
 */
export function tslabWriter(): WriteDisplayData | undefined {
  const cache = createRequire(import.meta.url).cache;
  for (const [file, module] of Object.entries(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file)) continue;
    const writer = (module?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof writer === "function") return writer as WriteDisplayData;
  }
  return undefined;
}

/** True when running inside a tslab kernel cell (so rich output and in-place updates are possible). */
export function inNotebook(): boolean {
  return tslabWriter() !== undefined;
}
