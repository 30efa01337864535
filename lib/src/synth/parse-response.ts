/**
 * Lenient JSON extraction from a teacher's raw text. Clean JSON parses directly; JSON inside a code
 * fence or surrounded by prose is recovered (and the caller counts it); text that ends inside an
 * open object or string is reported as truncated, anything else as unparseable.
 */

export type Recovery = "none" | "fence" | "prose";

export type ParsedText =
  | { ok: true; value: unknown; recovered: Recovery }
  | { ok: false; reason: "no_content" | "truncated" | "unparseable"; detail: string };

/** Scan from an opening bracket; return the index after its match, or -1 if the text ends first. */
function matchingEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
      continue;
    }
    if (ch === 34) inString = true;
    else if (ch === 123 /* { */ || ch === 91 /* [ */) depth++;
    else if (ch === 125 /* } */ || ch === 93 /* ] */) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function firstBracket(text: string): number {
  const brace = text.indexOf("{");
  const bracket = text.indexOf("[");
  if (brace < 0) return bracket;
  if (bracket < 0) return brace;
  return Math.min(brace, bracket);
}

const FENCE = /```[a-zA-Z]*[ \t]*\r?\n?([\s\S]*?)(?:```|$)/;

export function parseTeacherText(text: string | null | undefined): ParsedText {
  if (text === null || text === undefined || text.trim() === "") {
    return { ok: false, reason: "no_content", detail: "empty response text" };
  }
  const trimmed = text.trim();
  // Fast path: the whole text is JSON (what structured output gives).
  const direct = tryParse(trimmed);
  if (direct.ok) return { ok: true, value: direct.value, recovered: "none" };

  let body = trimmed;
  let recovered: Recovery = "prose";
  const fence = FENCE.exec(trimmed);
  if (fence) {
    body = fence[1].trim();
    recovered = "fence";
  }
  const start = firstBracket(body);
  if (start < 0) return { ok: false, reason: "unparseable", detail: "no JSON object or array in the text" };
  const end = matchingEnd(body, start);
  if (end < 0) {
    return { ok: false, reason: "truncated", detail: `JSON starts at character ${start} and never closes` };
  }
  const inner = tryParse(body.slice(start, end));
  if (!inner.ok) return { ok: false, reason: "unparseable", detail: `invalid JSON: ${inner.message}` };
  // A fence holding exactly the JSON counts as "fence"; anything else around it is prose.
  if (recovered === "fence" && (start > 0 || end < body.length)) recovered = "prose";
  return { ok: true, value: inner.value, recovered };
}
