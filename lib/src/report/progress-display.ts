/**
 * A progress display updated in place in a notebook cell: one `display_data` output with a display id,
 * then `update_display_data` messages for it, so the cell (and the executed notebook saved from it)
 * holds one output showing the latest state, not a line per update.
 */
import { escapeHtml } from "./escape-html.js";
import { tslabWriter } from "./tslab-writer.js";

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
