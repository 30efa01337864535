"""Run a fine-tuned BioBERT NER student over notes and write spans in lib/ner's NER JSONL format
({"note_id", "text", "spans": [{"start", "end", "type", "text"}]}), so `clinical-distill ner evaluate`
scores it like any other labeler. Also writes timing (notes/s, tokens/s) for the speed and cost table.

Launch:
    sbatch --gres=gpu:1 --wrap "python slurm/ner_predict.py --model out/ner/biobert/final \
        --notes data/sample/ner/notes.jsonl --output out/ner/biobert-predictions.jsonl"
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ner_labels import decode_spans, merge_windows, read_jsonl, to_jsonl_spans  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="folder written by ner_train.py (…/final)")
    parser.add_argument("--notes", required=True, help="NER JSONL (spans, if any, are ignored)")
    parser.add_argument("--output", required=True)
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--stride", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    if not 16 <= args.max_length <= 512:
        parser.error("--max-length must be between 16 and 512")
    if not 0 <= args.stride < args.max_length // 2:
        parser.error("--stride must be at least 0 and less than half of --max-length")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForTokenClassification.from_pretrained(args.model).to(device).eval()
    notes = read_jsonl(args.notes)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    started = time.perf_counter()
    tokens = 0
    with open(args.output + ".partial", "w", encoding="utf-8") as out, torch.inference_mode():
        for note in notes:
            encoded = tokenizer(
                note["text"],
                truncation=True,
                max_length=args.max_length,
                stride=args.stride,
                return_overflowing_tokens=True,
                return_offsets_mapping=True,
                padding=True,
                return_tensors="pt",
            )
            windows = []
            for first in range(0, encoded["input_ids"].shape[0], args.batch_size):
                batch = slice(first, first + args.batch_size)
                logits = model(
                    input_ids=encoded["input_ids"][batch].to(device),
                    attention_mask=encoded["attention_mask"][batch].to(device),
                ).logits
                predicted = logits.argmax(-1).cpu().tolist()
                for row, labels in enumerate(predicted):
                    mask = encoded["attention_mask"][first + row].tolist()
                    offsets = [tuple(pair) if keep else (0, 0) for pair, keep in zip(encoded["offset_mapping"][first + row].tolist(), mask)]
                    windows.append((offsets, labels))
            offsets, labels = merge_windows(windows)
            tokens += len(offsets)
            spans = to_jsonl_spans(note["text"], decode_spans(note["text"], offsets, labels))
            out.write(json.dumps({"note_id": note["note_id"], "text": note["text"], "spans": spans}) + "\n")
    seconds = time.perf_counter() - started
    os.replace(args.output + ".partial", args.output)
    timing = {
        "notes": len(notes),
        "tokens": tokens,
        "seconds": seconds,
        "notes_per_second": len(notes) / seconds if seconds else None,
        "tokens_per_second": tokens / seconds if seconds else None,
        "device": device,
    }
    with open(args.output + ".timing.json", "w", encoding="utf-8") as handle:
        json.dump(timing, handle, indent=2)
    print(json.dumps(timing), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
