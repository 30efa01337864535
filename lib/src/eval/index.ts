// Public surface of lib/eval: filled in by its modules.
export {};
