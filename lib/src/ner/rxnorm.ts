import { defaults } from "../config/defaults.js";
import { numberedLines } from "../core/lines.js";
import type { DictionaryTerm } from "./dictionary.js";
import type { NerReject } from "./types.js";

/**
 * RxNorm's RXNCONSO.RRF: one atom per line, 18 pipe-delimited fields and a trailing pipe:
 * RXCUI|LAT|TS|LUI|STT|SUI|ISPREF|RXAUI|SAUI|SCUI|SDUI|SAB|TTY|CODE|STR|SRL|SUPPRESS|CVF|
 */
export const RXNCONSO_COLUMNS = [
  "RXCUI",
  "LAT",
  "TS",
  "LUI",
  "STT",
  "SUI",
  "ISPREF",
  "RXAUI",
  "SAUI",
  "SCUI",
  "SDUI",
  "SAB",
  "TTY",
  "CODE",
  "STR",
  "SRL",
  "SUPPRESS",
  "CVF",
] as const;

export interface RxnormOptions {
  /** Term types to keep. Default: ingredients (IN, PIN, MIN), brands (BN), clinical and branded drugs (SCD, SBD). */
  termTypes?: readonly string[];
  /** Source vocabularies to keep (default RXNORM only: RXNCONSO also carries other sources' atoms). */
  sources?: readonly string[];
  /** Keep suppressed/obsolete atoms (SUPPRESS other than N)? Default false. */
  includeSuppressed?: boolean;
}

export interface RxnormRead {
  terms: DictionaryTerm[];
  rejects: NerReject[];
  counts: { rows: number; kept: number; filtered: number; rejected: number };
}

/** ner.ontology.rxnormTermTypes' default: ingredients, brands and clinical drugs. */
export const DEFAULT_RXNORM_TERM_TYPES: readonly string[] = defaults.ner.ontology.rxnormTermTypes;

/** Read medication names from RXNCONSO.RRF. Rows with the wrong column count are rejects naming the line. */
export async function readRxnormTerms(file: string, options: RxnormOptions = {}): Promise<RxnormRead> {
  const termTypes = new Set(options.termTypes ?? DEFAULT_RXNORM_TERM_TYPES);
  const sources = new Set(options.sources ?? ["RXNORM"]);
  const terms: DictionaryTerm[] = [];
  const rejects: NerReject[] = [];
  const counts = { rows: 0, kept: 0, filtered: 0, rejected: 0 };
  for await (const [lineNumber, line] of numberedLines(file)) {
    if (line === "") continue;
    counts.rows++;
    const fields = line.split("|");
    // 18 fields plus the empty string after the trailing pipe.
    if (fields.length !== RXNCONSO_COLUMNS.length + 1 || fields[RXNCONSO_COLUMNS.length] !== "") {
      counts.rejected++;
      rejects.push({
        source: `${file}:${lineNumber}`,
        reason: "wrong_column_count",
        detail: `expected ${RXNCONSO_COLUMNS.length} pipe-delimited fields and a trailing pipe, found ${fields.length - (fields.at(-1) === "" ? 1 : 0)} fields${fields.at(-1) === "" ? "" : " without the trailing pipe"}`,
      });
      continue;
    }
    const lat = fields[1];
    const sab = fields[11];
    const tty = fields[12];
    const str = fields[14];
    const suppress = fields[16];
    if (lat !== "ENG" || !sources.has(sab) || !termTypes.has(tty) || (!options.includeSuppressed && suppress !== "N")) {
      counts.filtered++;
      continue;
    }
    if (str.trim() === "") {
      counts.rejected++;
      rejects.push({ source: `${file}:${lineNumber}`, reason: "empty_term", detail: "STR (field 15) is empty" });
      continue;
    }
    terms.push({ term: str, type: "medication" });
    counts.kept++;
  }
  return { terms, rejects, counts };
}
