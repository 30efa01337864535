import { z } from "zod";

/** The `synth:` section of an experiment YAML. Owned by lib/synth; unknown keys are rejected. */
export const synthSection = z.object({}).strict();
export type SynthSection = z.output<typeof synthSection>;
