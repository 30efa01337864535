"""Reference scorer for bench/score-vs-reference.bench.ts: what a researcher would otherwise run with numpy and
scikit-learn on the same files the project scores.

Reads the held-out questions (CSV: item_id, note_id, question_type, question, answer) and a predictions JSONL
(item_id, ok, text with {"answer": ...}), reads each answer (JSON answer field; yes/no, NA, a number), labels it
as the project's grader does for these inputs (boolean: yes/no/NA; numeric: "value" when the number equals gold,
else "wrong value"/"NA"; anything unreadable "unparseable"), and computes accuracy, balanced accuracy, micro- and
macro-F1 (sklearn, over the classes seen in gold or prediction), overall and per question type, plus the numeric
exact-match rate, each with a percentile bootstrap (numpy's linear quantiles) of --resamples draws of items
(--unit item) or of whole notes (--unit note). Resampled metrics come from confusion-matrix counts per resample
(numpy bincount), the vectorised form of the same sklearn formulas; the point estimates are checked against
sklearn itself. Prints one JSON object: the estimates and the seconds spent in each phase.

Run: python3 bench/reference/score_reference.py HELD_OUT.csv PREDICTIONS.jsonl [--resamples 1000] [--unit note]
"""

import argparse
import csv
import json
import sys
import time

START = time.perf_counter()
import numpy as np  # noqa: E402
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score  # noqa: E402

IMPORTED = time.perf_counter()


def read_answer(text):
    """The answer field of a JSON reply (code fences allowed), normalised; None when unreadable."""
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        value = json.loads(body).get("answer")
    except (ValueError, AttributeError):
        return None
    if value is None:
        return None
    value = str(value).strip().lower()
    if value in ("yes", "no"):
        return value
    if value in ("na", "n/a", "not available"):
        return "NA"
    try:
        return float(value)
    except ValueError:
        return None


def classes(rows, predictions):
    gold_class, pred_class, exact = [], [], []
    for row in rows:
        gold = row["answer"].strip()
        numeric = row["question_type"].endswith("numeric")
        text = predictions.get(row["item_id"])
        if text is None:
            sys.exit(f"score_reference: no prediction for item {row['item_id']}")
        answer = read_answer(text)
        if gold.upper() == "NA":
            g = "NA"
        elif numeric:
            g = "value"
        else:
            g = gold.lower()
        if answer is None:
            p = "unparseable"
        elif answer == "NA":
            p = "NA"
        elif numeric:
            p = "value" if isinstance(answer, float) and g == "value" and answer == float(gold) else "wrong value"
        else:
            p = answer if isinstance(answer, str) else "unparseable"
        gold_class.append(g)
        pred_class.append(p)
        exact.append(g == p)
    return gold_class, pred_class, np.array(exact)


def metrics_from_counts(cm):
    """accuracy, balanced accuracy, micro-F1, macro-F1 from confusion matrices (..., K, K) as sklearn defines them."""
    tp = np.diagonal(cm, axis1=-2, axis2=-1).astype(float)
    support = cm.sum(axis=-1).astype(float)
    predicted = cm.sum(axis=-2).astype(float)
    total = support.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = tp.sum(axis=-1) / total
        recall = np.where(support > 0, tp / np.where(support > 0, support, 1), np.nan)
        balanced = np.nanmean(recall, axis=-1)
        denominator = support + predicted
        f1 = np.where(denominator > 0, 2 * tp / np.where(denominator > 0, denominator, 1), 0.0)
        present = (support + predicted) > 0
        macro = np.where(present.any(axis=-1), (f1 * present).sum(axis=-1) / present.sum(axis=-1), np.nan)
    # Single-label multiclass: micro-F1 over every class equals accuracy (sklearn's own identity).
    return {"accuracy": accuracy, "balanced_accuracy": balanced, "micro_f1": accuracy, "macro_f1": macro}


def interval(value, resampled, confidence=0.95):
    finite = resampled[~np.isnan(resampled)]
    alpha = (1 - confidence) / 2
    low, high = np.quantile(finite, [alpha, 1 - alpha]) if finite.size else (np.nan, np.nan)
    return {"value": float(value), "low": float(low), "high": float(high)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("held_out")
    parser.add_argument("predictions")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--unit", choices=["item", "note"], default="note")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with open(args.held_out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    predictions = {}
    with open(args.predictions, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                predictions[record["item_id"]] = record.get("text", "") if record.get("ok", True) else ""
    gold_class, pred_class, exact = classes(rows, predictions)
    read = time.perf_counter()

    labels = sorted(set(gold_class) | set(pred_class))
    code = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    gold = np.array([code[label] for label in gold_class])
    pred = np.array([code[label] for label in pred_class])
    types = np.array([row["question_type"] for row in rows])
    type_names = sorted(set(types))
    # Key of an item: (type, gold, pred); a resample's confusion matrices per type are counts of keys.
    type_code = np.searchsorted(type_names, types)
    key = (type_code * k + gold) * k + pred
    n_keys = len(type_names) * k * k
    n = len(rows)
    rng = np.random.default_rng(args.seed)
    if args.unit == "item":
        counts = np.empty((args.resamples, n_keys), dtype=np.int64)
        for r in range(args.resamples):
            counts[r] = np.bincount(key[rng.integers(0, n, n)], minlength=n_keys)
    else:
        notes, note_of = np.unique([row["note_id"] for row in rows], return_inverse=True)
        per_note = np.zeros((len(notes), n_keys), dtype=np.int64)
        np.add.at(per_note, (note_of, key), 1)
        draws = rng.integers(0, len(notes), (args.resamples, len(notes)))
        multiplicity = np.stack([np.bincount(d, minlength=len(notes)) for d in draws])
        counts = multiplicity @ per_note
    by_type = counts.reshape(args.resamples, len(type_names), k, k)
    resampled_overall = metrics_from_counts(by_type.sum(axis=1))
    resampled_types = metrics_from_counts(by_type)
    numeric_types = [i for i, name in enumerate(type_names) if name.endswith("numeric")]
    numeric_counts = by_type[:, numeric_types].sum(axis=1)
    resampled_exact = np.trace(numeric_counts, axis1=-2, axis2=-1) / numeric_counts.sum(axis=(-2, -1))

    # Point estimates from sklearn itself.
    overall = {
        "accuracy": accuracy_score(gold, pred),
        "balanced_accuracy": balanced_accuracy_score(gold, pred),
        "micro_f1": f1_score(gold, pred, average="micro"),
        "macro_f1": f1_score(gold, pred, average="macro"),
    }
    result = {"n": n, "resamples": args.resamples, "unit": args.unit, "overall": {}, "by_type": {}}
    for name, value in overall.items():
        result["overall"][name] = interval(value, resampled_overall[name])
    for t, type_name in enumerate(type_names):
        mask = type_code == t
        point = {
            "accuracy": accuracy_score(gold[mask], pred[mask]),
            "balanced_accuracy": balanced_accuracy_score(gold[mask], pred[mask]),
            "micro_f1": f1_score(gold[mask], pred[mask], average="micro"),
            "macro_f1": f1_score(gold[mask], pred[mask], average="macro"),
        }
        result["by_type"][type_name] = {
            name: interval(value, resampled_types[name][:, t]) for name, value in point.items()
        }
    numeric_mask = np.isin(type_code, numeric_types)
    result["numeric_exact"] = interval(exact[numeric_mask].mean(), resampled_exact)
    done = time.perf_counter()
    result["seconds"] = {
        "import": IMPORTED - START,
        "read": read - IMPORTED,
        "score": done - read,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
