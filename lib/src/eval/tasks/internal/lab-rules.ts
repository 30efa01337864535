/**
 * The baseline's lab table: how each lab is labelled in notes, which labels are something else
 * (`CR <2s` is capillary refill, `CrCl` a clearance, `Hb A1c` not hemoglobin, `EF` away from echo
 * context), which units it is written in and how they convert to the question's unit, and which
 * values are plausible. A value is read with the unit written after it; a unitless value gets the
 * unit its size implies (`Cr 120` is µmol/L). Conversions for creatinine, HbA1c and glucose come
 * from lib/src/text/lab-units.ts; the other labs' factors are below.
 */
import { type Analyte, toCanonicalUnit, unitFromMagnitude, unitKey } from "../../../text/lab-units.js";
import { noteContext, wordPattern } from "./text-rules.js";

export interface LabRule {
  name: string;
  /** The unit answers are given in unless the question names another. */
  unit: string;
  /** Conversions shared with the answer parser (lab-units.ts). */
  analyte?: Analyte;
  /** Otherwise: unit key (see unitKey) -> value in `unit`. */
  units?: Record<string, (value: number) => number>;
  /** A unitless value's unit from its size, when the lab has no analyte. */
  unitlessAs?: (value: number) => string | undefined;
  labels: readonly string[];
  abbreviations?: readonly string[];
  /** The label followed by this is another test (`Hb A1c`, `creatinine clearance`). */
  notFollowedBy?: RegExp;
  /** The label preceded by this is another test (`albumin/creatinine`, `urine creatinine`, `cap refill`). */
  notPrecededBy?: RegExp;
  /** The value only counts when its unit or the nearby text says so (`EF` is ambiguous alone). */
  needsContext?: RegExp;
  /** Plausible range in `unit`; values outside are misreads (dates, doses) and ignored. */
  range: [number, number];
}

export const LABS = {
  creatinine: {
    name: "creatinine",
    unit: "mg/dL",
    analyte: "creatinine",
    labels: ["serum creatinine", "creatinine", "creat", "cr", "scr"],
    notFollowedBy: /^\s*(?:clearance|cl\b|ratio|kinase)/i,
    notPrecededBy:
      /(?:(?:albumin|protein|microalbumin|bun|urea)\s*(?:\/|:|to)\s*|urine\s+|urinary\s+|cap(?:illary)?\.?\s*(?:refill\s*)?)$/i,
    range: [0.1, 20],
  },
  hba1c: {
    name: "hba1c",
    unit: "%",
    analyte: "hba1c",
    labels: [
      "h(?:a)?emoglobin a1c",
      "hgb ?a1c",
      "hb ?a1c",
      "a1c",
      "glycosylated h(?:a)?emoglobin",
      "glycated h(?:a)?emoglobin",
    ],
    range: [3, 20],
  },
  glucose: {
    name: "glucose",
    unit: "mg/dL",
    analyte: "glucose",
    labels: [
      "(?:blood |serum |plasma |fasting |random )?glucose",
      "blood sugars?",
      "bsl",
      "bgl",
      "fsbg",
      "fingerstick(?: glucose)?",
    ],
    range: [10, 2000],
  },
  platelets: {
    name: "platelets",
    unit: "K/uL",
    units: {
      "k/ul": (v) => v,
      "k/mm3": (v) => v,
      "x10^9/l": (v) => v,
      "x10*9/l": (v) => v,
      "10^9/l": (v) => v,
      "x109/l": (v) => v,
      "/ul": (v) => v / 1000,
      "/mm3": (v) => v / 1000,
      "/cumm": (v) => v / 1000,
    },
    // 95,000 and 95 are the same count.
    unitlessAs: (v) => (v >= 1000 ? "/uL" : undefined),
    labels: ["platelets?(?: count)?", "plts?", "plt count"],
    range: [1, 2000],
  },
  hemoglobin: {
    name: "hemoglobin",
    unit: "g/dL",
    units: {
      "g/dl": (v) => v,
      "g/l": (v) => v / 10,
      // 1 mmol/L (monomer, as Dutch and Scandinavian labs report) = 1.611 g/dL.
      "mmol/l": (v) => v * 1.611,
    },
    // Hb 135 is g/L (Australian, UK and Canadian labs): no hemoglobin reaches 25 g/dL.
    unitlessAs: (v) => (v > 25 ? "g/L" : undefined),
    labels: ["h(?:a)?emoglobin", "hgb", "hb"],
    notFollowedBy: /^\s*-?\s*(?:a ?1c|electrophoresis)/i,
    range: [2, 25],
  },
  lvef: {
    name: "lvef",
    unit: "%",
    units: { "%": (v) => v, percent: (v) => v },
    labels: ["lvef", "(?:left ventricular )?ejection fraction", "ef"],
    // `EF` alone counts next to a percent sign or echo words.
    needsContext: /%|percent|echo|tte|tee|\blv\b|ventric|ejection|muga|cardiac|systolic/i,
    range: [5, 85],
  },
  alt: {
    name: "alt",
    unit: "U/L",
    units: { "u/l": (v) => v, "iu/l": (v) => v, "units/l": (v) => v },
    labels: ["alanine aminotransferase", "alanine transaminase", "sgpt"],
    abbreviations: ["ALT", "Alt"],
    range: [1, 10000],
  },
} satisfies Record<string, LabRule>;

// Units that say the number is not this lab at all (a time, a dose, a pressure ...).
const TIME_UNITS = new Set(["s", "sec", "secs", "second", "seconds"]);
const OTHER_UNITS = new Set(
  "min mins minute minutes h hr hrs hour hours d day days wk wks week weeks mo month months y yr yrs year years mg g kg mcg ug lb lbs cm mm m ml l mmhg bpm meq iu units x tabs tablets".split(
    " ",
  ),
);

// A number, an optional range end, then an optional unit token. Dates and times are skipped.
const VALUE = String.raw`(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)`;
const VALUE_AFTER = new RegExp(
  String.raw`${VALUE}(?:\s*(?:-|–|to)\s*${VALUE})?(?:\s*([%]|[A-Za-zµμ][A-Za-zµμ0-9^*]*(?:\s?\/\s?[A-Za-zµμ0-9^*]+)*))?`,
  "gu",
);
// 2131-04-27, 3/12/2090, 3/12, 14:30 (but 55-60 is a range).
const DATE_OR_TIME = /^\d{4}-\d{1,2}-\d{1,2}|^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|^\d{1,2}\/\d{1,2}(?![\d.])|^\d{1,2}:\d{2}/;
const MAX_GAP = 25;

export interface LabValue {
  value: number;
  converted: boolean;
}

export type LabSkip = "time-unit" | "other-unit" | "unknown-unit" | "no-context" | "out-of-range";

interface Compiled {
  patterns: RegExp[];
}
const COMPILED = new Map<string, Compiled>();
function compiled(lab: LabRule): Compiled {
  let entry = COMPILED.get(lab.name);
  if (!entry) {
    const patterns = [wordPattern(lab.labels)];
    if (lab.abbreviations?.length) patterns.push(wordPattern(lab.abbreviations, true));
    entry = { patterns };
    COMPILED.set(lab.name, entry);
  }
  return entry;
}
for (const lab of Object.values(LABS) as LabRule[]) compiled(lab);

/** `value` written in `unit` (undefined: none written) as the lab's unit, or why it is not this lab. */
export function toLabUnit(lab: LabRule, value: number, unit: string | undefined): number | LabSkip {
  const key = unit === undefined ? undefined : unitKey(unit);
  if (key !== undefined && TIME_UNITS.has(key)) return "time-unit";
  let written = unit;
  if (written === undefined) written = lab.analyte ? unitFromMagnitude(lab.analyte, value) : lab.unitlessAs?.(value);
  if (written === undefined) return value;
  if (lab.analyte) {
    const result = toCanonicalUnit(lab.analyte, value, written);
    if (result.ok) return result.value;
  } else {
    const convert = lab.units?.[unitKey(written)];
    if (convert) return convert(value);
  }
  if (key !== undefined && OTHER_UNITS.has(key)) return "other-unit";
  // A word after the number that is not a unit ("Cr 1.4 today"): read the number as written.
  return /\/|%|\^/.test(written) ? "unknown-unit" : value;
}

/** The linear map from the lab's unit to `unit` (all conversions here are affine), or undefined. */
export function fromLabUnit(lab: LabRule, value: number, unit: string): number | undefined {
  const at0 = toLabUnit(lab, 0, unit);
  const at1 = toLabUnit(lab, 1, unit);
  if (typeof at0 !== "number" || typeof at1 !== "number" || at1 === at0) return undefined;
  return (value - at0) / (at1 - at0);
}

export interface LabReading {
  values: LabValue[];
  /** Values seen but not used, by reason (named and counted, never silently dropped). */
  skipped: Partial<Record<LabSkip, number>>;
}

/**
 * Values of `lab` in `text`, in text order and in the lab's unit: the first number within a few
 * characters after each label (dates and times skipped), with its unit, range ends both kept.
 */
export function readLab(text: string, lab: LabRule): LabReading {
  const reading: LabReading = { values: [], skipped: {} };
  const skip = (reason: LabSkip) => {
    reading.skipped[reason] = (reading.skipped[reason] ?? 0) + 1;
  };
  const hits: { start: number; end: number }[] = [];
  for (const pattern of compiled(lab).patterns) {
    for (const match of text.matchAll(pattern))
      hits.push({ start: match.index ?? 0, end: (match.index ?? 0) + match[0].length });
  }
  hits.sort((a, b) => a.start - b.start);
  for (const { start, end } of hits) {
    if (lab.notFollowedBy?.test(text.slice(end, end + 20))) continue;
    if (lab.notPrecededBy?.test(text.slice(Math.max(0, start - 25), start))) continue;
    const lineEnd = text.indexOf("\n", end);
    const window = text.slice(end, Math.min(lineEnd < 0 ? text.length : lineEnd, end + 60));
    const found = firstValue(window);
    if (!found) continue;
    if (lab.needsContext && !lab.needsContext.test(found.unit ?? "")) {
      const around = noteContext(text);
      const nearby = `${around.before(start)} ${window}`;
      if (!lab.needsContext.test(nearby.replace(/\bef\b/gi, ""))) {
        skip("no-context");
        continue;
      }
    }
    for (const raw of found.values) {
      const value = toLabUnit(lab, raw, found.unit);
      if (typeof value !== "number") {
        skip(value);
        continue;
      }
      if (value < lab.range[0] || value > lab.range[1]) {
        skip("out-of-range");
        continue;
      }
      reading.values.push({ value, converted: value !== raw });
    }
  }
  return reading;
}

function firstValue(window: string): { values: number[]; unit?: string } | undefined {
  VALUE_AFTER.lastIndex = 0;
  let gap = 0;
  let previousEnd = 0;
  for (let match = VALUE_AFTER.exec(window); match; match = VALUE_AFTER.exec(window)) {
    gap += match.index - previousEnd;
    if (gap > MAX_GAP) return undefined;
    const date = DATE_OR_TIME.exec(window.slice(match.index));
    if (date) {
      // "on 3/12: 1.4": skip the date and keep looking.
      previousEnd = match.index + date[0].length;
      VALUE_AFTER.lastIndex = previousEnd;
      continue;
    }
    const values = [match[1], match[2]]
      .filter((part): part is string => part !== undefined)
      .map((part) => Number(part.replace(/,/g, "")));
    return { values, unit: match[3]?.replace(/\s+/g, "") };
  }
  return undefined;
}

/** Every label pattern of the table (for tests that check word boundaries). */
export function labPatterns(): { name: string; pattern: RegExp }[] {
  return (Object.values(LABS) as LabRule[]).flatMap((lab) =>
    compiled(lab).patterns.map((pattern) => ({ name: lab.name, pattern })),
  );
}
