// Public surface of lib/slurm: cluster profiles, sbatch rendering, submission, following, the local test cluster.
export { joinBatchOutputs, splitBatchFile } from "./batch-chunks.js";
export {
  type ChainJobStatus,
  cancelChain,
  chainRecordFile,
  chainStatus,
  type FollowChainOptions,
  followChain,
  formatChainStatus,
  readChain,
  type SubmitChainOptions,
  submitChain,
} from "./chain.js";
export { type JobOutcome, type JobState, SlurmJobError, SlurmSubmitError } from "./errors.js";
export { type Figure, lossCurveFigure } from "./figures.js";
export { type FollowOptions, followJob, jobState } from "./follow-job.js";
export { hfHomeOf, outputPath, resourcesFor } from "./job-resources.js";
export { type JobRecord, jobRecords } from "./job-status.js";
export {
  type CommandJobOptions,
  forTeacher,
  type JobExperiment,
  type JobOptions,
  type RunBatchOptions,
  renderCommandJob,
  renderFinetuneJob,
  renderMergeJob,
  renderRunBatchJob,
  renderServeJob,
  type ServingLayout,
  servingLayout,
} from "./jobs.js";
export { ensureLocalSlurm, localSlurmRunning } from "./local-cluster.js";
export { tailFile } from "./log-tail.js";
export { type ClusterProfile, clusterProfileSchema, type JobKind, type JobResources, loadProfile } from "./profile.js";
export { type JobSpec, type RenderedJob, type ResourceOverrides, renderJob, renderJobScript } from "./render-script.js";
export { shellCommand, shellPath, shellQuote } from "./shell-quote.js";
export {
  cancelJob,
  type SubmitOptions,
  type SubmittedJob,
  submitJob,
} from "./submit.js";
export { type LossPoint, parseTrainerLog } from "./trainer-log.js";
export { readApiKey, type ServerHandle, type WaitForServerOptions, waitForServer } from "./wait-for-server.js";
export { type ServedModel, withServedModel, withServer } from "./with-server.js";
