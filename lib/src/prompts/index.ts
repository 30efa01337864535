// Public surface of lib/prompts: filled in by its modules.
export {};
