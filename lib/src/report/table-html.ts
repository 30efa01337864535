import { escapeHtml } from "./escape-html.js";
import { formatCell } from "./table-data.js";
import type { TablePayload } from "./types.js";

/** An HTML table (every value escaped: cells can hold note text or model output). */
export function tableHtml(table: TablePayload): string {
  const head = table.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join("");
  const body = table.rows
    .map((row) => {
      const cells = row.map((value) => {
        const numeric = typeof value === "number" ? ' class="num"' : "";
        return `<td${numeric}>${escapeHtml(formatCell(value))}</td>`;
      });
      return `<tr>${cells.join("")}</tr>`;
    })
    .join("\n");
  const caption = table.title ? `<caption>${escapeHtml(table.title)}</caption>` : "";
  const cut =
    table.rows.length < table.totalRows
      ? `<p class="cd-table-note">showing ${table.rows.length} of ${table.totalRows} rows</p>`
      : "";
  return `<table class="cd-table">${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${cut}`;
}

/** A fixed-width text rendering, for terminals and the text/plain fallback. */
export function tableText(table: TablePayload): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(formatCell))];
  const widths = table.columns.map((_, i) =>
    Math.min(40, Math.max(...cells.map((row) => String(row[i] ?? "").length))),
  );
  const line = (row: unknown[]) =>
    row
      .map((value, i) =>
        String(value ?? "")
          .slice(0, 40)
          .padEnd(widths[i]),
      )
      .join("  ")
      .trimEnd();
  const lines = [line(table.columns), widths.map((width) => "-".repeat(width)).join("  "), ...cells.slice(1).map(line)];
  if (table.title) lines.unshift(table.title);
  if (table.rows.length < table.totalRows) lines.push(`(showing ${table.rows.length} of ${table.totalRows} rows)`);
  return lines.join("\n");
}
