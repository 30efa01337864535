/**
 * Lenient JSON extraction from a teacher's raw text. Clean JSON parses directly; JSON inside a code
 * fence or surrounded by prose is recovered (and the caller counts it); two slips models make without
 * structured output are repaired, because each has one reading (line breaks or tabs written raw inside
 * a string, a comma before a closing bracket), and counted too; text that ends inside an open object
 * or string is reported as truncated, anything else as unparseable.
 */

export type Recovery = "none" | "fence" | "prose";

export type ParsedText =
  | { ok: true; value: unknown; recovered: Recovery; repaired: boolean }
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

const CONTROL_ESCAPES: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" };

/**
 * Escape control characters inside strings and drop commas before a closing bracket; undefined when
 * there was nothing to repair. Strings are tracked as JSON defines them, so text inside a string is
 * never touched otherwise.
 */
export function repairJson(text: string): string | undefined {
  let out = "";
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
      else if (ch < 32) {
        out += text.slice(from, i) + (CONTROL_ESCAPES[ch] ?? `\\u${ch.toString(16).padStart(4, "0")}`);
        from = i + 1;
      }
    } else if (ch === 34) inString = true;
    else if (ch === 44 /* , */) {
      let next = i + 1;
      while (next < text.length && /\s/.test(text[next])) next++;
      if (text[next] === "}" || text[next] === "]") {
        out += text.slice(from, i);
        from = i + 1;
      }
    }
  }
  return from === 0 ? undefined : out + text.slice(from);
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
  if (direct.ok) return { ok: true, value: direct.value, recovered: "none", repaired: false };

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
  const json = body.slice(start, end);
  let inner = tryParse(json);
  let repaired = false;
  if (!inner.ok) {
    const fixed = repairJson(json);
    const second = fixed === undefined ? undefined : tryParse(fixed);
    if (!second?.ok) return { ok: false, reason: "unparseable", detail: `invalid JSON: ${inner.message}` };
    inner = second;
    repaired = true;
  }
  // JSON that needed only a repair is not "wrapped"; a fence holding exactly the JSON counts as "fence";
  // anything else around it is prose.
  if (start === 0 && end === body.length && recovered === "prose") recovered = "none";
  else if (recovered === "fence" && (start > 0 || end < body.length)) recovered = "prose";
  return { ok: true, value: inner.value, recovered, repaired };
}
