export { formatPath } from "../core/errors.js";
export {
  type DatasetEntry,
  DatasetError,
  type DatasetKind,
  type DatasetRegistry,
  loadDatasetRegistry,
  type ResolveDatasetOptions,
  type ResolvedDataset,
  resolveDataset,
  restrictedDatasets,
} from "./datasets.js";
export { defaults } from "./defaults.js";
export { type Experiment, loadExperiment } from "./experiment.js";
export { ConfigError, loadYamlConfig, validateConfig } from "./load.js";
export {
  DEFAULT_SEED,
  defaultSeed,
  deriveSeed,
  type ResolvedSeed,
  resolvedSeeds,
  type SubSeedName,
  seedSource,
} from "./seeds.js";
export { EXPERIMENT_ENV, loadSelectedExperiment, SAMPLE_EXPERIMENT, selectedExperimentPath } from "./select.js";
