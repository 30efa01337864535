export { type Experiment, experimentSchema, loadExperiment } from "./experiment.js";
export { ConfigError, formatPath, loadYamlConfig, validateConfig } from "./load.js";
