import { evaluate } from "../evaluate.js";
import { questionBarsFigure } from "../figures.js";
import { dataset, evaluateOptions, guardAgainstTraining, loadNoteTexts } from "../internal/load.js";
import { taskRequests } from "../requests.js";
import type { EvalTask } from "../task.js";
import { apixabanItems, readApixabanAnnotations } from "./annotations.js";
import { APIXABAN_QUESTIONS } from "./questions.js";

/** Task d: 23 apixaban eligibility questions on annotated MIMIC notes (an editable CSV of gold answers). */
export const apixabanTask: EvalTask = {
  name: "apixaban",
  questions: APIXABAN_QUESTIONS,
  async load(experiment) {
    const section = experiment.eval;
    const source = dataset(experiment, section.apixaban.dataset);
    const notesSource = dataset(experiment, section.apixaban.notes);
    const annotations = readApixabanAnnotations(source.resolvedPath);
    const texts = await loadNoteTexts(notesSource.resolvedPath, new Set(annotations.map((a) => a.noteId)));
    const items = apixabanItems(annotations, new Set(texts.keys()), source.resolvedPath);
    const leakage = await guardAgainstTraining(
      experiment,
      items,
      texts,
      `apixaban annotations (${source.resolvedPath})`,
    );
    return {
      task: "apixaban",
      subset: "annotated",
      items,
      questions: APIXABAN_QUESTIONS,
      noteText: (id) => texts.get(id),
      notes: texts.size,
      dataset: {
        id: source.id,
        path: source.resolvedPath,
        restricted: source.restricted || notesSource.restricted,
      },
      evaluateOptions: evaluateOptions(experiment, APIXABAN_QUESTIONS),
      leakage,
    };
  },
  requests: taskRequests,
  evaluate: (loaded, predictions, model) => evaluate(model, loaded.items, predictions, loaded.evaluateOptions),
  figures: (_loaded, evaluations, options = {}) => [
    questionBarsFigure(evaluations, {
      title: "Apixaban questions: balanced accuracy (yes/no) and accuracy (numeric)",
      sample: options.sample,
    }),
  ],
};
