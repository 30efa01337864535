"""Reference for the synth benchmark: steps b + c of the synthetic-data method written the way a pandas user
would (project-written; it follows the original method's steps, not its code).

Steps: read the teacher responses, parse each response's JSON (a fenced ```json block is unwrapped), validate
every question item (fields, types, answer per question type, difficulty 1-10), drop repeated questions within a
note, join the notes, set aside examples longer than the max sequence, balance the question types to the smallest
count, split by note, format the student prompt and target in the Llama-3.1 chat format, write train and test as
gzip CSV. Prints one line: RESULT {"seconds": ..., "cpu_seconds": ..., "train": ..., "test": ..., "bytes": ...}.

Usage: python3 bench/reference/synth_bc.py RESPONSES.jsonl NOTES.jsonl TEMPLATES.json OUT_DIR [--seed 42]
TEMPLATES.json (written by bench/synth-postprocess.bench.ts from the project's prompt): {"prompt": [before
note, between note and question, after question]} in the Llama-3.1 format.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

import numpy as np
import pandas as pd

TYPES = ("boolean", "numeric", "na_numeric", "na_boolean")
FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
EOT = "<|eot_id|>"


def parse_response(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        match = FENCE.search(text)
        if match:
            try:
                return json.loads(match.group(1))
            except json.JSONDecodeError:
                return None
    return None


def validate(item, question_type: str):
    """The item as a row, or None when it breaks the schema."""
    if not isinstance(item, dict):
        return None
    question, answer, difficulty = item.get("question"), item.get("answer"), item.get("difficulty")
    if not isinstance(question, str) or not question.strip() or not isinstance(answer, str):
        return None
    if not isinstance(difficulty, int) or isinstance(difficulty, bool) or not 1 <= difficulty <= 10:
        return None
    for name in ("section", "source", "explanation"):
        if not isinstance(item.get(name, ""), str):
            return None
    answer_bool = answer_number = None
    if question_type == "boolean":
        if answer not in ("Yes", "No"):
            return None
        answer_bool = answer == "Yes"
    elif question_type == "numeric":
        match = NUMBER.search(answer)
        if not match:
            return None
        answer_number = float(match.group(0))
    elif answer != "NA":
        return None
    return {
        "question": question.strip(),
        "answer": answer,
        "answer_bool": answer_bool,
        "answer_number": answer_number,
        "section": item.get("section", ""),
        "source": item.get("source", ""),
        "explanation": item.get("explanation", ""),
        "difficulty": difficulty,
    }


def target(answer, answer_bool, answer_number, explanation) -> str:
    """The training target: the answer as a number, Yes/No or NA, and the explanation, as JSON."""
    if answer_number == answer_number and answer_number is not None:  # not NaN
        value = answer_number
    elif isinstance(answer_bool, bool):
        value = "Yes" if answer_bool else "No"
    else:
        value = answer
    return json.dumps({"answer": value, "explanation": explanation})


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("responses")
    parser.add_argument("notes")
    parser.add_argument("templates")
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--max-seq-tokens", type=int, default=12000)
    parser.add_argument("--chars-per-token", type=float, default=3.0)
    args = parser.parse_args(argv)
    start, cpu_start = time.perf_counter(), time.process_time()
    with open(args.templates, encoding="utf-8") as handle:
        before, between, after = json.load(handle)["prompt"]

    # step b: parse, validate, drop repeats
    responses = pd.read_json(args.responses, lines=True)
    responses = responses[responses["ok"]]
    rows = []
    for note_id, question_type, text in zip(responses["note_id"], responses["question_type"], responses["text"]):
        parsed = parse_response(text)
        items = parsed.get("questions") if isinstance(parsed, dict) else None
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            row = validate(item, question_type)
            if row is not None:
                row.update(note_id=note_id, question_type=question_type, item=index)
                rows.append(row)
    accepted = pd.DataFrame(rows)
    accepted["key"] = accepted["question"].str.lower().str.replace(r"\W+", " ", regex=True).str.strip()
    accepted = accepted.drop_duplicates(["note_id", "key"]).drop(columns="key")

    # step c: join notes, length filter, balance, split by note, format, write
    notes = pd.read_json(args.notes, lines=True)[["note_id", "text"]]
    data = accepted.merge(notes, on="note_id", how="inner")
    data["target"] = [
        target(answer, answer_bool, answer_number, explanation)
        for answer, answer_bool, answer_number, explanation in zip(
            data["answer"], data["answer_bool"], data["answer_number"], data["explanation"])
    ]
    length = len(before) + len(between) + len(after) + data["text"].str.len() + data["question"].str.len()
    data = data[(length + data["target"].str.len()) / args.chars_per_token <= args.max_seq_tokens]
    per_type = data["question_type"].value_counts().reindex(TYPES, fill_value=0).min()
    data = data.groupby("question_type", group_keys=False).sample(n=per_type, random_state=args.seed)
    note_ids = np.sort(data["note_id"].unique())
    rng = np.random.default_rng(args.seed)
    test_notes = set(rng.permutation(note_ids)[: int(round(len(note_ids) * args.test_fraction))])
    data["prompt_text"] = before + data["text"] + between + data["question"] + after
    data["completion_text"] = data["target"] + EOT
    data = data.drop(columns=["text", "target"]).sort_values(["note_id", "question_type", "item"])
    os.makedirs(args.out_dir, exist_ok=True)
    is_test = data["note_id"].isin(test_notes)
    written = 0
    for split, part in (("train", data[~is_test]), ("test", data[is_test])):
        path = os.path.join(args.out_dir, f"{split}.csv.gz")
        part.to_csv(path, index=False, compression="gzip")
        written += os.path.getsize(path)
    seconds = time.perf_counter() - start
    print("RESULT " + json.dumps({"seconds": seconds, "cpu_seconds": time.process_time() - cpu_start, "train": int((~is_test).sum()), "test": int(is_test.sum()),
                                  "bytes": written}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
