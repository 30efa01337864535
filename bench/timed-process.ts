import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TimedRun {
  /** Wall-clock seconds of the whole process, start to exit. */
  seconds: number;
  /** User + system CPU seconds of the process and its children: steadier than wall time on a busy machine. */
  cpu: number;
  stdout: string;
}

/**
 * Run one command as a fresh process and time it. It runs under bash so that bash's `times` builtin reports
 * the child's CPU time (spawnSync does not). Throws with the command's stderr when it fails.
 */
export function timedRun(command: string, args: readonly string[], cwd: string): TimedRun {
  const dir = mkdtempSync(join(tmpdir(), "timed-run-"));
  try {
    const out = join(dir, "out");
    const err = join(dir, "err");
    const script = 'out=$1 err=$2; shift 2; "$@" >"$out" 2>"$err"; status=$?; times; exit $status';
    const start = performance.now();
    const run = spawnSync("bash", ["-c", script, "bash", out, err, command, ...args], { cwd, encoding: "utf8" });
    const seconds = (performance.now() - start) / 1000;
    if (run.status !== 0) {
      throw new Error(`${command} ${args.join(" ")} exited ${run.status}:\n${readFileSync(err, "utf8")}`);
    }
    // Second line of `times`: the children's user and system time, e.g. "0m0.412s 0m0.061s".
    const used = [...run.stdout.split("\n")[1].matchAll(/(\d+)m([\d.]+)s/g)];
    const cpu = used.reduce((sum, [, minutes, secs]) => sum + Number(minutes) * 60 + Number(secs), 0);
    return { seconds, cpu, stdout: readFileSync(out, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
