import { join } from "node:path";
import { ToolkitError } from "../../../core/errors.js";
import { readN2c2Dir } from "../../../data/n2c2.js";
import { evaluate } from "../evaluate.js";
import { n2c2CriteriaFigure } from "../figures.js";
import { dataset, evaluateOptions } from "../internal/load.js";
import { taskRequests } from "../requests.js";
import type { EvalTask } from "../task.js";
import { N2C2_LABELS, n2c2Scores } from "./evaluate.js";
import { type N2c2Split, n2c2Items } from "./items.js";
import { N2C2_QUESTIONS } from "./questions.js";

/** Task c: n2c2 2018 Track 1 cohort selection, 13 criteria per patient, scored the official way too. */
export const n2c2Task: EvalTask = {
  name: "n2c2",
  questions: N2C2_QUESTIONS,
  async load(experiment, loadOptions = {}) {
    const section = experiment.eval;
    const split = (loadOptions.subset ?? "test") as N2c2Split;
    if (split !== "train" && split !== "test")
      throw new ToolkitError(`n2c2 subset must be train or test, got "${split}"`, { stage: "eval", field: "subset" });
    const source = dataset(experiment, section.n2c2.dataset);
    const dir = source.splitPaths[split] ?? join(source.resolvedPath, split);
    const patients = await readN2c2Dir(dir);
    const texts = new Map(patients.map((patient) => [patient.patientId, patient.text]));
    return {
      task: "n2c2",
      subset: split,
      items: n2c2Items(patients, split),
      questions: N2C2_QUESTIONS,
      noteText: (id) => texts.get(id),
      notes: patients.length,
      dataset: { id: source.id, path: dir, restricted: source.restricted },
      evaluateOptions: { ...evaluateOptions(experiment, N2C2_QUESTIONS), labels: N2C2_LABELS },
    };
  },
  requests: taskRequests,
  evaluate(loaded, predictions, model) {
    const evaluation = evaluate(model, loaded.items, predictions, loaded.evaluateOptions);
    // The official view reuses the item scores: one bootstrap of them, not two.
    const n2c2 = n2c2Scores(model, evaluation.graded, evaluation.score, loaded.evaluateOptions.bootstrap);
    return { ...evaluation, n2c2 };
  },
  figures(loaded, evaluations, options = {}) {
    const split = loaded.subset === "train" ? "train split (zero-shot)" : `${loaded.subset} split`;
    return [
      n2c2CriteriaFigure(
        evaluations.flatMap((evaluation) => (evaluation.n2c2 ? [evaluation.n2c2] : [])),
        { title: `n2c2 ${split}: official F1 per criterion`, ...options },
      ),
    ];
  },
};
