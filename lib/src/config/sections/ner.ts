import { z } from "zod";

/** The `ner:` section of an experiment YAML. Owned by lib/ner; unknown keys are rejected. */
export const nerSection = z.object({}).strict();
export type NerSection = z.output<typeof nerSection>;
