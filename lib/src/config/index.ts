export {
  DATASET_KINDS,
  type DatasetEntry,
  DatasetError,
  type DatasetKind,
  type DatasetRegistry,
  DEFAULT_DATASET_REGISTRY,
  datasetRegistrySchema,
  loadDatasetRegistry,
  type ResolveDatasetOptions,
  type ResolvedDataset,
  resolveDataset,
  restrictedDatasets,
} from "./datasets.js";
export { type Experiment, experimentSchema, loadExperiment } from "./experiment.js";
export { ConfigError, formatPath, loadYamlConfig, validateConfig } from "./load.js";
export {
  DEFAULT_SEED,
  defaultSeed,
  deriveSeed,
  type ResolvedSeed,
  resolvedSeeds,
  SUB_SEEDS,
  type SubSeedName,
  seedSource,
} from "./seeds.js";
export { EXPERIMENT_ENV, loadSelectedExperiment, SAMPLE_EXPERIMENT, selectedExperimentPath } from "./select.js";
