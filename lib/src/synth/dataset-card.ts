import { QUESTION_TYPES, type QuestionType } from "../prompts/teacher.js";

/** What the dataset card states; every number comes from the preparation run that wrote the files. */
export interface CardFacts {
  name: string;
  variant: string;
  seed: number;
  /** Where the seed came from ("derived from seed 42 as ..." or "explicit (...)"), when known. */
  seedSource?: string;
  testFraction: number;
  teacherModel: string;
  teacherPromptVersion: string;
  studentPrompt: string;
  sourceRestriction: string;
  isSample: boolean;
  splits: Record<
    string,
    { rows: number; notes: number; byType: Record<QuestionType, number>; difficulty: number[]; files: string[] }
  >;
  balance: { mode: string; available: Record<QuestionType, number>; kept: Record<QuestionType, number> };
  /** A dataset of several variants (prepareVariants): each one's column, balancing and rows per split. */
  variants?: {
    name: string;
    column: string;
    balance: { available: Record<QuestionType, number>; kept: Record<QuestionType, number> };
    splits: Record<string, { rows: number; notes: number; byType: Record<QuestionType, number> }>;
  }[];
  rejects: Record<string, number>;
  targetFields: readonly string[];
  /** Columns written beyond the canonical record (prompt_text, completion_text, messages). */
  extraColumns: readonly string[];
  /** Whether train.jsonl / test.jsonl were written. */
  jsonl: boolean;
  /** `license: other` needs a name (lowercase, hyphens) and should link the terms. */
  licenseName?: string;
  licenseLink?: string;
}

export const DEFAULT_LICENSE_NAME = "source-data-use-agreement";

/** What each column holds, in the order the shards store them. */
const COLUMN_DOCS: [string, string][] = [
  ["question_id", "stable id of the question (note, chunk, type, item)"],
  ["note_id", "the note the question is about; the split is by note"],
  ["chunk", "part of the note (0 unless the note was split to fit the teacher's context)"],
  ["question_type", "boolean, numeric, na_numeric or na_boolean"],
  ["question", "the teacher's question"],
  ["answer", "the teacher's answer as written"],
  ["answer_bool", "the answer as true/false (yes/no questions), else null"],
  ["answer_number", "the answer as a number (numeric questions), else null"],
  ["answer_unit", "the unit written after the number, else null"],
  ["section", "the note section the teacher named"],
  ["source", "the teacher's quote from the note"],
  ["source_check", "how the quote was found in the note (exact, normalized, fragments, not_found, empty)"],
  ["source_start", "character offset of the quote in the note, else null"],
  ["source_end", "end offset of the quote, else null"],
  ["explanation", "the teacher's explanation"],
  ["explanation_quote_check", "whether quotes in the explanation are in the note (none, found, not_found)"],
  ["difficulty", "teacher-assigned difficulty, 1 to 10"],
  [
    "prompt",
    "list of {role, content}: the system message and the user message (note and question); trl's conversational prompt",
  ],
  ["completion", "list with one {role: assistant, content} message: the training target (JSON); trl's completion"],
];

const EXTRA_DOCS: Record<string, string> = {
  prompt_text:
    "the prompt in the Llama-3.1 chat format through the open assistant header (starts with `<|begin_of_text|>`: tokenise without adding special tokens)",
  completion_text: "the target and `<|eot_id|>`; prompt_text + completion_text is the whole example",
  messages: "prompt + completion as one conversation (trl's conversational language-modeling form)",
};

const splitTable = (splits: CardFacts["splits"] | NonNullable<CardFacts["variants"]>[number]["splits"]) =>
  table(
    ["split", "notes", "rows", ...QUESTION_TYPES],
    Object.keys(splits).map((split) => [
      split,
      splits[split].notes,
      splits[split].rows,
      ...QUESTION_TYPES.map((type) => splits[split].byType[type]),
    ]),
  );

const balanceTable = (balance: Pick<CardFacts["balance"], "available" | "kept">) =>
  table(
    ["question type", "available", "kept"],
    QUESTION_TYPES.map((type) => [type, balance.available[type], balance.kept[type]]),
  );

/** The card's section on variants: how to select one, and each one's rows. */
function variantSections(variants: NonNullable<CardFacts["variants"]>): string[] {
  const first = variants[0].column;
  return [
    "## Variants",
    "",
    `Every variant's rows are written once; a row's \`${variants.map((v) => v.column).join("`, `")}\` columns say which ` +
      "variants hold it. Each variant is balanced on its own; the split is by note over all rows, so a note is on " +
      "the same side in every variant. Select a variant when loading (slurm/finetune.py: `--variant NAME`):",
    "",
    "```python",
    `train = load_dataset("path/to/this/folder", split="train").filter(lambda keep: keep, input_columns="${first}")`,
    "```",
    "",
    ...variants.flatMap((variant) => [
      `### ${variant.name} (\`${variant.column}\`)`,
      "",
      splitTable(variant.splits),
      "",
      "Balancing (rows available -> kept):",
      "",
      balanceTable(variant.balance),
      "",
    ]),
  ];
}

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** README.md for the dataset folder, with the YAML header `datasets` reads to find the splits. */
export function renderDatasetCard(facts: CardFacts): string {
  const splitNames = Object.keys(facts.splits);
  const yaml = [
    "---",
    `pretty_name: ${JSON.stringify(facts.name)}`,
    "license: other",
    `license_name: ${JSON.stringify(facts.licenseName ?? DEFAULT_LICENSE_NAME)}`,
    ...(facts.licenseLink ? [`license_link: ${JSON.stringify(facts.licenseLink)}`] : []),
    "language:",
    "- en",
    "task_categories:",
    "- question-answering",
    "configs:",
    "- config_name: default",
    "  data_files:",
    ...splitNames.flatMap((split) => [`  - split: ${split}`, `    path: data/${split}-*.parquet`]),
    "---",
  ];
  const difficultyRows = Array.from({ length: 10 }, (_, i) => i + 1).map((level) => [
    level,
    ...splitNames.map((split) => facts.splits[split].difficulty[level] ?? 0),
  ]);
  const rejectRows = Object.entries(facts.rejects)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const body = [
    `# ${facts.name}`,
    "",
    facts.isSample
      ? "**SAMPLE.** Built from project-written notes and project-written example teacher responses that show the format. " +
        "It is not model output and no result may be computed from it."
      : "Synthetic question-answer pairs written by a teacher model about clinical notes, for fine-tuning a student model.",
    "",
    "## Source data restriction",
    "",
    facts.sourceRestriction,
    "",
    "## How it was made",
    "",
    table(
      ["", ""],
      [
        ["Teacher model", facts.teacherModel],
        ["Teacher prompt version", facts.teacherPromptVersion],
        ["Student prompt", facts.studentPrompt],
        ["Training target fields", facts.targetFields.join(", ")],
        ["Variant", facts.variant],
        ["Balancing", facts.balance.mode],
        ["Split", `by note, stratified by question type, test fraction ${facts.testFraction}`],
        ["Seed", facts.seedSource ? `${facts.seed}, ${facts.seedSource}` : facts.seed],
        [
          "License",
          facts.licenseLink
            ? `${facts.licenseName ?? DEFAULT_LICENSE_NAME} (${facts.licenseLink})`
            : (facts.licenseName ?? DEFAULT_LICENSE_NAME),
        ],
      ],
    ),
    "",
    "## Columns",
    "",
    table(
      ["column", "what it holds"],
      [
        ...COLUMN_DOCS,
        ...(facts.variants ?? []).map((v): [string, string] => [v.column, `whether the row is in variant ${v.name}`]),
        ...facts.extraColumns.map((name): [string, string] => [name, EXTRA_DOCS[name] ?? "extra column"]),
      ].map(([name, what]) => [`\`${name}\``, what]),
    ),
    "",
    "Parquet columns are plain strings, numbers and lists (no Arrow string-view types), so any `datasets` or pyarrow " +
      "version reads them. `prompt` / `completion` are trl's conversational prompt-completion form: trl (and " +
      "slurm/finetune.py) render them with the model's chat template at training time and compute the loss on the " +
      "completion only.",
    "",
    "```python",
    "from datasets import load_dataset",
    `train = load_dataset("path/to/this/folder", split="train")  # or load_dataset("parquet", data_files="data/train-*.parquet")`,
    "```",
    "",
    facts.jsonl
      ? "`train.jsonl` / `test.jsonl` hold the same rows as JSON lines (small fields, `prompt`, `completion`)."
      : "No JSONL copy was written (set `synth.prepare.jsonl: true` for one).",
    "",
    facts.variants
      ? "## Rows per split and question type (all variants' rows, each once)"
      : "## Rows per split and question type",
    "",
    splitTable(facts.splits),
    "",
    ...(facts.variants
      ? variantSections(facts.variants)
      : ["Balancing (rows available -> kept):", "", balanceTable(facts.balance), ""]),
    "## Teacher-assigned difficulty",
    "",
    table(["difficulty", ...splitNames], difficultyRows),
    "",
    "## Rows set aside while preparing",
    "",
    rejectRows.length > 0 ? table(["reason", "rows"], rejectRows) : "None.",
    "",
  ];
  return `${[...yaml, "", ...body].join("\n")}`;
}
