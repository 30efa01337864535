/**
 * Text in "match form", for checking that a quote really comes from a note. Both sides go through the
 * same function, so a teacher's small changes (case, spacing, punctuation, a dropped bullet, a Unicode
 * symbol typed in ASCII) disappear, while letters, digits and meaningful symbols must still agree:
 *
 *  - Unicode compatibility folding (NFKD, then accents dropped), lower case: "Ｃｒ" = "Cr", "é" = "e",
 *    subscripts "SpO₂" = "SpO2"; µ/μ = "u"; a few Greek letters spelled out (β = "beta").
 *  - Words are runs of letters or runs of digits: "20mg" = "20 mg", "HbA1c" = "hba 1 c". A number keeps
 *    its inner "." "," ":" ("1.3" is not "13", nor "1 3").
 *  - Punctuation is a separator, however much of it: "HEADER: , text" = "HEADER: text", bullets, dashes,
 *    quotes, "*", "#", "(", final periods, line breaks. An apostrophe inside a word is dropped
 *    ("patient’s" = "patients").
 *  - Symbols with meaning are kept, one token per character: < > + % / ~ ↑ ↓ $ and other Unicode symbols;
 *    "≥" = ">=", "≤" = "<=", "→" = "->" (also "-->"), "≈" = "~", "±" = "+/-", "×" = "x". An "=" counts only
 *    inside such a comparator, a "-" only inside an arrow (elsewhere they are punctuation).
 *  - A numbered-list marker at the start of a line ("2. Diabetes") is dropped, as bullets are (or, with
 *    `listMarkers: "keep"`, kept: a quote may join "PLAN 1. Diabetes" on one line).
 *  - Superscript digits become their own number ("10⁹" = "10^9" = "10 9", never "109"); degree signs and
 *    the words "deg"/"degree(s)" after a number are dropped ("97.9°F" = "97.9 degrees F" = "97.9 F").
 *
 * `matchForm` also returns, for each character of the match form, the span of original text it came from,
 * so a match can be reported as offsets in the original. `isWordCut` tells whether an offset of a text falls
 * inside a word (between two letters or digits, or at a hyphen or apostrophe joining two, or inside a
 * number), the places a quote may not start or end: "tender" is not a quote of "nontender" or "non-tender".
 */

export interface MatchText {
  /** Tokens joined by one space. */
  text: string;
  /** For each character of `text`, the original span [from, to) it came from. */
  from: Int32Array;
  to: Int32Array;
}

// Classes of a folded character.
const NONE = 0;
const LETTER = 1;
const DIGIT = 2;
const SYMBOL = 3; // a token of its own
const SEPARATOR = 4;
const NUMBER_PUNCT = 5; // . , : (kept between digits)
const HYPHEN = 6; // - (part of an arrow, else a separator)
const APOSTROPHE = 7; // ' (dropped between word characters, else a separator)
const EQUALS = 8; // = (part of a comparator, else a separator)
const ANGLE = 9; // < >

const ASCII_CLASS = new Uint8Array(128).fill(SEPARATOR);
for (let c = 48; c <= 57; c++) ASCII_CLASS[c] = DIGIT;
for (let c = 97; c <= 122; c++) ASCII_CLASS[c] = LETTER;
for (let c = 65; c <= 90; c++) ASCII_CLASS[c] = LETTER;
for (const ch of "+%/~$") ASCII_CLASS[ch.charCodeAt(0)] = SYMBOL;
for (const ch of ".,:") ASCII_CLASS[ch.charCodeAt(0)] = NUMBER_PUNCT;
ASCII_CLASS[45] = HYPHEN;
ASCII_CLASS[39] = APOSTROPHE;
ASCII_CLASS[96] = APOSTROPHE; // `
ASCII_CLASS[61] = EQUALS;
ASCII_CLASS[60] = ANGLE;
ASCII_CLASS[62] = ANGLE;

/** Replacements applied before (and after) compatibility folding. " " drops a character as punctuation. */
const FOLD_TABLE = new Map<number, string>();
function fold(chars: string, to: string): void {
  for (const ch of chars) FOLD_TABLE.set(ch.codePointAt(0) as number, to);
}
fold("\u00b0\u00ba\u02da", " "); // degree signs (º is often typed for °)
const SUPERSCRIPTS = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
for (let d = 0; d < 10; d++) fold(SUPERSCRIPTS[d], `^${d}`);
fold("\u207a", "^+");
fold("\u207b", "^-");
fold("\u2265\u2267\u2a7e", ">=");
fold("\u2264\u2266\u2a7d", "<=");
fold("\u2192\u21d2\u27f6\u27f9\u2794\u279d\u27a1\u21a6", "->");
fold("\u2190\u21d0\u27f5", "<-");
fold("\u2248\u223c\u2243", "~");
fold("\u00b1", "+/-");
fold("\u00d7", "x");
fold("\u00f7\u2044\u2215", "/");
fold("\u00b5\u03bc\u039c", "u");
fold("\u03b1", "alpha");
fold("\u03b2", "beta");
fold("\u03b3", "gamma");
fold("\u03b4\u0394", "delta");
fold("\u03ba", "kappa");
fold("\u03bb", "lambda");
fold("\u2018\u2019\u201b\u2032\u00b4\u02bc\u02b9", "'");
fold("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"');
fold("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-");
fold("\u00ad\u200c\u200d\u2060\ufeff", ""); // soft hyphen, joiners, BOM: invisible
fold("\u200b\u2022\u2023\u2043\u2219\u25aa\u25ab\u25cf\u25cb\u25a0\u25a1\u25e6\u25ba\u25b8\u27a2\u27a4\u2756", " ");

const MARKS = /\p{M}/gu;
const foldCache = new Map<number, string>();

/** The folded form of one non-ASCII code point (cached: a note uses few distinct ones). */
function foldCodePoint(cp: number): string {
  const cached = foldCache.get(cp);
  if (cached !== undefined) return cached;
  let folded = FOLD_TABLE.get(cp);
  if (folded === undefined) {
    const decomposed = String.fromCodePoint(cp).normalize("NFKD").replace(MARKS, "").toLowerCase().replace(MARKS, "");
    folded = "";
    for (const ch of decomposed) folded += FOLD_TABLE.get(ch.codePointAt(0) as number) ?? ch;
    // Box drawing and geometric shapes are layout (bullets, table rules), not meaning.
    if (cp >= 0x2500 && cp <= 0x25ff) folded = " ";
  }
  if (foldCache.size > 50_000) foldCache.clear();
  foldCache.set(cp, folded);
  return folded;
}

const IS_LETTER = /\p{L}/u;
const IS_NUMBER = /\p{N}/u;
const IS_SYMBOL = /\p{S}/u;
const unicodeClass = new Uint8Array(65536); // 0: not computed yet

/** The class of one folded UTF-16 code unit. */
function classOf(code: number): number {
  if (code < 128) return ASCII_CLASS[code];
  const known = unicodeClass[code];
  if (known !== NONE) return known;
  const ch = String.fromCharCode(code);
  // Surrogates (emoji, rare scripts) stay together as word characters.
  const cls =
    (code >= 0xd800 && code <= 0xdfff) || IS_LETTER.test(ch)
      ? LETTER
      : IS_NUMBER.test(ch)
        ? DIGIT
        : IS_SYMBOL.test(ch)
          ? SYMBOL
          : SEPARATOR;
  unicodeClass[code] = cls;
  return cls;
}

/** Whether out[start, start+length) spells deg, degs, degree or degrees. */
function isDegreeWord(out: Uint16Array, start: number, length: number): boolean {
  if (length !== 3 && length !== 4 && length !== 6 && length !== 7) return false;
  if (out[start] !== 100 || out[start + 1] !== 101 || out[start + 2] !== 103) return false; // "deg"
  if (length === 3) return true;
  if (length === 4) return out[start + 3] === 115; // "degs"
  if (out[start + 3] !== 114 || out[start + 4] !== 101 || out[start + 5] !== 101) return false; // "degree"
  return length === 6 || out[start + 6] === 115;
}

/** Length of a numbered-list marker ("2. ", "10) ") at codes[k] when a letter follows it, else 0. */
function listMarkerLength(codes: Uint16Array, n: number, k: number): number {
  let i = k;
  while (i < n && i - k < 2 && codes[i] >= 48 && codes[i] <= 57) i++;
  if (i === k || i >= n || (codes[i] !== 46 && codes[i] !== 41)) return 0;
  i++;
  if (i >= n || (codes[i] !== 32 && codes[i] !== 9)) return 0;
  while (i < n && (codes[i] === 32 || codes[i] === 9)) i++;
  return i < n && classOf(codes[i]) === LETTER ? i - k : 0;
}

export interface MatchFormOptions {
  /** Numbered-list markers at line starts: dropped (default) or kept as numbers. */
  listMarkers?: "drop" | "keep";
}

// Scratch buffers reused across calls (single-threaded), grown as needed: most calls are short quotes,
// and allocating per call dominated the cost.
let capacity = 0;
let codes = new Uint16Array(0);
let starts = new Int32Array(0);
let ends = new Int32Array(0);
let out = new Uint16Array(0);
let outFrom = new Int32Array(0);
let outTo = new Int32Array(0);

function ensureCapacity(size: number): void {
  if (size <= capacity) return;
  const grown = Math.max(size, capacity * 2, 1024);
  const copy = <T extends Uint16Array | Int32Array>(old: T, make: (n: number) => T): T => {
    const next = make(grown);
    next.set(old);
    return next;
  };
  codes = copy(codes, (n) => new Uint16Array(n));
  starts = copy(starts, (n) => new Int32Array(n));
  ends = copy(ends, (n) => new Int32Array(n));
  // The output is at most twice the folded text (a space before each token).
  out = new Uint16Array(2 * grown + 2);
  outFrom = new Int32Array(2 * grown + 2);
  outTo = new Int32Array(2 * grown + 2);
  capacity = grown;
}

function decode(buffer: Uint16Array, length: number): string {
  let result = "";
  for (let i = 0; i < length; i += 8192)
    result += String.fromCharCode.apply(null, buffer.subarray(i, Math.min(length, i + 8192)) as unknown as number[]);
  return result;
}

/** Fold `text` into `codes`/`starts`/`ends`; returns the folded length. */
function foldText(text: string): number {
  ensureCapacity(text.length + 16);
  // Locals: module-level bindings that may be reassigned are slower in a hot loop.
  let c_ = codes;
  let s_ = starts;
  let e_ = ends;
  let n = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      c_[n] = c >= 65 && c <= 90 ? c + 32 : c;
      s_[n] = i;
      e_[n] = i + 1;
      n++;
      i++;
      continue;
    }
    const cp = text.codePointAt(i) as number;
    const width = cp > 0xffff ? 2 : 1;
    const folded = foldCodePoint(cp);
    if (n + folded.length > capacity) {
      ensureCapacity(n + folded.length + text.length - i + 16);
      c_ = codes;
      s_ = starts;
      e_ = ends;
    }
    for (let k = 0; k < folded.length; k++) {
      c_[n] = folded.charCodeAt(k);
      s_[n] = i;
      e_[n] = i + width;
      n++;
    }
    i += width;
  }
  return n;
}

/** Tokens of the folded text into `out`/`outFrom`/`outTo`; returns the output length. */
function tokenize(n: number, dropMarkers: boolean): number {
  const codes_ = codes;
  const starts_ = starts;
  const ends_ = ends;
  const out_ = out;
  const from_ = outFrom;
  const to_ = outTo;
  let length = 0;
  let last = NONE; // class of the last character written
  let gap = false; // punctuation since then
  let tokenStart = 0;
  let tokenKind = NONE;
  let previousKind = NONE;
  let lineStart = true; // only spaces since the last line break
  for (let k = 0; k <= n; k++) {
    const code = k < n ? codes_[k] : 32;
    let cls: number;
    if (k === n)
      cls = NONE; // end: finish the last token
    else {
      if (code === 10 || code === 13) lineStart = true;
      else if (lineStart && code !== 32 && code !== 9) {
        lineStart = false;
        const skip = dropMarkers ? listMarkerLength(codes_, n, k) : 0;
        if (skip > 0) {
          k += skip - 1;
          gap = true;
          continue;
        }
      }
      cls = classOf(code);
      const prev = k > 0 ? codes_[k - 1] : 0;
      const next = k + 1 < n ? codes_[k + 1] : 0;
      if (cls === NUMBER_PUNCT) {
        if (!gap && last === DIGIT && next !== 0 && classOf(next) === DIGIT) {
          out_[length] = code;
          from_[length] = starts_[k];
          to_[length++] = ends_[k];
          continue;
        }
        cls = SEPARATOR;
      } else if (cls === APOSTROPHE) {
        const nextCls = next === 0 ? NONE : classOf(next);
        if (!gap && (last === LETTER || last === DIGIT) && (nextCls === LETTER || nextCls === DIGIT)) continue;
        cls = SEPARATOR;
      } else if (cls === HYPHEN) {
        cls = next === 62 || prev === 60 ? SYMBOL : SEPARATOR; // "->", "<-"
      } else if (cls === EQUALS) {
        cls = prev === 60 || prev === 62 || next === 60 || next === 62 ? SYMBOL : SEPARATOR; // ">=", "<="
      } else if (cls === ANGLE) {
        cls = SYMBOL;
      }
      if (cls === SEPARATOR) {
        gap = true;
        continue;
      }
      if (cls !== SYMBOL && !gap && last === cls) {
        out_[length] = code;
        from_[length] = starts_[k];
        to_[length++] = ends_[k];
        continue;
      }
    }
    // A new token starts (or the text ends): first finish the current one. A degree word after a
    // number is dropped, as the degree sign is.
    if (tokenKind === LETTER && previousKind === DIGIT && isDegreeWord(out_, tokenStart, length - tokenStart)) {
      length = tokenStart - 1;
      tokenKind = DIGIT;
      previousKind = NONE;
    }
    if (k === n) break;
    if (length > 0) {
      out_[length] = 32;
      from_[length] = starts_[k];
      to_[length++] = starts_[k];
    }
    tokenStart = length;
    previousKind = tokenKind;
    tokenKind = cls;
    out_[length] = code;
    from_[length] = starts_[k];
    to_[length++] = ends_[k];
    last = cls;
    gap = false;
  }
  return length;
}

/** Text in match form, with each character's original span (see the module comment for the rules). */
export function matchForm(text: string, options: MatchFormOptions = {}): MatchText {
  const length = tokenize(foldText(text), options.listMarkers !== "keep");
  return { text: decode(out, length), from: outFrom.slice(0, length), to: outTo.slice(0, length) };
}

/** The match form alone (see matchForm). */
export function normalizeForMatch(text: string, options: MatchFormOptions = {}): string {
  // Tokenize first: folding may grow (replace) the scratch buffers, so `out` is read only afterwards.
  const length = tokenize(foldText(text), options.listMarkers !== "keep");
  return decode(out, length);
}

/** Whether the text has a numbered-list marker at a line start (then both forms are worth trying). */
export function hasListMarkers(text: string): boolean {
  return /(?:^|\n)[ \t]*\d{1,2}[.)][ \t]+\p{L}/u.test(text);
}

// Classes of an original code unit, for word cuts.
const CUT_WORD = 1;
const CUT_GLUE = 2; // hyphen or apostrophe
const CUT_NUMBER_PUNCT = 3;
const CUT_OTHER = 4;
const cutClassCache = new Uint8Array(65536);

function cutClass(code: number): number {
  if (code < 128) {
    const cls = ASCII_CLASS[code];
    if (cls === LETTER || cls === DIGIT) return CUT_WORD;
    if (cls === HYPHEN || cls === APOSTROPHE) return CUT_GLUE;
    return cls === NUMBER_PUNCT ? CUT_NUMBER_PUNCT : CUT_OTHER;
  }
  const known = cutClassCache[code];
  if (known !== 0) return known;
  const ch = String.fromCharCode(code);
  const folded = foldCodePoint(code);
  let cls = CUT_OTHER;
  if (folded === "'" || code === 0x2010 || code === 0x2011) cls = CUT_GLUE;
  else if (code >= 0xd800 && code <= 0xdfff) cls = CUT_WORD;
  else if (code === 0x00ad || IS_LETTER.test(ch) || IS_NUMBER.test(ch) || /\p{M}/u.test(ch)) cls = CUT_WORD;
  else if (folded.length > 0 && [LETTER, DIGIT].includes(classOf(folded.charCodeAt(0)))) cls = CUT_WORD;
  cutClassCache[code] = cls;
  return cls;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/**
 * Whether offset p of `text` (0..length) lies inside a word: between two letters/digits, on either side
 * of a hyphen or apostrophe joining two ("non-tender", "patient's"), or inside a number ("1.3"). A quote
 * matched at such an offset starts or ends inside a word of the note. Looks at four characters at most.
 */
export function isWordCut(text: string, p: number): boolean {
  const n = text.length;
  if (p <= 0 || p >= n) return false;
  const a = cutClass(text.charCodeAt(p - 1));
  const b = cutClass(text.charCodeAt(p));
  if (a === CUT_WORD && b === CUT_WORD) return true;
  if (b === CUT_GLUE) return a === CUT_WORD && p + 1 < n && cutClass(text.charCodeAt(p + 1)) === CUT_WORD;
  if (a === CUT_GLUE) return b === CUT_WORD && p >= 2 && cutClass(text.charCodeAt(p - 2)) === CUT_WORD;
  if (b === CUT_NUMBER_PUNCT) return isDigit(text.charCodeAt(p - 1)) && p + 1 < n && isDigit(text.charCodeAt(p + 1));
  if (a === CUT_NUMBER_PUNCT) return isDigit(text.charCodeAt(p)) && p >= 2 && isDigit(text.charCodeAt(p - 2));
  return false;
}

/** isWordCut for every offset 0..length (1 = inside a word). */
export function wordCuts(text: string): Uint8Array {
  const cuts = new Uint8Array(text.length + 1);
  for (let p = 1; p < text.length; p++) cuts[p] = isWordCut(text, p) ? 1 : 0;
  return cuts;
}
