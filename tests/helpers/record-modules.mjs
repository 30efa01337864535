// Records the URL of every module a process resolves, one per line, into $RECORD_MODULES_TO:
//   RECORD_MODULES_TO=out.txt node --import ./tests/helpers/record-modules.mjs ...
// Used to check what importing the library loads (tests/performance, bench/cold-start.bench.ts).
import { register } from "node:module";

if (process.env.RECORD_MODULES_TO) {
  register("./record-modules-hooks.mjs", import.meta.url, { data: process.env.RECORD_MODULES_TO });
}
