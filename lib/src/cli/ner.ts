import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { loadExperiment } from "../config/experiment.js";
import type { NerSection } from "../config/sections/ner.js";
import { biobertCommands } from "../ner/biobert.js";
import { readBratDir, writeBratDir } from "../ner/brat.js";
import { readNerJsonl, writeNerJsonl } from "../ner/jsonl.js";
import { evaluateEntities } from "../ner/metrics.js";
import { buildOntologyDictionary, summaryRow } from "../ner/pipeline.js";
import { PerceptronTagger } from "../ner/student.js";
import { type EntityType, isEntityType, type NerNote, type NerReject } from "../ner/types.js";
import { resolveFromRoot } from "../paths.js";
import type { Command, CommandTable } from "./command.js";

/** `clinical-distill ner <command>`: the NER distillation steps for headless runs. */

function options(args: string[], spec: Record<string, { type: "string" | "boolean" }>) {
  return parseArgs({ args, options: { ...spec, help: { type: "boolean" } }, allowPositionals: false, strict: true })
    .values as Record<string, string | boolean | undefined>;
}

function required(values: Record<string, unknown>, name: string, usage: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new Error(`--${name} is required\nusage: ${usage}`);
  return resolveFromRoot(value);
}

function nerConfig(values: Record<string, unknown>): NerSection {
  return loadExperiment(
    resolveFromRoot(typeof values.config === "string" ? values.config : "configs/experiments/sample.yaml"),
  ).ner;
}

/** Print reject counts by reason and the first few rows, so nothing is dropped silently. */
function reportRejects(rejects: readonly NerReject[]): void {
  if (rejects.length === 0) return;
  const byReason = new Map<string, number>();
  for (const reject of rejects) byReason.set(reject.reason, (byReason.get(reject.reason) ?? 0) + 1);
  console.error(`rejected: ${[...byReason].map(([reason, n]) => `${reason} ${n}`).join(", ")}`);
  for (const reject of rejects.slice(0, 10)) console.error(`  ${reject.source}: ${reject.reason}: ${reject.detail}`);
  if (rejects.length > 10) console.error(`  ... ${rejects.length - 10} more`);
}

function parseTypeMap(text: string | undefined): Record<string, EntityType> {
  const map: Record<string, EntityType> = {};
  for (const pair of (text ?? "").split(",").filter(Boolean)) {
    const [from, to] = pair.split("=");
    if (!from || !to || !isEntityType(to))
      throw new Error(`--type-map: "${pair}" should be Name=medication|disease|symptom`);
    map[from] = to;
  }
  return map;
}

async function readNotes(file: string): Promise<NerNote[]> {
  const read = await readNerJsonl(file);
  reportRejects(read.rejects);
  for (const warning of read.warnings)
    console.error(`  warning: ${warning.source}: ${warning.reason}: ${warning.detail}`);
  return read.notes;
}

const importBrat: Command = {
  summary: "BRAT folder (.txt + .ann) -> NER JSONL",
  usage: "ner import-brat --dir DIR --out FILE.jsonl [--type-map Drug=medication,...] [--ignore-types Strength,Dosage]",
  async run(args) {
    const values = options(args, {
      dir: { type: "string" },
      out: { type: "string" },
      "type-map": { type: "string" },
      "ignore-types": { type: "string" },
    });
    if (values.help) {
      console.log(this.usage);
      return 0;
    }
    const read = await readBratDir(required(values, "dir", this.usage!), {
      typeMap: parseTypeMap(values["type-map"] as string),
      ignoreTypes: String(values["ignore-types"] ?? "")
        .split(",")
        .filter(Boolean),
    });
    reportRejects(read.rejects);
    await writeNerJsonl(required(values, "out", this.usage!), read.notes);
    console.log(
      `${read.notes.length} notes, ${read.notes.reduce((n, note) => n + note.spans.length, 0)} spans, ${read.rejects.length} rejects, ignored ${JSON.stringify(read.ignored)}`,
    );
    return 0;
  },
};

const exportBrat: Command = {
  summary: "NER JSONL -> BRAT folder",
  usage: "ner export-brat --notes FILE.jsonl --dir DIR",
  async run(args) {
    const values = options(args, { notes: { type: "string" }, dir: { type: "string" } });
    if (values.help) {
      console.log(this.usage);
      return 0;
    }
    const notes = await readNotes(required(values, "notes", this.usage!));
    console.log(`${await writeBratDir(required(values, "dir", this.usage!), notes)} notes written`);
    return 0;
  },
};

const labelOntology: Command = {
  summary: "label notes with the RxNorm + SNOMED CT dictionary teacher",
  usage: "ner label-ontology --notes FILE.jsonl --out FILE.jsonl [--config EXPERIMENT.yaml]",
  async run(args) {
    const values = options(args, { notes: { type: "string" }, out: { type: "string" }, config: { type: "string" } });
    if (values.help) {
      console.log(this.usage);
      return 0;
    }
    const ontology = nerConfig(values).ontology;
    const built = await buildOntologyDictionary({
      rxnorm: resolveFromRoot(ontology.rxnorm),
      rxnormTermTypes: ontology.rxnormTermTypes,
      snomedDescriptions: resolveFromRoot(ontology.snomedDescriptions),
      snomedRelationships:
        ontology.snomedClassifyBy === "is-a" ? resolveFromRoot(ontology.snomedRelationships) : undefined,
      snomed: {
        classifyBy: ontology.snomedClassifyBy,
        diseaseRoots: ontology.diseaseRoots,
        symptomRoots: ontology.symptomRoots,
      },
      dictionary: { minTermChars: ontology.minTermChars, stopTerms: ontology.stopTerms },
    });
    reportRejects(built.rejects);
    const notes = await readNotes(required(values, "notes", this.usage!));
    const labelled = notes.map((note) => ({ ...note, spans: built.dictionary.match(note.text) }));
    await writeNerJsonl(required(values, "out", this.usage!), labelled);
    console.log(
      `${built.dictionary.stats.terms} terms; ${labelled.length} notes, ${labelled.reduce((n, note) => n + note.spans.length, 0)} spans`,
    );
    return 0;
  },
};

const trainStudent: Command = {
  summary: "train the TypeScript perceptron student on labelled notes",
  usage: "ner train-student --train FILE.jsonl --model OUT.json [--config EXPERIMENT.yaml]",
  async run(args) {
    const values = options(args, { train: { type: "string" }, model: { type: "string" }, config: { type: "string" } });
    if (values.help) {
      console.log(this.usage);
      return 0;
    }
    const student = nerConfig(values).student;
    const notes = await readNotes(required(values, "train", this.usage!));
    const { tagger, stats } = PerceptronTagger.train(notes, student);
    await tagger.save(required(values, "model", this.usage!));
    console.log(JSON.stringify(stats));
    return 0;
  },
};

const predictStudent: Command = {
  summary: "label notes with a trained TypeScript student",
  usage: "ner predict-student --model MODEL.json --notes FILE.jsonl --out FILE.jsonl",
  async run(args) {
    const values = options(args, { model: { type: "string" }, notes: { type: "string" }, out: { type: "string" } });
    if (values.help) {
      console.log(this.usage);
      return 0;
    }
    const tagger = await PerceptronTagger.load(required(values, "model", this.usage!));
    const notes = await readNotes(required(values, "notes", this.usage!));
    await writeNerJsonl(
      required(values, "out", this.usage!),
      notes.map((note) => ({ ...note, spans: tagger.predict(note.text) })),
    );
    console.log(`${notes.length} notes labelled`);
    return 0;
  },
};

const evaluate: Command = {
  summary: "entity P/R/F1 (strict + lenient, per type, micro + macro, bootstrap CIs) of predictions vs gold",
  usage: "ner evaluate --gold FILE.jsonl --pred FILE.jsonl [--out REPORT.json] [--config EXPERIMENT.yaml]",
  async run(args) {
    const values = options(args, {
      gold: { type: "string" },
      pred: { type: "string" },
      out: { type: "string" },
      config: { type: "string" },
    });
    if (values.help) {
      console.log(this.usage);
      return 0;
    }
    const metrics = nerConfig(values).metrics;
    const gold = await readNotes(required(values, "gold", this.usage!));
    const pred = await readNotes(required(values, "pred", this.usage!));
    const report = evaluateEntities(gold, new Map(pred.map((note) => [note.id, note.spans])), metrics);
    console.table([summaryRow("predictions", report)]);
    if (typeof values.out === "string") {
      const out = resolveFromRoot(values.out);
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
    }
    return 0;
  },
};

const biobertCommand: Command = {
  summary: "print the BioBERT train and predict commands for a config (run them in a SLURM job)",
  usage: "ner biobert-command --train FILE.jsonl --notes FILE.jsonl --output-dir DIR [--config EXPERIMENT.yaml]",
  async run(args) {
    const values = options(args, {
      train: { type: "string" },
      notes: { type: "string" },
      "output-dir": { type: "string" },
      config: { type: "string" },
    });
    if (values.help) {
      console.log(this.usage);
      return 0;
    }
    for (const line of biobertCommands(nerConfig(values), {
      train: required(values, "train", this.usage!),
      notes: required(values, "notes", this.usage!),
      outputDir: required(values, "output-dir", this.usage!),
    }))
      console.log(line);
    return 0;
  },
};

export const commands: CommandTable = {
  "import-brat": importBrat,
  "export-brat": exportBrat,
  "label-ontology": labelOntology,
  "train-student": trainStudent,
  "predict-student": predictStudent,
  evaluate,
  "biobert-command": biobertCommand,
};
