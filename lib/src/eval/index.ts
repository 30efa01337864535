// Public surface of lib/eval: answer parsing, metrics, scorers; tasks come from ./tasks.
export * from "./tasks/index.js";
