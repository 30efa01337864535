import { defaults } from "../config/defaults.js";
import { ToolkitError } from "../core/errors.js";
import { numberedLines } from "../core/lines.js";
import type { DictionaryTerm } from "./dictionary.js";
import type { EntityType, NerReject } from "./types.js";

/**
 * SNOMED CT RF2 (Release File Specification): tab-separated, UTF-8, a header row of lowerCamelCase names.
 * Descriptions: id effectiveTime active moduleId conceptId languageCode typeId term caseSignificanceId.
 * Relationships: id effectiveTime active moduleId sourceId destinationId relationshipGroup typeId
 * characteristicTypeId modifierId.
 */
export const DESCRIPTION_COLUMNS = [
  "id",
  "effectiveTime",
  "active",
  "moduleId",
  "conceptId",
  "languageCode",
  "typeId",
  "term",
  "caseSignificanceId",
] as const;
export const RELATIONSHIP_COLUMNS = [
  "id",
  "effectiveTime",
  "active",
  "moduleId",
  "sourceId",
  "destinationId",
  "relationshipGroup",
  "typeId",
  "characteristicTypeId",
  "modifierId",
] as const;

export const SNOMED_IDS = {
  fullySpecifiedName: "900000000000003001",
  synonym: "900000000000013009",
  wholeTermCaseSensitive: "900000000000017005",
  isA: "116680003",
} as const;

export interface SnomedOptions {
  /**
   * How a concept becomes a disease or a symptom. "tag": the semantic tag of its fully specified name,
   * "(disorder)" -> disease, "(finding)" -> symptom. "is-a": descendants (active is-a relationships) of
   * diseaseRoots are diseases, other descendants of symptomRoots are symptoms; needs a relationship file.
   */
  classifyBy?: "tag" | "is-a";
  diseaseRoots?: readonly string[];
  symptomRoots?: readonly string[];
  /** Also use the FSN without its tag as a term (synonyms usually already hold it). */
  includeFsn?: boolean;
}

export interface SnomedRead {
  terms: DictionaryTerm[];
  rejects: NerReject[];
  counts: { descriptions: number; concepts: { disease: number; symptom: number; other: number }; rejected: number };
}

function checkHeader(file: string, line: string, expected: readonly string[]): void {
  const found = line.replace(/^\uFEFF/, "").split("\t");
  if (found.length !== expected.length || found.some((name, i) => name !== expected[i])) {
    throw new ToolkitError(
      `${file}:1: not an RF2 file of the expected kind: header should be "${expected.join("\\t")}", found "${found.join("\\t")}"`,
      { stage: "ner", file, line: 1 },
    );
  }
}

async function readIsA(file: string, rejects: NerReject[]): Promise<Map<string, string[]>> {
  const parents = new Map<string, string[]>();
  for await (const [lineNumber, line] of numberedLines(file)) {
    if (lineNumber === 1) {
      checkHeader(file, line, RELATIONSHIP_COLUMNS);
      continue;
    }
    if (line === "") continue;
    const fields = line.split("\t");
    if (fields.length !== RELATIONSHIP_COLUMNS.length) {
      rejects.push({
        source: `${file}:${lineNumber}`,
        reason: "wrong_column_count",
        detail: `expected ${RELATIONSHIP_COLUMNS.length} tab-separated fields, found ${fields.length}`,
      });
      continue;
    }
    if (fields[2] !== "1" || fields[7] !== SNOMED_IDS.isA) continue;
    const list = parents.get(fields[4]);
    if (list) list.push(fields[5]);
    else parents.set(fields[4], [fields[5]]);
  }
  return parents;
}

/** Which of the root sets a concept descends from (memoised walk up the is-a graph; cycles are cut). */
function classifier(parents: Map<string, string[]>, roots: Set<string>): (concept: string) => boolean {
  const memo = new Map<string, boolean>();
  const visit = (concept: string, seen: Set<string>): boolean => {
    const known = memo.get(concept);
    if (known !== undefined) return known;
    if (roots.has(concept)) return true;
    if (seen.has(concept)) return false;
    seen.add(concept);
    const result = (parents.get(concept) ?? []).some((parent) => visit(parent, seen));
    memo.set(concept, result);
    return result;
  };
  return (concept) => visit(concept, new Set());
}

/** Read disease and symptom terms from an RF2 description file (and relationship file for "is-a"). */
export async function readSnomedTerms(
  files: { descriptions: string; relationships?: string },
  options: SnomedOptions = {},
): Promise<SnomedRead> {
  const classifyBy = options.classifyBy ?? defaults.ner.ontology.snomedClassifyBy;
  const rejects: NerReject[] = [];
  // conceptId -> FSN semantic tag, and the terms seen for it.
  const tags = new Map<string, string>();
  const termsByConcept = new Map<string, { term: string; caseSensitive: boolean }[]>();
  let descriptions = 0;
  let rejected = 0;
  for await (const [lineNumber, line] of numberedLines(files.descriptions)) {
    if (lineNumber === 1) {
      checkHeader(files.descriptions, line, DESCRIPTION_COLUMNS);
      continue;
    }
    if (line === "") continue;
    const fields = line.split("\t");
    if (fields.length !== DESCRIPTION_COLUMNS.length) {
      rejected++;
      rejects.push({
        source: `${files.descriptions}:${lineNumber}`,
        reason: "wrong_column_count",
        detail: `expected ${DESCRIPTION_COLUMNS.length} tab-separated fields, found ${fields.length}`,
      });
      continue;
    }
    const [, , active, , conceptId, languageCode, typeId, term, caseSignificance] = fields;
    if (active !== "1" || languageCode !== "en") continue;
    descriptions++;
    let surface = term;
    if (typeId === SNOMED_IDS.fullySpecifiedName) {
      const tag = /\(([^()]+)\)\s*$/.exec(term);
      if (tag) tags.set(conceptId, tag[1]);
      if (!options.includeFsn) continue;
      surface = term.replace(/\s*\([^()]+\)\s*$/, "");
    } else if (typeId !== SNOMED_IDS.synonym) continue;
    const list = termsByConcept.get(conceptId) ?? [];
    list.push({ term: surface, caseSensitive: caseSignificance === SNOMED_IDS.wholeTermCaseSensitive });
    termsByConcept.set(conceptId, list);
  }
  let typeOf: (concept: string) => EntityType | undefined;
  if (classifyBy === "tag") {
    typeOf = (concept) => {
      const tag = tags.get(concept);
      return tag === "disorder" ? "disease" : tag === "finding" ? "symptom" : undefined;
    };
  } else {
    if (!files.relationships)
      throw new ToolkitError(`SNOMED classifyBy "is-a" needs a relationship file (ner.ontology.snomed.relationships)`, {
        stage: "ner",
        field: "ner.ontology.snomed.relationships",
      });
    const parents = await readIsA(files.relationships, rejects);
    const isDisease = classifier(parents, new Set(options.diseaseRoots ?? defaults.ner.ontology.diseaseRoots));
    const isSymptom = classifier(parents, new Set(options.symptomRoots ?? defaults.ner.ontology.symptomRoots));
    typeOf = (concept) => (isDisease(concept) ? "disease" : isSymptom(concept) ? "symptom" : undefined);
  }
  const terms: DictionaryTerm[] = [];
  const concepts = { disease: 0, symptom: 0, other: 0 };
  for (const [conceptId, list] of termsByConcept) {
    const type = typeOf(conceptId);
    if (!type) {
      concepts.other++;
      continue;
    }
    concepts[type === "disease" ? "disease" : "symptom"]++;
    for (const entry of list) terms.push({ term: entry.term, type, caseSensitive: entry.caseSensitive });
  }
  return { terms, rejects, counts: { descriptions, concepts, rejected } };
}
