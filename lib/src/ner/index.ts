// Public surface of lib/ner: filled in by its modules.
export {};
