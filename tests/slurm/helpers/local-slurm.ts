import { execaSync } from "execa";
import { ensureLocalSlurm, localSlurmRunning } from "../../../lib/src/slurm/index.js";
import { missing } from "../../helpers/skip.js";

/**
 * Start the local one-node cluster when it is not running. Returns false (after a loud warning; under CI=true
 * it throws) when SLURM is not installed or cannot be started here.
 */
export async function ensureLocalSlurmForTests(): Promise<boolean> {
  if (await localSlurmRunning()) return true;
  const installed = execaSync("bash", ["-c", "command -v slurmctld && command -v sbatch"], { reject: false });
  if (installed.exitCode !== 0 && process.getuid?.() !== 0) {
    return missing("SLURM (slurmctld, sbatch)", "apt-get install slurm-wlm munge, then scripts/slurm-local.sh start");
  }
  try {
    await ensureLocalSlurm({ quiet: true });
    return true;
  } catch (error) {
    return missing("a running local SLURM cluster", (error as Error).message);
  }
}
