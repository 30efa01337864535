import { escapeHtml } from "./escape-html.js";

/**
 * Markdown cells to HTML for the exported pages: the subset notebook prose uses (headings, paragraphs,
 * bullet and numbered lists, fenced code, block quotes, tables, rules, **bold**, *italic*, `code`, links).
 * Raw HTML in markdown is escaped, not passed through: the export must never inject markup it did not write.
 */
export function markdownToHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const html: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = line.match(/^\s*(```|~~~)\s*([\w+-]*)/);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence[1])) body.push(lines[i++]);
      i++; // the closing fence (or the end)
      html.push(`<pre><code>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    if (line.trim() === "") {
      i++;
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (heading) {
      const level = heading[1].length;
      html.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      html.push("<hr>");
      i++;
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) quoted.push(lines[i++].replace(/^\s*>\s?/, ""));
      html.push(`<blockquote>${markdownToHtml(quoted.join("\n"))}</blockquote>`);
      continue;
    }
    if (isTableStart(lines, i)) {
      const header = splitRow(lines[i]);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i].includes("|") && lines[i].trim() !== "") rows.push(splitRow(lines[i++]));
      const head = header.map((cell) => `<th>${inline(cell)}</th>`).join("");
      const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${inline(cell)}</td>`).join("")}</tr>`).join("");
      html.push(`<table class="cd-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`);
      continue;
    }
    const listItem = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
    if (listItem.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items: string[] = [];
      while (i < lines.length && (listItem.test(lines[i]) || /^\s{2,}\S/.test(lines[i]))) {
        const match = lines[i].match(listItem);
        if (match) items.push(match[3]);
        else items[items.length - 1] += ` ${lines[i].trim()}`; // a wrapped continuation line
        i++;
      }
      const tag = ordered ? "ol" : "ul";
      html.push(`<${tag}>${items.map((item) => `<li>${inline(item)}</li>`).join("")}</${tag}>`);
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && lines[i].trim() !== "" && !startsBlock(lines, i)) paragraph.push(lines[i++]);
    if (paragraph.length === 0) paragraph.push(lines[i++]);
    html.push(`<p>${inline(paragraph.join("\n"))}</p>`);
  }
  return html.join("\n");
}

function startsBlock(lines: string[], i: number): boolean {
  const line = lines[i];
  return (
    /^(#{1,6})\s/.test(line) ||
    /^\s*(```|~~~)/.test(line) ||
    /^\s*>/.test(line) ||
    /^(\s*)([-*+]|\d+[.)])\s+/.test(line) ||
    isTableStart(lines, i)
  );
}

function isTableStart(lines: string[], i: number): boolean {
  return (
    lines[i].includes("|") &&
    i + 1 < lines.length &&
    /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(lines[i + 1])
  );
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim());
}

/** Inline markup over escaped text; code spans are cut out first so their content stays literal. */
function inline(text: string): string {
  const codeSpans: string[] = [];
  const withoutCode = text.replace(/`([^`]+)`/g, (_, code: string) => {
    codeSpans.push(`<code>${escapeHtml(code)}</code>`);
    return `\u0000${codeSpans.length - 1}\u0000`;
  });
  let out = escapeHtml(withoutCode);
  out = out.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, href: string) => {
    // Only web, mail and relative links; anything else (javascript:, data:) stays text.
    const safe =
      /^(https?:|mailto:|#|\.{0,2}\/|[\w-]+(\.[\w-]+)*\/?)/i.test(href) && !/^(javascript|data|vbscript):/i.test(href);
    return safe ? `<a href="${href}">${label}</a>` : `${label} (${href})`;
  });
  out = out.replace(/\*\*([^*]+)\*\*|__([^_]+)__/g, (_, a?: string, b?: string) => `<strong>${a ?? b}</strong>`);
  out = out.replace(/(^|[^\w*])\*([^*\n]+)\*(?!\w)|(^|[^\w_])_([^_\n]+)_(?!\w)/g, (_, p1, a, p3, b) =>
    a !== undefined ? `${p1}<em>${a}</em>` : `${p3}<em>${b}</em>`,
  );
  out = out.replace(/ {2,}\n/g, "<br>\n");
  return out.replace(/\u0000(\d+)\u0000/g, (_, index: string) => codeSpans[Number(index)]);
}
