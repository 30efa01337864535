import { z } from "zod";

/**
 * The `export:` section of an experiment YAML (`npm run export`, docs/export.md). Owned by lib/report;
 * every field has a default; unknown keys are rejected.
 */
export const exportSection = z
  .object({
    guard: z
      .object({
        /**
         * The restricted-text guard refuses any run of this many consecutive words found in a restricted
         * dataset. 8 catches a copied sentence; fewer would refuse common clinical phrases.
         */
        minWords: z.number().int().min(4).max(64).default(8),
      })
      .strict()
      .prefault({}),
  })
  .strict();
