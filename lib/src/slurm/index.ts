// Public surface of lib/slurm: filled in by its modules.
export {};
