import type { NerSection } from "../config/sections/ner.js";
import { defaultSeed } from "../config/seeds.js";

export interface BiobertPaths {
  /** NER JSONL with the labels to learn (teacher or human). */
  train: string;
  /** NER JSONL of the notes to label after training. */
  notes: string;
  /** Checkpoints, the final model (`final/`) and predictions go here. */
  outputDir: string;
}

/**
 * The argv of the BioBERT student's two steps (slurm/ner_train.py, slurm/ner_predict.py) with values from
 * the `ner.biobert` config; `python` is the interpreter from the cluster profile. Hand them to
 * slurm.renderCommandJob, or print them with biobertCommands.
 */
export function biobertArgv(ner: NerSection, paths: BiobertPaths, python = "python", scriptsDir = "slurm") {
  const b = ner.biobert;
  return {
    train: [
      python,
      `${scriptsDir}/ner_train.py`,
      "--train",
      paths.train,
      "--output-dir",
      paths.outputDir,
      "--model",
      b.model,
      "--epochs",
      b.epochs,
      "--learning-rate",
      b.learningRate,
      "--batch-size",
      b.batchSize,
      "--max-length",
      b.maxLength,
      "--seed",
      b.seed ?? defaultSeed("ner.biobert"),
    ],
    predict: [
      python,
      `${scriptsDir}/ner_predict.py`,
      "--model",
      `${paths.outputDir}/final`,
      "--notes",
      paths.notes,
      "--output",
      `${paths.outputDir}/predictions.jsonl`,
      "--max-length",
      b.maxLength,
    ],
  };
}

/** The same two commands as shell lines (arguments quoted where needed). */
export function biobertCommands(ner: NerSection, paths: BiobertPaths): string[] {
  const quote = (value: string | number) =>
    /^[\w@%+=:,./-]+$/.test(String(value)) ? String(value) : `'${String(value).replace(/'/g, `'\\''`)}'`;
  const argv = biobertArgv(ner, paths);
  return [argv.train.map(quote).join(" "), argv.predict.map(quote).join(" ")];
}
