import { ToolkitError } from "../core/errors.js";
import { HTML_ENTITIES } from "./html-entities.js";

/**
 * Text normalisation for the export guard. The restricted corpus and every exported artefact go through
 * the same steps, so a copy that only looks different (entities, invisible characters, look-alike
 * letters, case, accents) reduces to the same words:
 *
 *   1. terminal colour codes removed; HTML character references decoded once (named, decimal, hex), as a
 *      browser shows them;
 *   2. for text with any non-ASCII character: NFKC (fullwidth and mathematical letters, ligatures), then
 *      canonical decomposition with every combining mark (accents, variation selectors) and every format
 *      character (\p{Cf}: soft hyphen, zero-width space/joiners, word joiner, BOM, bidi controls, tags)
 *      removed, invisible "letters" (Hangul fillers) removed, Cyrillic/Greek/Armenian look-alikes of
 *      Latin letters and digits folded to them, other scripts' decimal digits folded to 0-9;
 *   3. per character while hashing words: lower case, and the ASCII look-alikes 0/o and 1/I/l/i folded
 *      together (a skeleton, as Unicode's confusable detection does). Folding only merges words, so it
 *      can only add matches of 8 words in a row, never lose one.
 *
 * The removal in step 2 joins a word split by a soft hyphen or zero-width character, as it is displayed.
 */

const ansi = /\x1b\[[0-9;?]*[A-Za-z]/g;
const reference = /&(?:#(\d{1,8});?|#[xX]([0-9a-fA-F]{1,7});?|([A-Za-z][A-Za-z0-9]{0,31};?))/g;

function decodeReference(match: string, decimal?: string, hex?: string, name?: string): string {
  if (decimal !== undefined || hex !== undefined) {
    const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex as string, 16);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
    return String.fromCodePoint(code);
  }
  const named = HTML_ENTITIES[name as string];
  if (named !== undefined) return named;
  // Legacy names decode without ";" even when letters follow ("&eacutex" is "éx"): longest prefix wins.
  for (let length = Math.min((name as string).length, 6); length >= 2; length--) {
    const legacy = HTML_ENTITIES[(name as string).slice(0, length)];
    if (legacy !== undefined) return legacy + (name as string).slice(length);
  }
  return match;
}

/** Look-alikes of Latin letters and digits in other scripts (by case, before lower-casing). */
const CONFUSABLES: Record<string, string> = {};
function addConfusables(from: string, to: string): void {
  const sources = [...from];
  const targets = [...to];
  if (sources.length !== targets.length)
    throw new ToolkitError("guard-text: confusable table misaligned", { stage: "report" });
  sources.forEach((char, i) => {
    CONFUSABLES[char] = targets[i];
  });
}
// Cyrillic capitals and small letters.
addConfusables("АВСЕНІЈКМОРЅТХУҮӀԁԚԜЗ", "ABCEHIJKMOPSTXYYIdQW3");
addConfusables("авсеһіјкмнорԛѕтхуүӏԝьпгбшԍ", "abcehijkmhopqstxyylwbnr6wg");
// Greek capitals and small letters.
addConfusables("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹϿ", "ABEZHIKMNOPTYXCJ");
addConfusables("αβγεηικνορτυχωϲϳμ", "abyenikvoptuxwcju");
// Armenian and Latin-extension letters that look like basic Latin.
addConfusables("օսհոցɑɡıȷꓲ", "ouhngagijl");

/** Decimal digits of other scripts (Arabic-Indic, Devanagari, ...): Unicode puts each script's 0-9 in a run. */
const digitZero = new Map<number, number>();
function foldDigit(char: string): string | undefined {
  const code = char.codePointAt(0) as number;
  if (!/\p{Nd}/u.test(char)) return undefined;
  let zero = digitZero.get(code);
  if (zero === undefined) {
    zero = code;
    while (zero > 0 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
    // A run longer than ten digits (mathematical digits are folded by NFKC already): count from its start.
    zero = code - ((code - zero) % 10);
    digitZero.set(code, zero);
  }
  return String(code - zero);
}

const removed = /[\p{Mn}\p{Me}\p{Cf}\u115f\u1160\u3164\uffa0]/gu;
const nonAscii = /[^\x00-\x7f]/u;
const foldable = /[^\x00-\x7f]/gu;

/** Steps 1 and 2 above (step 3 is done per character by the word reader). */
export function normalizeGuardText(text: string): string {
  let out = text;
  if (out.includes("\x1b")) out = out.replace(ansi, "");
  if (out.includes("&")) out = out.replace(reference, decodeReference);
  if (!nonAscii.test(out)) return out;
  out = out.normalize("NFKC").normalize("NFD").replace(removed, "");
  return out.replace(foldable, (char) => CONFUSABLES[char] ?? foldDigit(char) ?? char);
}

/** Per ASCII code: 0 for a separator, else the folded (lower-case, skeleton) character code. */
const ASCII_FOLD = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[0-9a-z]/.test(char)) ASCII_FOLD[code] = code;
  if (/[A-Z]/.test(char)) ASCII_FOLD[code] = code + 32;
}
for (const char of "iI1") ASCII_FOLD[char.charCodeAt(0)] = "l".charCodeAt(0);
for (const char of "0O") ASCII_FOLD[char.charCodeAt(0)] = "o".charCodeAt(0);

const letterOrDigit = /[\p{L}\p{N}]/u;
const FNV_OFFSET = 0x811c9dc5;

/** The folded code of a word character at `i` (0 when it separates words), and its length in UTF-16 units. */
function foldedAt(text: string, i: number): { code: number; size: number } {
  const code = text.charCodeAt(i);
  if (code < 128) return { code: ASCII_FOLD[code], size: 1 };
  const point = text.codePointAt(i) as number;
  const char = String.fromCodePoint(point);
  if (!letterOrDigit.test(char)) return { code: 0, size: char.length };
  const lower = char.toLowerCase();
  return { code: lower.codePointAt(0) as number, size: char.length };
}

/** FNV-1a, continued from `hash` over one folded character (so a joined word's hash extends a part's). */
function fnv(hash: number, code: number): number {
  let h = Math.imul(hash ^ (code & 0xffff), 0x01000193);
  if (code > 0xffff) h = Math.imul(h ^ (code >>> 16), 0x01000193);
  return h >>> 0;
}

/** Hash of the word characters of `text` from `start` to `end` (separators skipped), continuing `hash`. */
export function continueWordHash(hash: number, text: string, start: number, end: number): number {
  let h = hash;
  for (let i = start; i < end; ) {
    const { code, size } = foldedAt(text, i);
    if (code !== 0) h = fnv(h, code);
    i += size;
  }
  return h;
}

/** A word of normalised text: its hash, where it is, and whether the gap after it may be a broken word. */
export type WordSink = (hash: number, start: number, end: number) => void;

/** Calls `onWord` for each word of already normalised text (no allocation per word: a hot loop). */
export function forEachWord(text: string, onWord: WordSink): void {
  let hash = FNV_OFFSET;
  let start = -1;
  const length = text.length;
  for (let i = 0; i < length; ) {
    const code = text.charCodeAt(i);
    let folded: number;
    let size = 1;
    if (code < 128) folded = ASCII_FOLD[code];
    else ({ code: folded, size } = foldedAt(text, i));
    if (folded !== 0) {
      if (start < 0) {
        start = i;
        hash = FNV_OFFSET;
      }
      hash = fnv(hash, folded);
    } else if (start >= 0) {
      onWord(hash, start, i);
      start = -1;
    }
    i += size;
  }
  if (start >= 0) onWord(hash, start, length);
}

/**
 * Marks a tag boundary in scanned HTML: markup between two letters does not separate them on screen
 * (`<b>clini</b>cal` shows "clinical"), so the scanner reads such a gap both ways, as a line break.
 */
export const TAG_MARK = "\x01";

/**
 * Whether the gap between two word parts may hide one word broken in two: only a line break or markup,
 * optionally after a hyphen, with spaces or tabs around it, between two letters (not digits: a column of
 * numbers is not a broken number, and reading it both ways would explode).
 */
export function isJoinableGap(text: string, end: number, nextStart: number): boolean {
  if (nextStart - end > 24) return false;
  if (!isLetter(text, end - 1) || !isLetter(text, nextStart)) return false;
  let breaks = 0;
  for (let i = end; i < nextStart; i++) {
    const char = text[i];
    if (char === "\n" || char === TAG_MARK) breaks++;
    else if (char === "-" || char === "\u2010" || char === "\u2011") {
      if (breaks > 0) return false; // a hyphen only ends the first part ("clini-\ncal")
    } else if (char !== " " && char !== "\t" && char !== "\r") return false;
  }
  return breaks > 0;
}

function isLetter(text: string, i: number): boolean {
  let code = text.charCodeAt(i);
  if (code >= 0xdc00 && code <= 0xdfff && i > 0) code = text.codePointAt(i - 1) as number;
  if (code < 128) return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return /\p{L}/u.test(String.fromCodePoint(code));
}

/**
 * HTML as the guard reads it: the text, and also every attribute value and comment (a published page
 * carries them: `alt`, `title`, `<!-- ... -->`); tag and attribute names are dropped, tags become
 * TAG_MARK. Script and style bodies are kept as text (plotly data is a string in a script).
 */
export function htmlGuardText(html: string): string {
  const parts: string[] = [];
  let i = 0;
  let textStart = 0;
  const length = html.length;
  while (i < length) {
    const open = html.indexOf("<", i);
    if (open < 0) break;
    const next = html.charCodeAt(open + 1);
    const isComment = html.startsWith("<!--", open);
    const isTag = isComment || /[A-Za-z/!?]/.test(String.fromCharCode(next));
    if (!isTag) {
      i = open + 1;
      continue;
    }
    parts.push(html.slice(textStart, open), TAG_MARK);
    if (isComment) {
      const close = html.indexOf("-->", open + 4);
      const end = close < 0 ? length : close;
      parts.push(" ", html.slice(open + 4, end), " ", TAG_MARK);
      i = textStart = close < 0 ? length : close + 3;
      continue;
    }
    // A tag: skip its name, keep attribute values (quoted or not), up to the closing ">".
    let j = open + 1;
    while (j < length && !/[\s>]/.test(html[j])) j++;
    while (j < length && html[j] !== ">") {
      const char = html[j];
      if (char === '"' || char === "'") {
        const close = html.indexOf(char, j + 1);
        const end = close < 0 ? length : close;
        parts.push(" ", html.slice(j + 1, end), " ");
        j = end + 1;
      } else if (char === "=") {
        j++;
        while (j < length && /\s/.test(html[j])) j++;
        if (html[j] === '"' || html[j] === "'") continue;
        const valueStart = j;
        while (j < length && !/[\s>]/.test(html[j])) j++;
        parts.push(" ", html.slice(valueStart, j), " ");
      } else j++;
    }
    parts.push(TAG_MARK);
    i = textStart = Math.min(j + 1, length);
  }
  parts.push(html.slice(textStart));
  return parts.join("");
}
