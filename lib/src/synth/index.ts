// Public surface of lib/synth: filled in by its modules.
export {};
