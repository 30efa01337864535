/**
 * One tokenizer for the dictionary matcher and the student, so their token boundaries agree. Characters
 * are of three kinds, by Unicode property:
 *  - word: letters \p{L}, marks \p{M}, digits and other numbers \p{N}; a run of them is one token;
 *  - space: \p{Z} (NBSP, narrow NBSP, en/em spaces, line and paragraph separators), controls \p{Cc}
 *    (tab, \n, \r) and invisible format characters \p{Cf} (zero-width space, BOM, soft hyphen); no token;
 *  - punctuation: everything else (ASCII punctuation, arrows ↑↓→, curly quotes and apostrophes, primes,
 *    hyphens and dashes incl. the non-breaking hyphen U+2011, bullets, °, ±, emoji); each character is a
 *    token of its own, so "↑SOB" is "↑" + "SOB".
 * Two letters-by-property are punctuation here because notes use them as symbols: º/ª (degree and ordinal
 * signs, "38ºC") and the modifier letters ʼ ʹ (typed as apostrophe and prime).
 * Offsets are UTF-16 offsets into the string; a character outside the BMP (a surrogate pair) is one
 * character. ASCII goes through a lookup table; other code points are classified once and cached.
 */
export interface Tokens {
  count: number;
  starts: Int32Array;
  ends: Int32Array;
}

const SPACE = 0;
const WORD = 1;
const PUNCT = 2;

// ASCII by table: space for controls and " ", word for [0-9A-Za-z], punctuation for the rest.
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const isWord = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  const isSpace = c <= 32 || c === 127;
  ASCII_CLASS[c] = isSpace ? SPACE : isWord ? WORD : PUNCT;
}

const WORD_PROPERTY = /^[\p{L}\p{M}\p{N}]$/u;
const SPACE_PROPERTY = /^[\p{Z}\p{Cc}\p{Cf}]$/u;
const SYMBOL_LETTERS = new Set([0xaa, 0xba, 0x2b9, 0x2bc]);

function classifyCodePoint(codePoint: number): number {
  if (SYMBOL_LETTERS.has(codePoint)) return PUNCT;
  // A lone surrogate is no character: a punctuation token, so it never glues two words together.
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return PUNCT;
  const char = String.fromCodePoint(codePoint);
  if (WORD_PROPERTY.test(char)) return WORD;
  if (SPACE_PROPERTY.test(char)) return SPACE;
  return PUNCT;
}

// BMP code units classified on first sight: 0 not yet seen, else class + 1.
const BMP_CACHE = new Uint8Array(0x10000);
const ASTRAL_CACHE = new Map<number, number>();

function isHighSurrogate(code: number) {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Width in code units of the character at i: 2 for a surrogate pair, else 1. */
function widthAt(text: string, i: number): number {
  if (!isHighSurrogate(text.charCodeAt(i))) return 1;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
}

/** Class of the (non-ASCII) character starting at i. */
function unicodeClass(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (widthAt(text, i) === 1) {
    let cached = BMP_CACHE[code];
    if (cached === 0) {
      cached = classifyCodePoint(code) + 1;
      BMP_CACHE[code] = cached;
    }
    return cached - 1;
  }
  const codePoint = text.codePointAt(i) as number;
  let cls = ASTRAL_CACHE.get(codePoint);
  if (cls === undefined) {
    cls = classifyCodePoint(codePoint);
    ASTRAL_CACHE.set(codePoint, cls);
  }
  return cls;
}

function classAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? ASCII_CLASS[code] : unicodeClass(text, i);
}

/** Whether a code point is a word character (letter, mark or number). */
export function isWordChar(codePoint: number): boolean {
  return classAt(String.fromCodePoint(codePoint), 0) === WORD;
}

export function tokenize(text: string): Tokens {
  const length = text.length;
  let starts = new Int32Array(Math.max(16, length >> 2));
  let ends = new Int32Array(starts.length);
  let count = 0;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    const cls = code < 128 ? ASCII_CLASS[code] : unicodeClass(text, i);
    if (cls === SPACE) {
      i += code < 128 ? 1 : widthAt(text, i);
      continue;
    }
    const start = i;
    i += code < 128 ? 1 : widthAt(text, i);
    if (cls === WORD) {
      while (i < length) {
        const next = text.charCodeAt(i);
        if (next < 128) {
          if (ASCII_CLASS[next] !== WORD) break;
          i++;
        } else {
          if (unicodeClass(text, i) !== WORD) break;
          i += widthAt(text, i);
        }
      }
    }
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

// Look-alike punctuation folded to one ASCII form for matching (never for offsets): apostrophes and
// primes to ', double quotes to ", hyphens, the non-breaking hyphen, figure and en dashes and the minus
// sign to -, fraction and division slashes to /. The em dash stays itself: it separates clauses.
const PUNCTUATION_FOLD = new Map<number, string>([
  ...[0x60, 0xb4, 0x2018, 0x2019, 0x201b, 0x2032, 0x2b9, 0x2bc, 0xff07].map((code) => [code, "'"] as const),
  ...[0x201c, 0x201d, 0x201f, 0x2033, 0xff02].map((code) => [code, '"'] as const),
  ...[0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0xfe63, 0xff0d].map((code) => [code, "-"] as const),
  ...[0x2044, 0x2215].map((code) => [code, "/"] as const),
]);

/** The matching key of the single character at `at` when it folds to another form, else undefined. */
export function foldedPunctuation(text: string, at: number): string | undefined {
  return PUNCTUATION_FOLD.get(text.charCodeAt(at));
}

/** A token as it is matched: look-alike punctuation folded ("’" → "'"), letters unchanged. */
export function foldToken(token: string): string {
  return token.length === 1 ? (PUNCTUATION_FOLD.get(token.charCodeAt(0)) ?? token) : token;
}

/** Whether the text between two offsets holds a line break (\n, \r, \v, \f, NEL, U+2028, U+2029). */
export function hasLineBreak(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if ((code >= 10 && code <= 13) || (code >= 128 && (code === 0x85 || code === 0x2028 || code === 0x2029)))
      return true;
  }
  return false;
}
