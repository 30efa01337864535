/**
 * Which text after a number is a unit. Only units that look like real ones are kept: a unit is built from
 * known atoms (mg, dL, mmol, µmol, %, mmHg, x10^9, days, ...) joined by "/" or "per", each optionally with
 * a leading factor ("1.73m2") and an exponent (m2, m², ^2). Whatever follows the last valid part is not
 * the unit: "1.4 mg/dL on 3/12" has unit "mg/dL", "98 on admission" none.
 */

// Unit atoms, compared after lower-casing and writing µ/μ as u. Deliberately no "in" (inches) and no
// "a": those are ordinary words after a number far more often than units.
const ATOMS = new Set(
  (
    "g mg ug mcg ng pg kg lb lbs oz mol mmol umol nmol pmol meq mosm osm l dl ml ul fl cl iu miu u mu " +
    "units unit mmhg cmh2o kpa bpm min mins minute minutes sec secs second seconds s h hr hrs hour hours " +
    "d day days wk wks week weeks mo mos month months y yr yrs year years cm mm m km ft feet inches " +
    "hpf lpf cells k beats breaths drinks cigarettes packs pack tablets tabs puffs points kcal cal mcl " +
    "celsius fahrenheit degrees percent mg% pack-years packyears kilogram kilograms gram grams pound pounds " +
    "milligram milligrams microgram micrograms liter liters litre litres milliliter milliliters millilitre millilitres"
  ).split(" "),
);

// One part between slashes: optional factor, an atom (letters, %, °), optional exponent.
const PART = /^(\d+(?:\.\d+)?)?([a-z%°]+(?:-[a-z]+)?)(\^?\d|[²³])?$/;
const POWER_OF_TEN = /^[x×*]\s?10(?:\^|e|\*\*)?-?\d+|^[x×*]\s?10[⁰¹²³⁴⁵⁶⁷⁸⁹]+/i;
const TEMPERATURE = /^°\s?[cf]\b|^deg(?:rees?)?\s?[cf]\b/i;
// The widest text that could be a unit: no spaces except around "/" and before "per".
// A "." only inside a factor ("1.73m2"), a "-" only between letters ("pack-years"), so "mg." ending a
// sentence and "5mg-10mg" keep their unit.
const CANDIDATE =
  /[A-Za-zµμ°%](?:[A-Za-z0-9µμ°%²³^]|\.(?=\d)|-(?=[A-Za-z]))*(?:\s?\/\s?(?:[A-Za-z0-9µμ°%²³^]|\.(?=\d)|-(?=[A-Za-z]))+|\s+per\s+[A-Za-z]+)*/y;

// Parts seen before (a few dozen unit spellings cover almost every answer).
const partCache = new Map<string, boolean>();

function validPart(part: string): boolean {
  const cached = partCache.get(part);
  if (cached !== undefined) return cached;
  const match = PART.exec(part.toLowerCase().replace(/[μµ]/g, "u"));
  const valid = match !== null && ATOMS.has(match[2]);
  if (partCache.size > 10_000) partCache.clear();
  partCache.set(part, valid);
  return valid;
}

/**
 * The unit starting at `at` in `text` (after at most one space), or null. Returns the unit as written
 * (trailing sentence punctuation dropped) and the index after it.
 */
export function unitAt(text: string, at: number): { unit: string; end: number } | null {
  let start = at;
  if (text[start] === " ") start++;
  const head = text.slice(start, start + 24);
  if (head.startsWith("%")) return { unit: "%", end: start + 1 };
  const temperature = TEMPERATURE.exec(head);
  if (temperature) return { unit: temperature[0], end: start + temperature[0].length };
  let prefix = "";
  const power = POWER_OF_TEN.exec(head);
  if (power) {
    prefix = power[0];
    start += prefix.length;
    if (text[start] !== "/") return { unit: prefix, end: start };
  }
  CANDIDATE.lastIndex = prefix ? start + 1 : start;
  const candidate = CANDIDATE.exec(text);
  if (!candidate) return prefix ? { unit: prefix, end: start } : null;
  // Walk the parts, keeping the longest prefix whose parts are all valid.
  const pieces = candidate[0].split(/(\s?\/\s?|\s+per\s+)/);
  let unit = prefix ? `${prefix}/` : "";
  let end = prefix ? start + 1 : start;
  let length = 0;
  let kept = "";
  for (let i = 0; i < pieces.length; i += 2) {
    const separator = i > 0 ? pieces[i - 1] : "";
    const part = pieces[i];
    if (!validPart(part)) break;
    kept += (i > 0 ? "/" : "") + part;
    length += separator.length + part.length;
  }
  if (kept === "") return prefix ? { unit: prefix, end: start } : null;
  unit += kept;
  end += length;
  return { unit, end };
}

/** Whether `unit` measures time (a duration after a number, not a lab value). */
export function isTimeUnit(unit: string): boolean {
  return /^(?:s|secs?|seconds?|min|mins|minutes?|h|hrs?|hours?|d|days?|wks?|weeks?|mos?|months?|y|yrs?|years?)$/i.test(
    unit,
  );
}
