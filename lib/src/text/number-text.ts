/**
 * The first number in a piece of answer text, with its unit and an optional range. Rules (documented in
 * docs/metrics.md):
 * - a number is not read out of a word: "HbA1c", "CHADS2" hold no number;
 * - a comma followed by exactly three digits after a 1-3 digit integer part not starting with 0, repeated
 *   ("150,000", "1,234,567.5"), is a thousands separator; any other comma between digits is a decimal comma
 *   ("7,2" = 7.2, "0,125" = 0.125, "7,2500" = 7.25); "1.234,5" (dot groups then a comma) is European 1234.5;
 * - scientific notation is e-notation only ("1.2e-3"); "x10^9/L" after a number is read as its unit;
 * - "a-b", "a - b", "a–b", "a to b" with b >= a is a range; with b < a (a date such as 2131-05-02) it is not,
 *   and the first number stands alone.
 */
export interface NumberInText {
  value: number;
  unit?: string;
  range?: [number, number];
  /** Index just after the number (and range, and unit) in the text. */
  end: number;
}

// Lookbehind: not inside a word or another number.
const NUMBER =
  /(?<![A-Za-z0-9_.,^])([-+\u2212]?)(?:([1-9]\d{0,2}(?:,\d{3})+(?!\d)(?:\.\d+)?)|([1-9]\d{0,2}(?:\.\d{3})+,\d+)|(\d+(?:[.,]\d+)?|[.,]\d+))(?:[eE]([-+]?\d+))?/g;

const UNIT_KNOWN =
  /^(?:mg|g|kg|lbs?|cm|mm|m|mmhg|bpm|years?|yrs?|y|days?|d|weeks?|wks?|months?|mos?|hours?|hrs?|h|units?|u|iu|meq|mmol|mol|ng|pg|ml|l|dl|mcg|ug|µg|μg|points?|beats|breaths|cells|k)$/i;

/** Parse one numeric token (sign, digits with separators, exponent) as the rules above say. */
function tokenValue(
  sign: string,
  thousands: string | undefined,
  european: string | undefined,
  plain: string | undefined,
  exponent: string | undefined,
): number {
  let digits: string;
  if (thousands !== undefined) digits = thousands.replaceAll(",", "");
  else if (european !== undefined) digits = european.replaceAll(".", "").replace(",", ".");
  else digits = (plain ?? "").replace(",", ".");
  const negative = sign === "-" || sign === "\u2212";
  // One string through Number(): "1.2e-3" parses to the same double as "0.0012", so exact matches hold.
  const value = Number(exponent !== undefined ? `${digits}e${exponent}` : digits);
  return negative ? -value : value;
}

const UNIT_AFTER =
  /\s?(%|[x\u00d7]\s?10\^?-?\d+(?:\/[A-Za-z\u00b5\u03bc]+)?|[A-Za-z\u00b5\u03bc][A-Za-z0-9\u00b5\u03bc]*(?:\/[A-Za-z0-9\u00b5\u03bc.^]*[A-Za-z0-9\u00b5\u03bc^])+|[A-Za-z\u00b5\u03bc]+)/y;
const RANGE_SEPARATOR = /\s*(?:-|\u2013|\u2014|to)\s*/y;

function unitAt(text: string, at: number): { unit: string; end: number } | null {
  UNIT_AFTER.lastIndex = at;
  const match = UNIT_AFTER.exec(text);
  if (!match) return null;
  const unit = match[1];
  // Plain words count as units only when known ("1.4 on admission" has no unit "on").
  if (/^[A-Za-z\u00b5\u03bc]+$/.test(unit) && !UNIT_KNOWN.test(unit)) return null;
  return { unit, end: UNIT_AFTER.lastIndex };
}

function numberAt(text: string, from: number, sticky: boolean): { value: number; start: number; end: number } | null {
  NUMBER.lastIndex = from;
  for (;;) {
    const match = NUMBER.exec(text);
    if (!match) return null;
    if (sticky && text.slice(from, match.index).trim() !== "") return null;
    const end = match.index + match[0].length;
    // A number glued to letters is a number only when the letters are a unit ("1.4mg/dL", not "3rd").
    if (end < text.length && /[A-Za-z]/.test(text[end]) && !unitAt(text, end)) {
      if (sticky) return null;
      NUMBER.lastIndex = end;
      continue;
    }
    return { value: tokenValue(match[1], match[2], match[3], match[4], match[5]), start: match.index, end };
  }
}

/**
 * The number that `text` starts with (after optional spaces), by the same token rules as `firstNumber`,
 * or null. Step b reads teacher answers with it, so a training target and an evaluated answer read the
 * same digits as the same number.
 */
export function leadingNumber(text: string): { value: number; end: number } | null {
  const found = numberAt(text, 0, true);
  return found && { value: found.value, end: found.end };
}

/** The first number in `text` (with unit and range when present), or null when there is none. */
export function firstNumber(text: string): NumberInText | null {
  const first = numberAt(text, 0, false);
  if (!first) return null;
  let end = first.end;
  let unit: string | undefined;
  const firstUnit = unitAt(text, end);
  if (firstUnit) {
    unit = firstUnit.unit;
    end = firstUnit.end;
  }
  RANGE_SEPARATOR.lastIndex = end;
  const separator = RANGE_SEPARATOR.exec(text);
  if (separator) {
    const second = numberAt(text, RANGE_SEPARATOR.lastIndex, true);
    // A range needs an unsigned upper bound (so "5 - -3" is not one) that is at least the lower bound.
    const upperSigned = second && /^[-+\u2212]/.test(text.slice(second.start, second.end));
    if (second && !upperSigned && second.value >= first.value) {
      let rangeEnd = second.end;
      const secondUnit = unitAt(text, rangeEnd);
      if (secondUnit) {
        unit = unit ?? secondUnit.unit;
        rangeEnd = secondUnit.end;
      }
      return { value: (first.value + second.value) / 2, unit, range: [first.value, second.value], end: rangeEnd };
    }
  }
  return { value: first.value, unit, end };
}

/**
 * The next numeric token at or after `from` by the token rules above (no unit, no range, no check of
 * what follows), or null. The answer reader (answer-text.ts) builds its value mentions on it.
 */
export function nextNumberToken(
  text: string,
  from: number,
): { value: number; start: number; end: number; signed: boolean } | null {
  NUMBER.lastIndex = from;
  const match = NUMBER.exec(text);
  if (!match) return null;
  return {
    value: tokenValue(match[1], match[2], match[3], match[4], match[5]),
    start: match.index,
    end: match.index + match[0].length,
    signed: match[1] !== "",
  };
}
