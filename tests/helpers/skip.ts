import { appendFileSync } from "node:fs";

/**
 * Skipping with a loud reason. Under CI=true, anything CI installs must be present, so a
 * "skip" there is a failure: the test throws instead of passing quietly. Otherwise the skip is
 * printed and recorded for the runner's summary line (scripts/run-tests.ts counts it as skipped).
 */
export const SKIP_LOG_ENV = "CLINICAL_DISTILL_SKIP_LOG";

export function missing(what: string, howToGet: string): never | false {
  if (process.env.CI === "true") {
    throw new Error(`CI=true but ${what} is missing: ${howToGet}`);
  }
  console.warn(`\n  !!! SKIPPED: ${what} is missing (${howToGet}) !!!\n`);
  const log = process.env[SKIP_LOG_ENV];
  if (log) appendFileSync(log, `${JSON.stringify({ what, howToGet })}\n`);
  return false;
}
