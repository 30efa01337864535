// Public surface of lib/report: filled in by its modules.
export {};
