"""Fine-tune BioBERT for token classification (medication / disease / symptom, BIO) on teacher labels.

The second method's student (Vedula et al. 2024). Input is NER JSONL as lib/ner writes it (one note per line:
{"note_id", "text", "spans": [{"start", "end", "type", "text"}]}), labelled by a teacher or by people.
Long notes are cut into overlapping windows of --max-length sub-word tokens.

Launch (one GPU is plenty for a BERT-base model):
    sbatch --gres=gpu:1 --wrap "python slurm/ner_train.py --train out/ner/train.jsonl --output-dir out/ner/biobert"
or from TypeScript, `clinical-distill ner biobert-command` prints the exact command for a config.

Resumable: re-running with the same --output-dir continues from the last complete checkpoint.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import last_checkpoint, train_log_line  # noqa: E402
from ner_labels import LABEL2ID, LABELS, read_jsonl, token_labels  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", required=True, help="NER JSONL with teacher (or human) spans")
    parser.add_argument("--eval", help="optional NER JSONL for a loss on held-out notes")
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--model", default="dmis-lab/biobert-base-cased-v1.2")
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--stride", type=int, default=128, help="sub-word overlap between windows of a long note")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if not 16 <= args.max_length <= 512:
        parser.error("--max-length must be between 16 and 512 (BERT's position limit)")
    if not 0 <= args.stride < args.max_length // 2:
        parser.error("--stride must be at least 0 and less than half of --max-length")
    return args


def seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def encode(notes: list[dict], tokenizer, max_length: int, stride: int) -> list[dict]:
    """Windows of sub-word ids with aligned labels (see ner_labels.token_labels)."""
    examples = []
    for note in notes:
        encoded = tokenizer(
            note["text"],
            truncation=True,
            max_length=max_length,
            stride=stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
        )
        for window in range(len(encoded["input_ids"])):
            offsets = [tuple(pair) for pair in encoded["offset_mapping"][window]]
            examples.append(
                {
                    "input_ids": encoded["input_ids"][window],
                    "attention_mask": encoded["attention_mask"][window],
                    "labels": token_labels(offsets, note.get("spans", [])),
                }
            )
    return examples


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    seed_everything(args.seed)
    import torch
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
        Trainer,
        TrainerCallback,
        TrainingArguments,
    )

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    if not getattr(tokenizer, "is_fast", False):
        raise SystemExit(f"{args.model}: a fast tokenizer is needed for offset mappings")
    train = encode(read_jsonl(args.train), tokenizer, args.max_length, args.stride)
    evaluation = encode(read_jsonl(args.eval), tokenizer, args.max_length, args.stride) if args.eval else None
    print(f"train windows: {len(train)}" + (f", eval windows: {len(evaluation)}" if evaluation else ""), flush=True)

    model = AutoModelForTokenClassification.from_pretrained(
        args.model,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id=LABEL2ID,
    )

    class TrainLog(TrainerCallback):
        def on_log(self, _args, state, _control, logs=None, **_kwargs):
            if logs:
                print(train_log_line(logs, state.global_step, state.epoch), flush=True)

    training_args = TrainingArguments(
        output_dir=args.output_dir,
        num_train_epochs=args.epochs,
        learning_rate=args.learning_rate,
        per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=args.batch_size,
        seed=args.seed,
        bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
        save_strategy="epoch",
        save_total_limit=2,
        logging_steps=10,
        report_to="none",
    )
    trainer_kwargs = dict(
        model=model,
        args=training_args,
        train_dataset=train,
        eval_dataset=evaluation,
        data_collator=DataCollatorForTokenClassification(tokenizer),
        callbacks=[TrainLog()],
    )
    # transformers >= 4.46 names the tokenizer argument processing_class.
    if "processing_class" in inspect.signature(Trainer.__init__).parameters:
        trainer_kwargs["processing_class"] = tokenizer
    else:
        trainer_kwargs["tokenizer"] = tokenizer
    trainer = Trainer(**trainer_kwargs)
    resume = last_checkpoint(args.output_dir)
    if resume:
        print(f"resuming from {resume}", flush=True)
    trainer.train(resume_from_checkpoint=resume)
    if evaluation:
        print(train_log_line(trainer.evaluate(), trainer.state.global_step, trainer.state.epoch), flush=True)
    final = os.path.join(args.output_dir, "final")
    trainer.save_model(final)
    tokenizer.save_pretrained(final)
    with open(os.path.join(final, "ner_run.json"), "w", encoding="utf-8") as handle:
        json.dump({**vars(args), "labels": LABELS}, handle, indent=2)
    print(f"saved {final}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
