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
export {
  isTerminal,
  type JobOutcome,
  type JobState,
  SlurmJobError,
  SlurmSubmitError,
  TERMINAL_STATES,
} from "./errors.js";
export { type Figure, lossCurveFigure } from "./figures.js";
export { type FollowOptions, followJob, jobState, overallState } from "./follow-job.js";
export { hfHomeOf, memoryMiB, outputPath, resourcesFor, scratchDirOf, timeSeconds } from "./job-resources.js";
export { type JobRecord, jobRecords, parseScontrolJobs } from "./job-status.js";
export {
  type CommandJobOptions,
  finetuneRunConfig,
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
export { ensureLocalSlurm, localSlurmConf, localSlurmRunning } from "./local-cluster.js";
export { LogFollower, tailFile } from "./log-tail.js";
export {
  type ClusterProfile,
  clusterProfileSchema,
  JOB_KINDS,
  type JobKind,
  type JobResources,
  loadProfile,
  slurmClientEnv,
} from "./profile.js";
export {
  absoluteFromRoot,
  type JobSpec,
  type RenderedJob,
  type ResourceOverrides,
  renderJob,
  renderJobScript,
} from "./render-script.js";
export { checkpointRequeueLines, REQUEUE_FILE, STOP_FILE } from "./requeue.js";
export { shellCommand, shellPath, shellQuote } from "./shell-quote.js";
export {
  cancelJob,
  type SubmitOptions,
  type SubmittedJob,
  submitJob,
} from "./submit.js";
export { type LossPoint, parseTrainerLog } from "./trainer-log.js";
export {
  readApiKey,
  type ServerHandle,
  serverFileOf,
  type WaitForServerOptions,
  waitForServer,
} from "./wait-for-server.js";
export { type ServedModel, withServedModel, withServer } from "./with-server.js";
