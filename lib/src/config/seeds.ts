import { deriveSeed } from "../core/random.js";

export { deriveSeed };

/**
 * Named sub-seeds: every random choice in the pipeline takes its seed from the experiment's top-level
 * `seed:` through deriveSeed(seed, name), so one `seed:` change moves all of them, and two choices never
 * share a stream by accident. A seed written in its section wins (recorded as explicit). The table in
 * docs/seeds.md lists the same rows.
 */

/** The experiment seed when the YAML states none; library functions called without a seed use its sub-seeds. */
export const DEFAULT_SEED = 42;

/** Sub-seed name -> the config field that overrides it. */
export const SUB_SEEDS = {
  "synth.teacher": "synth.teacher.seed",
  "synth.prepare": "synth.prepare.seed",
  "eval.sampling": "eval.sampling.seed",
  bootstrap: "eval.bootstrap.seed",
  "ner.split": "ner.data.seed",
  "ner.student": "ner.student.seed",
  "ner.biobert": "ner.biobert.seed",
  "ner.metrics": "ner.metrics.seed",
} as const;
export type SubSeedName = keyof typeof SUB_SEEDS;

/** The sub-seed an experiment with the default seed uses: the default of a library function called without one. */
export function defaultSeed(name: SubSeedName): number {
  return deriveSeed(DEFAULT_SEED, name);
}

/** The seed fields of a parsed experiment, before the derived ones are filled in (undefined = derive). */
interface SeedFields {
  seed: number;
  synth: { teacher: { seed?: number }; prepare: { seed?: number } };
  eval: { sampling: { seed?: number }; bootstrap: { seed?: number } };
  ner: { data: { seed?: number }; student: { seed?: number }; biobert: { seed?: number }; metrics: { seed?: number } };
}

function seedAt(experiment: SeedFields, name: SubSeedName): number | undefined {
  switch (name) {
    case "synth.teacher":
      return experiment.synth.teacher.seed;
    case "synth.prepare":
      return experiment.synth.prepare.seed;
    case "eval.sampling":
      return experiment.eval.sampling.seed;
    case "bootstrap":
      return experiment.eval.bootstrap.seed;
    case "ner.split":
      return experiment.ner.data.seed;
    case "ner.student":
      return experiment.ner.student.seed;
    case "ner.biobert":
      return experiment.ner.biobert.seed;
    case "ner.metrics":
      return experiment.ner.metrics.seed;
  }
}

/** An experiment whose sub-seeds are all filled in. */
export type WithSeeds<E extends SeedFields> = E & {
  synth: { teacher: { seed: number }; prepare: { seed: number } };
  eval: { sampling: { seed: number }; bootstrap: { seed: number } };
  ner: { data: { seed: number }; student: { seed: number }; biobert: { seed: number }; metrics: { seed: number } };
};

/**
 * The experiment with every unset sub-seed filled in from `seed` (the schema's last step, so that
 * `experiment.ner.student.seed` and the like are the seeds actually used).
 */
export function withDerivedSeeds<E extends SeedFields>(experiment: E): WithSeeds<E> {
  const seed = (name: SubSeedName): number => seedAt(experiment, name) ?? deriveSeed(experiment.seed, name);
  const { synth, eval: evaluation, ner } = experiment;
  return {
    ...experiment,
    synth: {
      ...synth,
      teacher: { ...synth.teacher, seed: seed("synth.teacher") },
      prepare: { ...synth.prepare, seed: seed("synth.prepare") },
    },
    eval: {
      ...evaluation,
      sampling: { ...evaluation.sampling, seed: seed("eval.sampling") },
      bootstrap: { ...evaluation.bootstrap, seed: seed("bootstrap") },
    },
    ner: {
      ...ner,
      data: { ...ner.data, seed: seed("ner.split") },
      student: { ...ner.student, seed: seed("ner.student") },
      biobert: { ...ner.biobert, seed: seed("ner.biobert") },
      metrics: { ...ner.metrics, seed: seed("ner.metrics") },
    },
  };
}

/** One row of the seed record: the sub-seed, its value and where the value came from. */
export interface ResolvedSeed {
  name: SubSeedName | "finetune" | "vllm";
  /** The config field that sets it. */
  setting: string;
  value: number;
  /** "explicit (<setting>)", `derived from seed N as "<name>"`, or "seed (as is)". */
  source: string;
}

/**
 * Where one sub-seed's value comes from. A value equal to its derived one is reported as derived (it is the
 * same number); any other value was set in the config (or in code after loading) and is explicit.
 */
export function seedSource(experimentSeed: number, name: SubSeedName, value: number): string {
  return value === deriveSeed(experimentSeed, name)
    ? `derived from seed ${experimentSeed} as "${name}"`
    : `explicit (${SUB_SEEDS[name]})`;
}

/**
 * Every seed the experiment uses, for manifests, dataset cards and score files. Sub-seeds left unset are
 * derived (see deriveSeed); the fine-tuning and vLLM jobs take the experiment seed itself.
 */
export function resolvedSeeds(experiment: SeedFields): ResolvedSeed[] {
  const rows: ResolvedSeed[] = (Object.keys(SUB_SEEDS) as SubSeedName[]).map((name) => {
    const value = seedAt(experiment, name) ?? deriveSeed(experiment.seed, name);
    return { name, setting: SUB_SEEDS[name], value, source: seedSource(experiment.seed, name, value) };
  });
  for (const name of ["finetune", "vllm"] as const) {
    rows.push({ name, setting: "seed", value: experiment.seed, source: "seed (as is)" });
  }
  return rows;
}
