// Public surface of the evaluation tasks (synthetic, n2c2, apixaban, baseline, comparison).
export {};
