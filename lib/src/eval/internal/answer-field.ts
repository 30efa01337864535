/**
 * Fast path for the common case: a JSON object whose top level has an "answer" key. Scans the object without
 * building it (other values are skipped, not allocated) and returns the answer value when it is a string
 * without escapes, a number, true, false or null. Anything else (nested values before the answer, escapes,
 * malformed text) returns undefined and the caller falls back to a full parse, so this never changes a result
 * except for an object with two "answer" keys (the first wins here; JSON.parse keeps the last). `end` is the
 * index just after the answer value, so a caller can look for a later JSON answer from there.
 */
export function readAnswerField(text: string, start: number): { value: unknown; end: number } | undefined {
  const length = text.length;
  let i = start;
  if (text.charCodeAt(i) !== 123) return undefined; // {
  i++;
  for (;;) {
    i = skipSpace(text, i);
    if (text.charCodeAt(i) !== 34) return undefined; // key must be a "string"
    const keyEnd = text.indexOf('"', i + 1);
    if (keyEnd < 0) return undefined;
    const key = text.slice(i + 1, keyEnd);
    if (key.includes("\\")) return undefined;
    i = skipSpace(text, keyEnd + 1);
    if (text.charCodeAt(i) !== 58) return undefined; // :
    i = skipSpace(text, i + 1);
    const isAnswer = key.length === 6 && key.toLowerCase() === "answer";
    const code = text.charCodeAt(i);
    if (code === 34) {
      // string value: find the closing quote, stepping over escaped quotes
      let end = i + 1;
      let escaped = false;
      for (;;) {
        end = text.indexOf('"', end);
        if (end < 0) return undefined;
        let backslashes = 0;
        for (let j = end - 1; text.charCodeAt(j) === 92; j--) backslashes++;
        if (backslashes % 2 === 0) break;
        escaped = true;
        end++;
      }
      if (isAnswer) {
        const value = text.slice(i + 1, end);
        return escaped || value.includes("\\") ? undefined : { value, end: end + 1 };
      }
      i = end + 1;
    } else if (code === 123 || code === 91) {
      return undefined; // nested value before the answer: let the full parser handle it
    } else {
      let end = i;
      while (end < length) {
        const c = text.charCodeAt(end);
        if (c === 44 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9) break;
        end++;
      }
      // A bare value running to the end of the text may have been cut off ("1." of "1.4"): not read here.
      if (end >= length) return undefined;
      const token = text.slice(i, end);
      if (isAnswer) {
        if (token === "true") return { value: true, end };
        if (token === "false") return { value: false, end };
        if (token === "null") return { value: null, end };
        const number = Number(token);
        return token !== "" && Number.isFinite(number) ? { value: number, end } : undefined;
      }
      i = end;
    }
    i = skipSpace(text, i);
    const next = text.charCodeAt(i);
    if (next === 44) {
      i++;
      continue;
    }
    return undefined; // end of object (no answer key) or malformed
  }
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}
