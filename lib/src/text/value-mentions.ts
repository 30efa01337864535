/**
 * Every value written in a piece of answer text, in order, with what a careful reader knows about each:
 * its unit (only a real-looking one, units.ts), whether it is a range, approximate, an ordinal label
 * ("day 3", "type 2") or a number word ("five"). Dates and times are found first and are never values:
 * "2025-11-22", "22 Nov 2025", "Nov 22", "3/12/2025", "on 3/12", "14:30", "2 pm", and Australian
 * durations "2/52", "3/7", "6/12". The rules are listed in docs/metrics.md ("Reading answer text").
 */
import { nextNumberToken } from "./number-text.js";
import { unitAt } from "./units.js";

export interface ValueMention {
  value: number;
  unit?: string;
  /** "a-b", "a to b", "between a and b" (b >= a): both ends. `value` is then the midpoint. */
  range?: [number, number];
  /** "approximately 8", "~0.9", "about 5": the value is kept and flagged. */
  approximate: boolean;
  /** A label before it makes it an ordinal, not a measurement ("day 3", "stage 2", "type 2", "x 3"). */
  ordinal: boolean;
  /** An earlier value given for comparison ("up from 0.9", "baseline of 0.9", "previously 0.9"). */
  earlier?: true;
  /** A reference range or target ("ref 0.6-1.2", "goal 2-3"), not a measurement. */
  reference?: true;
  start: number;
  end: number;
}

export interface ValueScan {
  mentions: ValueMention[];
  /** Dates, times and durations found (never values). */
  dates: number;
  /** "a/b" pairs that are neither dates nor scores ("120/80"). */
  ratios: { first: number; second: number }[];
}

const MONTH =
  "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const DATES = new RegExp(
  [
    String.raw`\b\d{4}([-/.])\d{1,2}\1\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?`,
    String.raw`\b\d{1,2}([-/.])\d{1,2}\2\d{2,4}\b`,
    String.raw`\b\d{1,2}(?:st|nd|rd|th)?\s*(?:of\s+)?${MONTH}\b\.?(?:,?\s*(?:\d{4}|'\d{2}))?`,
    String.raw`\b${MONTH}\b\.?,?\s+\d{4}\b`,
    String.raw`\b${MONTH}\b\.?\s*\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s*\d{4})?`,
    String.raw`\b\d{1,2}:\d{2}(?::\d{2})?(?!\d)(?:\s*[ap]\.?m\b\.?)?`,
    String.raw`\b\d{1,2}\s*[ap]\.?m\b\.?`,
  ].join("|"),
  "gi",
);
// Cheap pre-test: most answers hold no date, so the date regex runs only when one could be there.
const MAY_HOLD_DATE = /\d[-/.]\d+[-/.]\d|\d\/\d|\d:\d|\d\s*[ap]\.?m\b|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec/i;

const BEFORE = 28;
const APPROXIMATE_BEFORE =
  /(?:\b(?:approximately|approx|about|around|roughly|circa|ca|nearly|almost|close to|estimated(?: at)?)\.?\s*|[~≈∼]\s*)$/i;
const ORDINAL_BEFORE =
  /(?:\b(?:day|pod|hd|cycle|visit|stage|grade|type|class|bed|room|no\.|number|phase|step|week|wk|month|ward|gravida|para|version|part|x|times)\s*#?\s*|#\s*|[x×]\s*)$/i;
const EARLIER_BEFORE =
  /\b(?:(?:up|down|increased|decreased|rose|risen|fell|fallen|improved|worsened|changed)\s+from(?:\s+(?:a|an|the|his|her|their))?(?:\s+(?:prior|previous|baseline))?(?:\s+(?:value|level))?(?:\s+of)?|(?:from\s+(?:a|an|the|his|her|their)\s+)?(?:baseline|prior|previous)(?:\s+[a-z]+)?(?:\s+(?:of|was|is|at))?|previously|compared\s+(?:with|to))\s*:?\s*$/i;
const AGE_AFTER = /^(?:[-\s]?(?:years?|yrs?)[-\s]old\b|\s?(?:yo|y\/o|y\.o\.?)(?![a-z]))/i;
// A reference range or target beside a value is not the value: "(ref 0.6-1.2)", "(normal 13.5-17.5)", "goal 2-3".
const REFERENCE_BEFORE =
  /\b(?:ref(?:erence)?(?:\s+(?:range|interval))?|normal(?:\s+range)?|nl|goal|target|therapeutic(?:\s+range)?|uln|lln|upper limit(?:\s+of normal)?|lower limit(?:\s+of normal)?)\s*(?:of|is|:|=)?\s*$/i;
const SCORE_BEFORE = /\b(?:strength|power|motor|grade|score|scale|rated)\b[^.]{0,12}$/i;
const DATE_PREPOSITION = /\b(?:on|dated|from|since|until|till|by|of|last|next|before|after)\s+$/i;
const YEAR_BEFORE = /\b(?:in|since|from|until|till|during|by|of|year|before|after|circa|early|late|mid)\s+$/i;
const RANGE_SEPARATOR = /\s*(?:-|\u2013|\u2014|to|through)\s*/y;
const BETWEEN_SEPARATOR = /\s*(?:-|\u2013|\u2014|to|and)\s*/y;

function inSpan(spans: [number, number][], at: number): [number, number] | undefined {
  for (const span of spans) if (at >= span[0] && at < span[1]) return span;
  return undefined;
}

/** Every value in `text`, dates and times left out (counted). */
export function scanValues(text: string): ValueScan {
  const spans: [number, number][] = [];
  if (MAY_HOLD_DATE.test(text)) {
    DATES.lastIndex = 0;
    for (let match = DATES.exec(text); match; match = DATES.exec(text)) {
      spans.push([match.index, match.index + match[0].length]);
    }
  }
  const scan: ValueScan = { mentions: [], dates: spans.length, ratios: [] };
  let from = 0;
  for (;;) {
    const token = nextNumberToken(text, from);
    if (!token) break;
    from = token.end;
    const span = inSpan(spans, token.start);
    if (span) {
      from = Math.max(from, span[1]);
      continue;
    }
    const before = token.start === 0 ? "" : text.slice(Math.max(0, token.start - BEFORE), token.start);
    // A number glued to letters is a number only when the letters are a unit ("1.4mg", not "3rd").
    const glued = /[A-Za-z]/.test(text[token.end] ?? "");
    // "65-year-old", "65 yo", "65 y/o": an age, in years.
    const age = AGE_AFTER.exec(text.slice(token.end, token.end + 16));
    const unit = age ? { unit: "years", end: token.end + age[0].length } : unitAt(text, token.end);
    if (glued && !unit) continue;
    // "a/b" and "a:b" pairs: dates, durations, scores out of 10, or ratios such as blood pressure.
    const pairMark = text[token.end];
    if ((pairMark === "/" || pairMark === ":") && /\d/.test(text[token.end + 1] ?? "")) {
      const second = nextNumberToken(text, token.end + 1);
      if (second && second.start === token.end + 1) {
        from = second.end;
        const pair = classifyPair(token.value, second.value, before, pairMark);
        if (pair === "date") scan.dates++;
        else if (pair === "ratio") scan.ratios.push({ first: token.value, second: second.value });
        else {
          scan.mentions.push({
            value: token.value,
            unit: `/${second.value}`,
            approximate: before !== "" && APPROXIMATE_BEFORE.test(before),
            ordinal: false,
            start: token.start,
            end: second.end,
          });
        }
        continue;
      }
    }
    // A year after "in", "since", ... ("HbA1c 8.1% in 2019") is a date.
    if (
      !unit &&
      token.end - token.start === 4 &&
      token.value >= 1900 &&
      token.value <= 2100 &&
      YEAR_BEFORE.test(before)
    ) {
      scan.dates++;
      continue;
    }
    let end = unit ? unit.end : token.end;
    from = end;
    const mention: ValueMention = {
      value: token.value,
      approximate: before !== "" && APPROXIMATE_BEFORE.test(before),
      ordinal: before !== "" && ORDINAL_BEFORE.test(before),
      start: token.start,
      end,
    };
    if (unit) mention.unit = unit.unit;
    if (before !== "" && EARLIER_BEFORE.test(before)) mention.earlier = true;
    if (before !== "" && REFERENCE_BEFORE.test(before)) mention.reference = true;
    // A range: "a-b", "a to b", "between a and b"; "from a to b" is a change over time, two values.
    const between = before !== "" && /\bbetween\s*$/i.test(before);
    const separator = between ? BETWEEN_SEPARATOR : RANGE_SEPARATOR;
    separator.lastIndex = end;
    const separated = separator.exec(text);
    if (separated && !(before !== "" && /\bfrom\s*$/i.test(before))) {
      const upper = nextNumberToken(text, separator.lastIndex);
      // "10-5" (descending, no spaces, both could be day and month) is a date, as "10/5" is.
      if (
        upper &&
        !unit &&
        separated[0] === "-" &&
        upper.start === separator.lastIndex &&
        upper.value < token.value &&
        !/[\d.,]/.test(text[upper.end] ?? "") &&
        classifyPair(token.value, upper.value, before, "/") === "date"
      ) {
        scan.dates++;
        from = upper.end;
        continue;
      }
      if (
        upper &&
        upper.start === separator.lastIndex &&
        !upper.signed &&
        upper.value >= token.value &&
        !inSpan(spans, upper.start) &&
        !(/[A-Za-z]/.test(text[upper.end] ?? "") && !unitAt(text, upper.end))
      ) {
        const upperUnit = unitAt(text, upper.end);
        mention.range = [token.value, upper.value];
        mention.value = (token.value + upper.value) / 2;
        if (upperUnit) mention.unit = mention.unit ?? upperUnit.unit;
        end = upperUnit ? upperUnit.end : upper.end;
        mention.end = end;
        from = end;
      }
    }
    scan.mentions.push(mention);
  }
  if (scan.mentions.length === 0 && scan.ratios.length === 0) scanNumberWords(text, scan);
  return scan;
}

function classifyPair(first: number, second: number, before: string, mark: string): "date" | "score" | "ratio" {
  const integers = Number.isInteger(first) && Number.isInteger(second);
  if (mark === ":") return "ratio"; // times were taken out as dates already; "1:160" is a titre
  const dayMonth =
    integers && first >= 1 && second >= 1 && ((first <= 12 && second <= 31) || (first <= 31 && second <= 12));
  if (dayMonth && DATE_PREPOSITION.test(before)) return "date";
  // Pain out of 10; strength out of 5 only after a word that says so ("4/5" alone is more often 5 April).
  if (integers && second === 10 && first <= 10) return "score";
  if (integers && (second === 5 || second === 4) && first <= second && SCORE_BEFORE.test(before)) return "score";
  // Australian/UK durations: 3/7 days, 2/52 weeks, 6/12 months.
  if (integers && (second === 7 || second === 52 || second === 12) && first < second) return "date";
  if (dayMonth) return "date";
  return "ratio";
}

/** Number words and their values (one table: answer reading and the baseline's drink counts). */
export const WORD_VALUES: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const WORD =
  "(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)";
const NUMBER_WORDS = new RegExp(String.raw`\b${WORD}(?:(?:\s+and\s+|[\s-]+)${WORD})*\b`, "gi");
// "the one on admission", "no one": a pronoun, not a number.
const PRONOUN_BEFORE = /\b(?:the|this|that|which|any|no|every|each|some|someone|anyone)\s+$/i;

/**
 * Number words, read only when the text holds no digits: "Five", "twenty-two", "one hundred and five".
 * "a"/"an", "once"/"twice" and "dozen" are not read (too often plain words in prose).
 */
function scanNumberWords(text: string, scan: ValueScan): void {
  if (!/[a-z]{3}/i.test(text)) return;
  NUMBER_WORDS.lastIndex = 0;
  for (let match = NUMBER_WORDS.exec(text); match; match = NUMBER_WORDS.exec(text)) {
    const words = match[0].toLowerCase().split(/\s+and\s+|[\s-]+/);
    if (words[0] === "one" && PRONOUN_BEFORE.test(text.slice(Math.max(0, match.index - 12), match.index))) continue;
    let total = 0;
    let current = 0;
    let valid = true;
    for (const word of words) {
      if (word === "hundred") {
        current = (current === 0 ? 1 : current) * 100;
      } else {
        const value = WORD_VALUES[word];
        // "twenty two" adds; "two twenty" or "five six" is not one number.
        if (current % 100 !== 0 && !(current % 100 >= 20 && current % 10 === 0 && value < 10)) valid = false;
        current += value;
      }
    }
    total += current;
    if (!valid) continue;
    const end = match.index + match[0].length;
    const unit = unitAt(text, end);
    const before = text.slice(Math.max(0, match.index - BEFORE), match.index);
    const mention: ValueMention = {
      value: total,
      approximate: APPROXIMATE_BEFORE.test(before),
      ordinal: ORDINAL_BEFORE.test(before),
      start: match.index,
      end: unit ? unit.end : end,
    };
    if (unit) mention.unit = unit.unit;
    scan.mentions.push(mention);
  }
}
