/**
 * What a question's text tells the answer reader: which of several values it asks for (its rule), the lab
 * it names (for unit conversion), the unit it names, and its content words (for yes/no statements).
 * Rules (docs/metrics.md): "highest"/"maximum"/"max"/"peak" -> max; "lowest"/"minimum"/"nadir" -> min;
 * "most recent"/"latest"/"last"/"current"/"at discharge" -> last; "first"/"on admission"/"initial"/
 * "baseline"/"on arrival" -> first. Max and min win over first and last ("the highest creatinine on
 * admission" asks for the highest).
 */
import { questionKeys } from "./answer-words.js";
import { type Analyte, analyteOf, CANONICAL_UNIT, isLabUnit } from "./lab-units.js";
import { unitAt } from "./units.js";

export type ValueRule = "max" | "min" | "first" | "last";

export interface QuestionContext {
  rule?: ValueRule;
  analyte?: Analyte;
  /** The analyte's canonical unit (when there is an analyte). */
  canonicalUnit: string;
  /** The unit the question names ("in mg/dL", "in µmol/L", "in percent", "how many days"). */
  unit?: string;
  unitNamed: boolean;
  keys: string[];
  /** The question asks about time or age, so "3 days" is an answer, not a side remark. */
  wantsTime: boolean;
  /** "systolic" -> the first of "120/80", "diastolic" -> the second. */
  ratioPart?: "first" | "second";
  /** The question in lower case (to see which labs it names). */
  lower: string;
}

const MAX = /\b(?:highest|maximum|maximal|max|peak|peaked|greatest|largest)\b/;
const MIN = /\b(?:lowest|minimum|minimal|nadir|smallest)\b/;
const LAST =
  /\b(?:most recent|latest|last(?!\s+(?:\d+|few|several|couple|two|three|four|six|twelve|year|month|week|day|hour|night)s?\b)|current|currently|final|(?:at|on|upon|before)\s+discharge|discharge\s+(?:value|level|weight|reading|result|measurement))\b/;
const FIRST =
  /\b(?:first|initial|initially|baseline|earliest|on arrival|at presentation|presenting|admitting|(?:at|on|upon)\s+admission|admission\s+(?:value|level|weight|reading|result|measurement|labs?))\b/;
const WANTS_TIME =
  /\bhow long\b|\bhow many\s+(?:days|weeks|months|years|hours|minutes)\b|\bduration\b|\bhow old\b|\bage\b/;
// A lab unit the question names, in any of its spellings.
const LAB_UNIT_IN_QUESTION = /(mg\/dl|[µμu]mol\/l|micromol\/l|mmol\/mol|mmol\/l|%|\bpercent(?:age)?\b)/i;

const cache = new Map<string, QuestionContext>();
const CACHE_LIMIT = 5000;

/** The question's context (cached: evaluation asks the same questions of many notes). */
export function questionContext(question: string): QuestionContext {
  const cached = cache.get(question);
  if (cached) return cached;
  const lower = question.toLowerCase();
  const analyte = analyteOf(question);
  const context: QuestionContext = {
    canonicalUnit: analyte ? CANONICAL_UNIT[analyte] : "",
    unitNamed: false,
    // Content words serve only yes/no statements (rare): found on first use, then kept as a plain value.
    get keys() {
      const keys = questionKeys(question);
      Object.defineProperty(this, "keys", { value: keys, enumerable: true });
      return keys;
    },
    wantsTime: WANTS_TIME.test(lower),
    lower,
  };
  if (MAX.test(lower)) context.rule = "max";
  else if (MIN.test(lower)) context.rule = "min";
  else if (LAST.test(lower)) context.rule = "last";
  else if (FIRST.test(lower)) context.rule = "first";
  if (analyte) {
    context.analyte = analyte;
    const named = LAB_UNIT_IN_QUESTION.exec(question);
    const unit = named ? (/^percent/i.test(named[1]) ? "%" : named[1]) : undefined;
    if (unit && isLabUnit(analyte, unit)) {
      context.unit = unit;
      context.unitNamed = true;
    }
  } else {
    const named = /\b(?:in|as)\s+(?=[a-zµμ°%])/i.exec(question) ?? /\bhow many\s+(?=[a-z])/i.exec(question);
    const unit = named ? unitAt(question, named.index + named[0].length) : null;
    if (unit) {
      context.unit = unit.unit;
      context.unitNamed = true;
    }
  }
  if (/\bsystolic\b/.test(lower)) context.ratioPart = "first";
  else if (/\bdiastolic\b/.test(lower)) context.ratioPart = "second";
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(question, context);
  return context;
}

/** The unit an answer to this question is given in: the one it names, else the analyte's canonical one. */
export function answerUnitTarget(question: QuestionContext): string {
  return question.unit ?? question.canonicalUnit;
}
