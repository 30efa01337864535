import { z } from "zod";

/** The `eval:` section of an experiment YAML. Owned by lib/eval; unknown keys are rejected. */
export const evalSection = z.object({}).strict();
export type EvalSection = z.output<typeof evalSection>;
