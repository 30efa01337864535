import { parseLenientJson } from "../text/lenient-json.js";

/**
 * Lenient JSON extraction from a teacher's raw text. Clean JSON parses directly; JSON inside a code
 * fence or surrounded by prose is recovered (and the caller counts it); JSON with the slips models make
 * without structured output (raw line breaks in strings, trailing commas, single quotes, bare keys,
 * Python literals) is read by the same lenient reader the evaluation uses, and counted as repaired;
 * text that ends inside an open object or string is reported as truncated, anything else as unparseable.
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
  // Strict JSON between matching brackets first; else the lenient reader, which finds its own end (a
  // single-quoted string may hold brackets or double quotes that the bracket scan cannot see past).
  const closing = matchingEnd(body, start);
  const strict = closing < 0 ? undefined : tryParse(body.slice(start, closing));
  let value: unknown;
  let end = closing;
  let repaired = false;
  if (strict?.ok) value = strict.value;
  else {
    const lenient = parseLenientJson(body, start);
    if (!lenient) {
      if (closing < 0)
        return { ok: false, reason: "truncated", detail: `JSON starts at character ${start} and never closes` };
      return {
        ok: false,
        reason: "unparseable",
        detail: `invalid JSON: ${strict?.ok === false ? strict.message : ""}`,
      };
    }
    value = lenient.value;
    end = lenient.end;
    repaired = true;
  }
  // JSON that needed only a repair is not "wrapped"; a fence holding exactly the JSON counts as "fence";
  // anything else around it is prose.
  if (start === 0 && end === body.length && recovered === "prose") recovered = "none";
  else if (recovered === "fence" && (start > 0 || end < body.length)) recovered = "prose";
  return { ok: true, value, recovered, repaired };
}
