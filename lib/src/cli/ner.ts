import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { loadExperiment } from "../config/experiment.js";
import { biobertCommands } from "../ner/biobert.js";
import { readBratDir, writeBratDir } from "../ner/brat.js";
import { evaluateOptions, ontologyFromConfig } from "../ner/from-config.js";
import { readNerJsonl, writeNerJsonl } from "../ner/jsonl.js";
import { evaluateEntities } from "../ner/metrics.js";
import { summaryRow } from "../ner/pipeline.js";
import { PerceptronTagger } from "../ner/student.js";
import { type EntityType, isEntityType, type NerNote, type NerReject } from "../ner/types.js";
import { type CommandTable, defineCommand, EXIT, UsageError } from "./command.js";

/** `clinical-distill ner <command>`: the NER distillation steps for headless runs. */

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
      throw new UsageError(`--type-map: "${pair}" should be Name=medication|disease|symptom`);
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

/** A required file option, resolved from the current folder. */
const FILE = (description: string) =>
  ({ type: "string", value: "FILE", path: true, required: true, description }) as const;

export const commands: CommandTable = {
  "import-brat": defineCommand("ner import-brat", {
    summary: "BRAT folder (.txt + .ann) -> NER JSONL",
    options: {
      dir: { type: "string", value: "DIR", path: true, required: true, description: "BRAT folder" },
      out: FILE("NER JSONL to write"),
      "type-map": { type: "string", value: "A=type,...", description: "map BRAT types to medication|disease|symptom" },
      "ignore-types": { type: "string", value: "A,B", description: "BRAT types to skip (counted, not rejected)" },
    },
    async run({ values }) {
      const read = await readBratDir(values.dir, {
        typeMap: parseTypeMap(values["type-map"]),
        ignoreTypes: (values["ignore-types"] ?? "").split(",").filter(Boolean),
      });
      reportRejects(read.rejects);
      await writeNerJsonl(values.out, read.notes);
      console.log(
        `${read.notes.length} notes, ${read.notes.reduce((n, note) => n + note.spans.length, 0)} spans, ${read.rejects.length} rejects, ignored ${JSON.stringify(read.ignored)}`,
      );
      return EXIT.ok;
    },
  }),
  "export-brat": defineCommand("ner export-brat", {
    summary: "NER JSONL -> BRAT folder",
    options: {
      notes: FILE("NER JSONL"),
      dir: { type: "string", value: "DIR", path: true, required: true, description: "BRAT folder to write" },
    },
    async run({ values }) {
      const notes = await readNotes(values.notes);
      console.log(`${await writeBratDir(values.dir, notes)} notes written`);
      return EXIT.ok;
    },
  }),
  "label-ontology": defineCommand("ner label-ontology", {
    summary: "label notes with the RxNorm + SNOMED CT dictionary teacher",
    experiment: true,
    options: { notes: FILE("NER JSONL to label"), out: FILE("labelled NER JSONL to write") },
    async run({ values, config }) {
      const built = await ontologyFromConfig(loadExperiment(config).ner);
      reportRejects(built.rejects);
      const notes = await readNotes(values.notes);
      const labelled = notes.map((note) => ({ ...note, spans: built.dictionary.match(note.text) }));
      await writeNerJsonl(values.out, labelled);
      console.log(
        `${built.dictionary.stats.terms} terms; ${labelled.length} notes, ${labelled.reduce((n, note) => n + note.spans.length, 0)} spans`,
      );
      return EXIT.ok;
    },
  }),
  "train-student": defineCommand("ner train-student", {
    summary: "train the TypeScript perceptron student on labelled notes",
    experiment: true,
    options: { train: FILE("labelled NER JSONL"), model: FILE("model JSON to write") },
    async run({ values, config }) {
      const student = loadExperiment(config).ner.student;
      const notes = await readNotes(values.train);
      const { tagger, stats } = PerceptronTagger.train(notes, student);
      await tagger.save(values.model);
      console.log(JSON.stringify(stats));
      return EXIT.ok;
    },
  }),
  "predict-student": defineCommand("ner predict-student", {
    summary: "label notes with a trained TypeScript student",
    options: {
      model: FILE("trained model JSON"),
      notes: FILE("NER JSONL to label"),
      out: FILE("labelled NER JSONL to write"),
    },
    async run({ values }) {
      const tagger = await PerceptronTagger.load(values.model);
      const notes = await readNotes(values.notes);
      await writeNerJsonl(
        values.out,
        notes.map((note) => ({ ...note, spans: tagger.predict(note.text) })),
      );
      console.log(`${notes.length} notes labelled`);
      return EXIT.ok;
    },
  }),
  evaluate: defineCommand("ner evaluate", {
    summary: "entity P/R/F1 (strict + lenient, per type, micro + macro, bootstrap CIs) of predictions vs gold",
    experiment: true,
    options: {
      gold: FILE("gold NER JSONL"),
      pred: FILE("predicted NER JSONL"),
      out: { type: "string", value: "FILE", path: true, description: "also write the report as JSON here" },
    },
    async run({ values, config }) {
      const options = evaluateOptions(loadExperiment(config).ner);
      const gold = await readNotes(values.gold);
      const pred = await readNotes(values.pred);
      const report = evaluateEntities(gold, new Map(pred.map((note) => [note.id, note.spans])), options);
      console.table([summaryRow("predictions", report)]);
      if (values.out !== undefined) {
        await mkdir(dirname(values.out), { recursive: true });
        await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
      }
      return EXIT.ok;
    },
  }),
  "biobert-command": defineCommand("ner biobert-command", {
    summary: "print the BioBERT train and predict commands for a config (run them in a SLURM job)",
    experiment: true,
    options: {
      train: FILE("labelled NER JSONL"),
      notes: FILE("NER JSONL to label"),
      "output-dir": { type: "string", value: "DIR", path: true, required: true, description: "where the job writes" },
    },
    async run({ values, config }) {
      const lines = biobertCommands(loadExperiment(config).ner, {
        train: values.train,
        notes: values.notes,
        outputDir: values["output-dir"],
      });
      for (const line of lines) console.log(line);
      return EXIT.ok;
    },
  }),
};
