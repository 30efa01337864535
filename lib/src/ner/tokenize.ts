/**
 * One tokenizer for the dictionary matcher and the student, so their token boundaries agree:
 * a token is a run of letters/digits (ASCII letters and digits, plus any non-ASCII character that is not
 * whitespace), or a single other visible character (punctuation). Offsets are character offsets.
 */
export interface Tokens {
  count: number;
  starts: Int32Array;
  ends: Int32Array;
}

// Character classes by code unit for the ASCII range: 0 space, 1 word, 2 punctuation.
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const isWord = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  const isSpace = c <= 32 || c === 127;
  ASCII_CLASS[c] = isSpace ? 0 : isWord ? 1 : 2;
}

function charClass(code: number): number {
  if (code < 128) return ASCII_CLASS[code];
  // Unicode spaces that clinical text carries (NBSP, en/em spaces, line separators, BOM).
  if (
    code === 0xa0 ||
    (code >= 0x2000 && code <= 0x200b) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x3000 ||
    code === 0xfeff
  )
    return 0;
  return 1;
}

export function isWordChar(code: number): boolean {
  return charClass(code) === 1;
}

export function tokenize(text: string): Tokens {
  const length = text.length;
  let starts = new Int32Array(Math.max(16, length >> 2));
  let ends = new Int32Array(starts.length);
  let count = 0;
  let i = 0;
  while (i < length) {
    const cls = charClass(text.charCodeAt(i));
    if (cls === 0) {
      i++;
      continue;
    }
    const start = i;
    i++;
    if (cls === 1) while (i < length && charClass(text.charCodeAt(i)) === 1) i++;
    if (count === starts.length) {
      const grownStarts = new Int32Array(count * 2);
      grownStarts.set(starts);
      starts = grownStarts;
      const grownEnds = new Int32Array(count * 2);
      grownEnds.set(ends);
      ends = grownEnds;
    }
    starts[count] = start;
    ends[count] = i;
    count++;
  }
  return { count, starts, ends };
}

/** Token strings (for small inputs and tests). */
export function tokenStrings(text: string): string[] {
  const tokens = tokenize(text);
  const out: string[] = [];
  for (let i = 0; i < tokens.count; i++) out.push(text.slice(tokens.starts[i], tokens.ends[i]));
  return out;
}
