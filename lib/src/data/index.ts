// Public surface of lib/data: filled in by its modules.
export {};
