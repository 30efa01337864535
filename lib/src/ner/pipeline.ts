import { ToolkitError } from "../core/errors.js";
import { createRng, shuffleInPlace } from "../core/random.js";
import { Dictionary, type DictionaryOptions } from "./dictionary.js";
import type { F1Row } from "./figures.js";
import type { EntityReport } from "./metrics.js";
import { readRxnormTerms } from "./rxnorm.js";
import { readSnomedTerms, type SnomedOptions } from "./snomed.js";
import type { NerNote, NerReject, Span } from "./types.js";

export interface OntologySources {
  rxnorm?: string;
  rxnormTermTypes?: readonly string[];
  snomedDescriptions?: string;
  snomedRelationships?: string;
  snomed?: SnomedOptions;
  dictionary?: DictionaryOptions;
}

/** The ontology teacher: RxNorm medication names plus SNOMED CT disease and symptom terms in one matcher. */
export async function buildOntologyDictionary(sources: OntologySources) {
  const rejects: NerReject[] = [];
  const terms = [];
  const counts: Record<string, unknown> = {};
  if (sources.rxnorm) {
    const rxnorm = await readRxnormTerms(sources.rxnorm, { termTypes: sources.rxnormTermTypes });
    terms.push(...rxnorm.terms);
    rejects.push(...rxnorm.rejects);
    counts.rxnorm = rxnorm.counts;
  }
  if (sources.snomedDescriptions) {
    const snomed = await readSnomedTerms(
      { descriptions: sources.snomedDescriptions, relationships: sources.snomedRelationships },
      sources.snomed,
    );
    terms.push(...snomed.terms);
    rejects.push(...snomed.rejects);
    counts.snomed = snomed.counts;
  }
  const dictionary = new Dictionary(terms, sources.dictionary);
  return { dictionary, rejects, counts };
}

/** Run a labeler over notes: spans per note id. */
export function labelAll(
  notes: readonly Pick<NerNote, "id" | "text">[],
  label: (text: string) => Span[],
): Map<string, Span[]> {
  return new Map(notes.map((note) => [note.id, label(note.text)]));
}

/** Rows for f1ByTypeFigure and tables: per type, then "micro" and "macro". */
export function f1Rows(labeler: string, report: EntityReport, mode: "strict" | "lenient" = "strict"): F1Row[] {
  const scores = report[mode];
  return [
    ...Object.entries(scores.perType).map(([type, s]) => ({ labeler, type, f1: s.f1, f1Ci: s.f1Ci })),
    { labeler, type: "micro", f1: scores.micro.f1, f1Ci: scores.micro.f1Ci },
    { labeler, type: "macro", f1: scores.macro.f1, f1Ci: scores.macro.f1Ci },
  ];
}

/** One summary row per labeler for a table: strict and lenient micro P/R/F1 with the F1 interval. */
export function summaryRow(labeler: string, report: EntityReport): Record<string, string | number> {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const ci = (c?: [number, number]) => (c ? `[${round(c[0])}, ${round(c[1])}]` : "");
  return {
    labeler,
    strictP: round(report.strict.micro.precision),
    strictR: round(report.strict.micro.recall),
    strictF1: round(report.strict.micro.f1),
    strictF1Ci: ci(report.strict.micro.f1Ci),
    lenientF1: round(report.lenient.micro.f1),
    macroF1: round(report.strict.macro.f1),
  };
}

/**
 * Split notes into train and test by note (a note's spans never land on both sides), seeded. At least one
 * note goes to each side when there are two or more.
 */
export function splitNotes<T extends { id: string }>(
  notes: readonly T[],
  options: { testFraction: number; seed: number },
) {
  if (!(options.testFraction > 0 && options.testFraction < 1))
    throw new ToolkitError("splitNotes: testFraction must be between 0 and 1", { stage: "ner", field: "testFraction" });
  const ids = shuffleInPlace([...new Set(notes.map((note) => note.id))].sort(), createRng(options.seed));
  let testCount = Math.round(ids.length * options.testFraction);
  if (ids.length >= 2) testCount = Math.min(Math.max(testCount, 1), ids.length - 1);
  const testIds = new Set(ids.slice(0, testCount));
  return { train: notes.filter((note) => !testIds.has(note.id)), test: notes.filter((note) => testIds.has(note.id)) };
}
