import { QUESTION_TYPES, type QuestionType } from "../prompts/teacher.js";

/** What the dataset card states; every number comes from the preparation run that wrote the files. */
export interface CardFacts {
  name: string;
  variant: string;
  seed: number;
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
  rejects: Record<string, number>;
  targetFields: readonly string[];
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
        ["Seed", facts.seed],
      ],
    ),
    "",
    "Columns: `prompt` / `completion` (chat messages, for trl's prompt-completion format and completion-only loss), " +
      "`messages` (the whole conversation), `prompt_text` / `completion_text` (the same in the Llama-3.1 chat format; " +
      "the text starts with `<|begin_of_text|>`, so tokenise it without adding special tokens), and the question's " +
      "fields (`question_type`, `answer`, `difficulty`, `source`, `source_check`, ...).",
    "",
    "## Rows per split and question type",
    "",
    table(
      ["split", "notes", "rows", ...QUESTION_TYPES],
      splitNames.map((split) => [
        split,
        facts.splits[split].notes,
        facts.splits[split].rows,
        ...QUESTION_TYPES.map((type) => facts.splits[split].byType[type]),
      ]),
    ),
    "",
    "Balancing (rows available -> kept):",
    "",
    table(
      ["question type", "available", "kept"],
      QUESTION_TYPES.map((type) => [type, facts.balance.available[type], facts.balance.kept[type]]),
    ),
    "",
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
