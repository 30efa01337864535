import { existsSync } from "node:fs";
import { join } from "node:path";
import { ToolkitError } from "../../../core/errors.js";
import { evaluate } from "../evaluate.js";
import { modelSummaryFigure, typeAccuracyFigure } from "../figures.js";
import { dataset, evaluateOptions, guardAgainstTraining, loadNoteTexts } from "../internal/load.js";
import { taskRequests } from "../requests.js";
import type { EvalTask } from "../task.js";
import { readReviewedLabels, readSyntheticItems, reviewedItems } from "./items.js";

/** Task b: held-out synthetic questions (teacher answers as gold) and their human-reviewed subset. */
export const syntheticTask: EvalTask = {
  name: "synthetic",
  async load(experiment, loadOptions = {}) {
    const section = experiment.eval;
    const subset = loadOptions.subset ?? "held-out";
    if (subset !== "held-out" && subset !== "reviewed") {
      throw new ToolkitError(`synthetic subset must be held-out or reviewed, got "${subset}"`, {
        stage: "eval",
        field: "subset",
      });
    }
    const source = dataset(experiment, section.synthetic.dataset);
    const notesSource = dataset(experiment, section.synthetic.notes);
    const heldOutFile = join(source.resolvedPath, section.synthetic.heldOutFile);
    const heldOut = await readSyntheticItems(heldOutFile);
    let items = heldOut;
    if (subset === "reviewed") {
      const reviewedFile = join(source.resolvedPath, section.synthetic.reviewedFile);
      if (!existsSync(reviewedFile))
        throw new ToolkitError(`no reviewed subset: ${reviewedFile} does not exist`, {
          stage: "eval",
          file: reviewedFile,
        });
      items = reviewedItems(heldOut, await readReviewedLabels(reviewedFile, heldOut));
    }
    const texts = await loadNoteTexts(notesSource.resolvedPath, new Set(items.map((item) => item.noteId)));
    const absent = [...new Set(items.map((item) => item.noteId))].filter((id) => !texts.has(id));
    if (absent.length > 0) {
      throw new ToolkitError(
        `${heldOutFile}: ${absent.length} note id(s) not in ${notesSource.resolvedPath}: ${absent.slice(0, 10).join(", ")}`,
        { stage: "eval", file: heldOutFile },
      );
    }
    const leakage = await guardAgainstTraining(experiment, items, texts, `synthetic ${subset} (${heldOutFile})`);
    return {
      task: "synthetic",
      subset,
      items,
      noteText: (id) => texts.get(id),
      notes: texts.size,
      dataset: { id: source.id, path: heldOutFile, restricted: source.restricted || notesSource.restricted },
      evaluateOptions: evaluateOptions(experiment),
      leakage,
    };
  },
  requests: taskRequests,
  evaluate: (loaded, predictions, model) => evaluate(model, loaded.items, predictions, loaded.evaluateOptions),
  // The calibration of difficulty against errors is its own step (calibrationPoints, calibrationFigure).
  figures: (loaded, evaluations, options = {}) => [
    typeAccuracyFigure(evaluations, { title: `Accuracy per question type (${loaded.subset})`, sample: options.sample }),
    modelSummaryFigure(evaluations, { title: `Overall (${loaded.subset})`, sample: options.sample }),
  ],
};
