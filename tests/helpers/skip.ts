/**
 * Skipping with a loud reason. Under CI=true, anything CI installs must be present, so a
 * "skip" there is a failure: the test throws instead of passing quietly.
 */
export function missing(what: string, howToGet: string): never | false {
  if (process.env.CI === "true") {
    throw new Error(`CI=true but ${what} is missing: ${howToGet}`);
  }
  console.warn(`\n  !!! SKIPPED: ${what} is missing (${howToGet}) !!!\n`);
  return false;
}
