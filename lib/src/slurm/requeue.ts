// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are bash, where ${VAR} is meant literally
import { shellQuote } from "./shell-quote.js";

/** Files the job script and the trainer (slurm/common.py, same names) share in the checkpoint folder. */
export const STOP_FILE = ".clinical-distill-stop";
export const REQUEUE_FILE = ".clinical-distill-requeue";

/** Seconds of warning before the time limit when the experiment gives none. */
export const DEFAULT_USR1_BEFORE_LIMIT_S = 600;

/**
 * Job body lines that run `launch` (one shell line) so the job survives its time limit: SLURM sends USR1 to
 * the batch shell (`--signal=B:USR1@N`); the trap creates STOP_FILE; the trainer sees it at its next step,
 * saves a checkpoint, writes REQUEUE_FILE and exits 0; the script then requeues the job
 * (`scontrol requeue`), which starts again later and resumes from that checkpoint. A file, not a signal to
 * the trainer, because `accelerate launch` would pass USR1 to no one (torch's launcher would just die).
 */
export function checkpointRequeueLines(launch: string, checkpointDir: string): string[] {
  const dir = shellQuote(checkpointDir);
  return [
    `mkdir -p ${dir}`,
    `STOP_FILE=${dir}/${STOP_FILE}`,
    `REQUEUE_FILE=${dir}/${REQUEUE_FILE}`,
    'rm -f "$STOP_FILE" "$REQUEUE_FILE"',
    "# USR1 comes before the time limit (--signal=B:USR1@N) or from `scancel --signal=USR1 --batch`.",
    `trap 'echo "[clinical-distill] USR1: asking the trainer to save a checkpoint and stop"; touch "$STOP_FILE"' USR1`,
    `${launch} &`,
    "TRAIN_PID=$!",
    "# A trapped signal interrupts `wait`: wait again until the trainer has really exited.",
    "while :; do",
    '  wait "$TRAIN_PID" && STATUS=0 || STATUS=$?',
    '  kill -0 "$TRAIN_PID" 2>/dev/null || break',
    "done",
    'if [[ "$STATUS" -eq 0 && -f "$REQUEUE_FILE" ]]; then',
    '  rm -f "$STOP_FILE" "$REQUEUE_FILE"',
    '  echo "[clinical-distill] checkpoint saved; requeueing job ${SLURM_JOB_ID} (it resumes from the checkpoint)"',
    '  scontrol requeue "$SLURM_JOB_ID"',
    "  exit 0",
    "fi",
    'rm -f "$STOP_FILE"',
    'exit "$STATUS"',
  ];
}
