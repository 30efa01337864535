/**
 * Unit conversion for the labs the evaluation tasks ask about, so a value written in another
 * country's units ("creatinine 120 µmol/L", "HbA1c 58 mmol/mol", "glucose 7.2 mmol/L") is compared
 * in the question's unit instead of falling outside a range or failing an exact match.
 *
 * Factors (documented in docs/metrics.md):
 * - creatinine: 1 mg/dL = 88.4 µmol/L (molar mass 113.12 g/mol);
 * - HbA1c: IFCC mmol/mol = (NGSP % - 2.15) x 10.929 (the IFCC-NGSP master equation);
 * - glucose: 1 mmol/L = 18.016 mg/dL (molar mass 180.16 g/mol).
 */

export type Analyte = "creatinine" | "hba1c" | "glucose";

/** The unit each analyte is reported in by the tasks (US conventional units, as n2c2 and MIMIC write them). */
export const CANONICAL_UNIT: Record<Analyte, string> = {
  creatinine: "mg/dL",
  hba1c: "%",
  glucose: "mg/dL",
};

const CREATININE_UMOL_PER_MGDL = 88.4;
const GLUCOSE_MGDL_PER_MMOL = 18.016;
const HBA1C_IFCC_SLOPE = 10.929;
const HBA1C_IFCC_OFFSET = 2.15;

/** A unit string reduced for comparison: lower case, no spaces, µ/μ/u/mc as one micro sign. */
export function unitKey(unit: string): string {
  return unit
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, "")
    .replace(/[μµ]/g, "u")
    .replace(/^(?:mc|micro)(?=mol)/, "u")
    .replace(/^per(?!cent)/, "/")
    .replace(/\.$/, "");
}

type Conversion = (value: number) => number;

// Unit keys (after unitKey) that each analyte may be written in, with the conversion to its canonical unit.
const CONVERSIONS: Record<Analyte, Record<string, Conversion>> = {
  creatinine: {
    "mg/dl": (value) => value,
    "mg%": (value) => value,
    "umol/l": (value) => value / CREATININE_UMOL_PER_MGDL,
    "mmol/l": (value) => (value * 1000) / CREATININE_UMOL_PER_MGDL,
  },
  hba1c: {
    "%": (value) => value,
    percent: (value) => value,
    "mmol/mol": (value) => value / HBA1C_IFCC_SLOPE + HBA1C_IFCC_OFFSET,
  },
  glucose: {
    "mg/dl": (value) => value,
    "mmol/l": (value) => value * GLUCOSE_MGDL_PER_MMOL,
  },
};

/** Which analyte a question or lab label names, if one of those with conversions. */
export function analyteOf(text: string): Analyte | undefined {
  if (/\b(?:hb|hgb)?\s?a1c\b|glyc(?:osyl)?ated h(?:a)?emoglobin|\bhba1c\b/i.test(text)) return "hba1c";
  if (/creatinine/i.test(text)) return "creatinine";
  if (/glucose|blood sugar|\bbsl\b|\bbgl\b/i.test(text)) return "glucose";
  return undefined;
}

export type UnitConversion =
  | { ok: true; value: number; unit: string; converted: boolean }
  | { ok: false; reason: "unknown_unit"; unit: string };

/**
 * `value` written in `unit` as the analyte's canonical unit. No unit means the canonical one (what a
 * model asked for "the creatinine in mg/dL" writes). A unit the analyte is never written in is refused,
 * not guessed.
 */
export function toCanonicalUnit(analyte: Analyte, value: number, unit: string | null | undefined): UnitConversion {
  const canonical = CANONICAL_UNIT[analyte];
  if (unit === null || unit === undefined || unit.trim() === "")
    return { ok: true, value, unit: canonical, converted: false };
  const convert = CONVERSIONS[analyte][unitKey(unit)];
  if (!convert) return { ok: false, reason: "unknown_unit", unit };
  const converted = convert(value);
  return { ok: true, value: converted, unit: canonical, converted: unitKey(unit) !== unitKey(canonical) };
}

/**
 * A unitless value's most likely unit from its size, for text that drops units (lab tables, "Cr 120"):
 * creatinine above 20 is µmol/L (no serum creatinine reaches 20 mg/dL); HbA1c above 20 is mmol/mol (no
 * NGSP value reaches 20 %); glucose below 35 is mmol/L. Returns undefined when the size says nothing.
 */
export function unitFromMagnitude(analyte: Analyte, value: number): string | undefined {
  switch (analyte) {
    case "creatinine":
      return value > 20 ? "µmol/L" : undefined;
    case "hba1c":
      return value > 20 ? "mmol/mol" : undefined;
    case "glucose":
      return value < 35 ? "mmol/L" : undefined;
  }
}

/** Whether `unit` is one the analyte is written in (any of those `toCanonicalUnit` converts). */
export function isLabUnit(analyte: Analyte, unit: string): boolean {
  return CONVERSIONS[analyte][unitKey(unit)] !== undefined;
}

// The inverse of each conversion, from the canonical unit back to the unit written.
const FROM_CANONICAL: Record<Analyte, Record<string, Conversion>> = {
  creatinine: {
    "mg/dl": (value) => value,
    "mg%": (value) => value,
    "umol/l": (value) => value * CREATININE_UMOL_PER_MGDL,
    "mmol/l": (value) => (value * CREATININE_UMOL_PER_MGDL) / 1000,
  },
  hba1c: {
    "%": (value) => value,
    percent: (value) => value,
    "mmol/mol": (value) => (value - HBA1C_IFCC_OFFSET) * HBA1C_IFCC_SLOPE,
  },
  glucose: {
    "mg/dl": (value) => value,
    "mmol/l": (value) => value / GLUCOSE_MGDL_PER_MMOL,
  },
};

// Decimals labs report each unit to (creatinine 1.24 mg/dL or 110 µmol/L, HbA1c 7.5 % or 58 mmol/mol,
// glucose 130 mg/dL or 7.2 mmol/L). A converted value is rounded to them, so 106 µmol/L is 1.2 mg/dL and
// matches a gold of 1.2 exactly, as a clinician reading both would say.
const REPORT_DECIMALS: Record<Analyte, Record<string, number>> = {
  creatinine: { "mg/dl": 2, "mg%": 2, "umol/l": 0, "mmol/l": 3 },
  hba1c: { "%": 1, percent: 1, "mmol/mol": 0 },
  glucose: { "mg/dl": 0, "mmol/l": 1 },
};

/**
 * `value` in `from` expressed in `to` (both units of the analyte), rounded to the decimals labs report
 * `to` in; undefined when either unit is not one of the analyte's.
 */
export function convertLabUnit(analyte: Analyte, value: number, from: string, to: string): number | undefined {
  const toKey = unitKey(to);
  const intoCanonical = CONVERSIONS[analyte][unitKey(from)];
  const outOfCanonical = FROM_CANONICAL[analyte][toKey];
  if (!intoCanonical || !outOfCanonical) return undefined;
  if (unitKey(from) === toKey) return value;
  const scale = 10 ** (REPORT_DECIMALS[analyte][toKey] ?? 2);
  return Math.round(outOfCanonical(intoCanonical(value)) * scale) / scale;
}
