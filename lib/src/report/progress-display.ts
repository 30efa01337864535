/**
 * A progress display updated in place in a notebook cell: one `display_data` output with a display id,
 * then `update_display_data` messages for it, so the cell (and the executed notebook saved from it)
 * holds one output showing the latest state, not a line per update.
 */
import { createRequire } from "node:module";
import { escapeHtml } from "./escape-html.js";

type WriteDisplayData = (
  content: { data: Record<string, unknown>; metadata: object; transient: { display_id?: string } },
  update: boolean,
) => void;

/**
 * The display writer of the tslab kernel running this code (the one for the cell now executing), or
 * undefined outside tslab. Looked up in the module cache, not imported: the library does not depend on
 * tslab, and the instance that matters is the one the kernel loaded.
 */
function tslabWriter(): WriteDisplayData | undefined {
  const cache = createRequire(import.meta.url).cache;
  for (const [file, module] of Object.entries(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file)) continue;
    const writer = (module?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof writer === "function") return writer as WriteDisplayData;
  }
  return undefined;
}

/** True inside a tslab kernel (a notebook cell). */
export function inTslabKernel(): boolean {
  return tslabWriter() !== undefined;
}

export interface ProgressDisplay {
  /** Replace what the display shows. `fraction` (0..1) draws a bar when known. */
  show(text: string, fraction?: number): void;
}

let nextId = 0;

/** A display in the current cell, or undefined outside a notebook. */
export function createProgressDisplay(): ProgressDisplay | undefined {
  // Bound to the cell that started the run, even if its updates arrive after another cell started.
  const writer = tslabWriter();
  if (!writer) return undefined;
  const displayId = `clinical-distill-progress-${process.pid}-${Date.now().toString(36)}-${nextId++}`;
  let shown = false;
  return {
    show(text, fraction) {
      const bar =
        fraction === undefined
          ? ""
          : `<progress value="${Math.max(0, Math.min(1, fraction)).toFixed(4)}" max="1" style="width:20em"></progress><br>`;
      writer(
        {
          data: { "text/plain": text, "text/html": `${bar}<pre style="margin:0">${escapeHtml(text)}</pre>` },
          metadata: {},
          transient: { display_id: displayId },
        },
        shown,
      );
      shown = true;
    },
  };
}
