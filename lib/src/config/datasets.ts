import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { hasMarker, ToolkitError } from "../core/errors.js";
import { projectRoot } from "../paths.js";
import { loadYamlConfig } from "./load.js";

/** What a dataset holds, which decides the reader: notes JSONL, n2c2 XML folders, annotation tables... */
export const DATASET_KINDS = ["notes", "n2c2", "apixaban", "synthetic-eval", "ner", "ontology"] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

const datasetEntry = z
  .object({
    /** Stable id used in configs and notebooks, e.g. `mimic-iv-note`. */
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "expected a lower-case id of letters, digits, '.', '_' or '-'"),
    description: z.string().min(1),
    kind: z.enum(DATASET_KINDS),
    /** File or folder, relative to the project root unless absolute. */
    path: z.string().min(1),
    /** Under a data use agreement: never committed, never printed, guarded at export. */
    restricted: z.boolean(),
    /** The agreement that governs it (required when restricted), e.g. "PhysioNet Credentialed Health Data Use Agreement 1.5.0". */
    agreement: z.string().min(1).optional(),
    /** Environment variable that, when set, overrides `path` (so cluster paths stay out of git). */
    env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, "expected an environment variable name such as MIMIC_IV_NOTE_PATH")
      .optional(),
    /** How to read it when that is not obvious from `kind`, e.g. `jsonl`, `mimic-iv-note-csv`, `xml-dir`, `csv`. */
    format: z.string().min(1).optional(),
    /** Bytes that are not UTF-8 in its files: `report` (default; counted, read as U+FFFD) or `fail`. */
    invalidUtf8: z.enum(["report", "fail"]).optional(),
    /** Named sub-paths relative to `path`, e.g. `{train: train, test: test}` for n2c2. */
    splits: z.record(z.string(), z.string().min(1)).optional(),
    /** Where to request access or read about it. */
    url: z.string().url().optional(),
  })
  .strict()
  .refine((entry) => !entry.restricted || entry.agreement !== undefined, {
    message: "a restricted dataset must name its agreement",
    path: ["agreement"],
  });

export const datasetRegistrySchema = z
  .object({
    datasets: z.array(datasetEntry).min(1, "the registry lists no datasets"),
  })
  .strict()
  .superRefine((registry, context) => {
    const seen = new Map<string, number>();
    registry.datasets.forEach((entry, index) => {
      const first = seen.get(entry.id);
      if (first !== undefined)
        context.addIssue({
          code: "custom",
          path: ["datasets", index, "id"],
          message: `duplicate id "${entry.id}" (first at datasets[${first}])`,
        });
      else seen.set(entry.id, index);
    });
  });

export type DatasetEntry = z.output<typeof datasetEntry>;
export type DatasetRegistry = z.output<typeof datasetRegistrySchema>;

/** The registry file of the project, unless an experiment names another. */
export const DEFAULT_DATASET_REGISTRY = "configs/datasets.yaml";

/**
 * Load and validate the dataset registry (a ConfigError names file, field path and expectation).
 * A relative file is resolved from the project root, as every path in configs is.
 */
export function loadDatasetRegistry(file: string = DEFAULT_DATASET_REGISTRY): DatasetRegistry {
  return loadYamlConfig(isAbsolute(file) ? file : resolve(projectRoot(), file), datasetRegistrySchema);
}

const DATASET_ERROR = Symbol.for("clinical-distill.DatasetError");

/** An unknown dataset id, or a dataset whose path is not there. Says what to set, and where. */
export class DatasetError extends ToolkitError {
  readonly [DATASET_ERROR] = true;
  readonly datasetId: string;
  /** `place`: the registry file, and the entry's field at fault (`path`, `splits.test`). */
  constructor(datasetId: string, message: string, place: { file?: string; field?: string } = {}) {
    super(message, { stage: "config", ...place });
    this.name = "DatasetError";
    this.datasetId = datasetId;
  }
  static isInstance(value: unknown): value is DatasetError {
    return hasMarker(value, DATASET_ERROR);
  }
}

export interface ResolvedDataset extends DatasetEntry {
  /** Absolute path after the env override and project-root resolution. */
  resolvedPath: string;
  /** Where the path came from. */
  pathSource: "env" | "registry";
  /** Absolute paths of the named splits, when the entry has any. */
  splitPaths: Record<string, string>;
}

export interface ResolveDatasetOptions {
  /** Environment to read overrides from (process.env unless told; tests pass their own). */
  env?: Record<string, string | undefined>;
  /** Check that the path (and every split) exists; true unless told. */
  mustExist?: boolean;
  /** Registry file name for messages. */
  registryFile?: string;
}

/**
 * Where a dataset lives on this machine: the env override if set, else the registry path, resolved
 * from the project root. Throws a DatasetError for an unknown id, or when the path (or a split) is
 * missing, saying which file or env var to set and, for restricted data, under which agreement.
 */
export function resolveDataset(
  registry: DatasetRegistry,
  id: string,
  options: ResolveDatasetOptions = {},
): ResolvedDataset {
  const registryFile = options.registryFile ?? DEFAULT_DATASET_REGISTRY;
  const entry = registry.datasets.find((item) => item.id === id);
  if (!entry)
    throw new DatasetError(
      id,
      `dataset ${id}: not in ${registryFile}; known ids: ${registry.datasets.map((item) => item.id).join(", ")}`,
      { file: registryFile },
    );
  const env = options.env ?? process.env;
  const override = entry.env ? env[entry.env]?.trim() : undefined;
  const raw = override ? override : entry.path;
  const resolvedPath = isAbsolute(raw) ? raw : resolve(projectRoot(), raw);
  const splitPaths = Object.fromEntries(
    Object.entries(entry.splits ?? {}).map(([name, sub]) => [name, isAbsolute(sub) ? sub : resolve(resolvedPath, sub)]),
  );
  if (options.mustExist ?? true) {
    const hint = `set it in ${registryFile}${entry.env ? ` or env ${entry.env}` : ""}`;
    const access = entry.restricted
      ? ` (restricted: ${entry.agreement}${entry.url ? `; access: ${entry.url}` : ""})`
      : "";
    const from = override ? ` (from env ${entry.env})` : "";
    if (!existsSync(resolvedPath))
      throw new DatasetError(id, `dataset ${id}: path ${resolvedPath}${from} does not exist; ${hint}${access}`, {
        file: registryFile,
        field: "path",
      });
    for (const [name, path] of Object.entries(splitPaths))
      if (!existsSync(path))
        throw new DatasetError(id, `dataset ${id}: split "${name}" path ${path} does not exist; ${hint}${access}`, {
          file: registryFile,
          field: `splits.${name}`,
        });
  }
  return { ...entry, resolvedPath, pathSource: override ? "env" : "registry", splitPaths };
}

/** The entries under a data use agreement (what the export guard must keep out of shared outputs). */
export function restrictedDatasets(registry: DatasetRegistry): DatasetEntry[] {
  return registry.datasets.filter((entry) => entry.restricted);
}
