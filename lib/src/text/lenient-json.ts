import { ToolkitError } from "../core/errors.js";

/**
 * A forgiving JSON reader for what models actually write after strict JSON.parse has failed: single-quoted
 * strings, bare keys, trailing commas, Python literals (True/False/None), NaN. It reads one value starting at
 * `start` and returns it with the index after it, or null when the text is not a value there. Small and
 * allocation-light: it runs only on the minority of outputs that strict JSON.parse rejects.
 */
export interface LenientResult {
  value: unknown;
  end: number;
}

const MAX_DEPTH = 64;

export function parseLenientJson(text: string, start: number): LenientResult | null {
  const state = { text, i: start };
  try {
    const value = readValue(state, 0);
    return { value, end: state.i };
  } catch {
    return null;
  }
}

interface State {
  text: string;
  i: number;
}

function fail(): never {
  throw new ToolkitError("not json", { stage: "data" });
}

function skipSpace(state: State): void {
  const { text } = state;
  while (state.i < text.length) {
    const code = text.charCodeAt(state.i);
    if (code === 32 || code === 9 || code === 10 || code === 13) state.i++;
    else break;
  }
}

function readValue(state: State, depth: number): unknown {
  if (depth > MAX_DEPTH) fail();
  skipSpace(state);
  const ch = state.text[state.i];
  if (ch === "{") return readObject(state, depth);
  if (ch === "[") return readArray(state, depth);
  if (ch === '"' || ch === "'") return readString(state);
  return readBare(state);
}

function readObject(state: State, depth: number): Record<string, unknown> {
  state.i++; // {
  const result: Record<string, unknown> = {};
  for (;;) {
    skipSpace(state);
    const ch = state.text[state.i];
    if (ch === "}") {
      state.i++;
      return result;
    }
    if (ch === undefined) fail();
    const key = ch === '"' || ch === "'" ? readString(state) : readBareKey(state);
    skipSpace(state);
    if (state.text[state.i] !== ":") fail();
    state.i++;
    result[key] = readValue(state, depth + 1);
    skipSpace(state);
    const next = state.text[state.i];
    if (next === ",") state.i++;
    else if (next !== "}") fail();
  }
}

function readArray(state: State, depth: number): unknown[] {
  state.i++; // [
  const result: unknown[] = [];
  for (;;) {
    skipSpace(state);
    const ch = state.text[state.i];
    if (ch === "]") {
      state.i++;
      return result;
    }
    if (ch === undefined) fail();
    result.push(readValue(state, depth + 1));
    skipSpace(state);
    const next = state.text[state.i];
    if (next === ",") state.i++;
    else if (next !== "]") fail();
  }
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "/": "/", "\\": "\\" };

function readString(state: State): string {
  const { text } = state;
  const quote = text[state.i++];
  let out = "";
  let runStart = state.i;
  while (state.i < text.length) {
    const ch = text[state.i];
    if (ch === quote) {
      out += text.slice(runStart, state.i);
      state.i++;
      return out;
    }
    if (ch === "\\") {
      out += text.slice(runStart, state.i);
      const escaped = text[state.i + 1];
      if (escaped === undefined) fail();
      if (escaped === "u") {
        const hex = text.slice(state.i + 2, state.i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail();
        out += String.fromCharCode(Number.parseInt(hex, 16));
        state.i += 6;
      } else {
        out += ESCAPES[escaped] ?? escaped; // \' and \" and unknown escapes keep the character
        state.i += 2;
      }
      runStart = state.i;
      continue;
    }
    state.i++;
  }
  return fail(); // unterminated
}

function readBareKey(state: State): string {
  const { text } = state;
  const begin = state.i;
  while (state.i < text.length && /[A-Za-z0-9_$-]/.test(text[state.i])) state.i++;
  if (state.i === begin) fail();
  return text.slice(begin, state.i);
}

const LITERALS: Record<string, unknown> = {
  true: true,
  false: false,
  null: null,
  True: true,
  False: false,
  None: null,
  NaN: null,
  nan: null,
};

function readBare(state: State): unknown {
  const { text } = state;
  const begin = state.i;
  while (state.i < text.length && /[A-Za-z0-9_.+-]/.test(text[state.i])) state.i++;
  const token = text.slice(begin, state.i);
  if (token in LITERALS) return LITERALS[token];
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(token)) return Number(token);
  return fail();
}
