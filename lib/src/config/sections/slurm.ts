import { z } from "zod";

/** The `slurm:` section of an experiment YAML. Owned by lib/slurm; unknown keys are rejected. */
export const slurmSection = z.object({}).strict();
export type SlurmSection = z.output<typeof slurmSection>;
