"""Pure helpers shared by the SLURM entry points: run-config parsing, label masking, collation, checkpoints.

Importable without torch or transformers, so the rules that decide what the model learns from (which tokens
carry loss, how long prompts are cut) are unit-tested on any machine:
    python3 -m unittest discover -s tests/python
"""
from __future__ import annotations

import dataclasses
import glob
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

IGNORE_INDEX = -100  # labels with this value carry no loss (PyTorch's CrossEntropyLoss ignore_index)
TRAIN_LOG_MARK = "TRAIN_LOG "  # lib/src/slurm/trainer-log.ts reads lines that start with this


class ConfigError(ValueError):
    """A run config that names an unknown field or gives a value of the wrong type."""


@dataclass
class FinetuneConfig:
    """The resolved fine-tuning config (lib/src/slurm/jobs.ts finetuneRunConfig writes it as JSON)."""

    base_model: str
    train_file: str
    output_dir: str
    eval_file: str | None = None
    # A dataset written for several variants (synth prepareVariants) marks each row's in `variant_<name>`
    # columns; the job trains (and evaluates) on the rows of this one. None: every row.
    variant: str | None = None
    max_seq_length: int = 12000
    truncation_side: str = "left"
    load_in_4bit: bool = True
    quant_type: str = "nf4"
    double_quant: bool = True
    lora_r: int = 8
    lora_alpha: float = 16.0
    lora_dropout: float = 0.05
    target_modules: Any = "all-linear"
    epochs: float = 1.0
    max_steps: int = -1
    per_device_batch_size: int = 1
    gradient_accumulation_steps: int = 2
    learning_rate: float = 2e-4
    lr_scheduler: str = "constant"
    warmup_ratio: float = 0.0
    optimizer: str = "paged_adamw_8bit"
    bf16: bool = True
    gradient_checkpointing: bool = True
    logging_steps: int = 10
    save_steps: int = 200
    save_total_limit: int = 3
    seed: int = 42
    extra: dict = field(default_factory=dict)


def _coerce(name: str, value: Any, expected: Any) -> Any:
    """Check a value against a field's default type; strings from --key=value overrides are converted."""
    if name == "target_modules":
        if value == "all-linear" or (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            return value
        if isinstance(value, str):
            return [part for part in value.split(",") if part]
        raise ConfigError(f"target_modules: expected 'all-linear' or a list of module names, got {value!r}")
    if name in ("eval_file", "variant"):
        return None if value in (None, "", "none", "None") else str(value)
    if isinstance(expected, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ConfigError(f"{name}: expected true or false, got {value!r}")
    if isinstance(expected, int) and not isinstance(expected, bool):
        if isinstance(value, bool):
            raise ConfigError(f"{name}: expected an integer, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        raise ConfigError(f"{name}: expected an integer, got {value!r}")
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        if isinstance(value, bool):
            raise ConfigError(f"{name}: expected a number, got {value!r}")
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: expected a number, got {value!r}") from None
    if isinstance(expected, str) or expected is None:
        if isinstance(value, str):
            return value
        raise ConfigError(f"{name}: expected a string, got {value!r}")
    return value


def config_from_dict(values: dict, overrides: Sequence[str] = ()) -> FinetuneConfig:
    """Validate a run config; `overrides` are `--key=value` strings applied on top (type-checked)."""
    fields = {f.name: f for f in dataclasses.fields(FinetuneConfig) if f.name != "extra"}
    merged = dict(values)
    for override in overrides:
        match = re.fullmatch(r"--?([A-Za-z_][A-Za-z0-9_]*)=(.*)", override, re.S)
        if not match:
            raise ConfigError(f"override {override!r}: expected --key=value")
        merged[match.group(1)] = match.group(2)
    unknown = sorted(set(merged) - set(fields))
    if unknown:
        raise ConfigError(f"unknown field(s): {', '.join(unknown)} (known: {', '.join(sorted(fields))})")
    missing = [name for name, f in fields.items() if name not in merged and f.default is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"missing required field(s): {', '.join(missing)}")
    checked = {}
    for name, f in fields.items():
        if name not in merged:
            continue
        default = f.default if f.default is not dataclasses.MISSING else ""
        checked[name] = _coerce(name, merged[name], default)
    config = FinetuneConfig(**checked)
    if config.truncation_side not in ("left", "right"):
        raise ConfigError(f"truncation_side: expected 'left' or 'right', got {config.truncation_side!r}")
    if config.quant_type not in ("nf4", "fp4"):
        raise ConfigError(f"quant_type: expected 'nf4' or 'fp4', got {config.quant_type!r}")
    for name in ("max_seq_length", "lora_r", "per_device_batch_size", "gradient_accumulation_steps", "logging_steps"):
        if getattr(config, name) <= 0:
            raise ConfigError(f"{name}: must be positive, got {getattr(config, name)}")
    return config


def load_config(path: str, overrides: Sequence[str] = ()) -> FinetuneConfig:
    try:
        with open(path, encoding="utf-8") as handle:
            values = json.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error})") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not valid JSON at line {error.lineno}, column {error.colno}") from None
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    try:
        return config_from_dict(values, overrides)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None


# --- training records -----------------------------------------------------------------------------------------


@dataclass
class Record:
    """One training example: chat messages (conversational) or already-templated strings."""

    line: int
    prompt: Any  # list of {"role", "content"} messages, or a string
    completion: Any  # list with one assistant message, or a string


def parse_record(value: Any, line: int) -> Record:
    """Accept `{"prompt": [...], "completion": [...]}` (trl's prompt-completion form) or the string form."""
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    if "prompt" not in value or "completion" not in value:
        raise ValueError('expected "prompt" and "completion" fields')
    prompt, completion = value["prompt"], value["completion"]
    if isinstance(prompt, str) and isinstance(completion, str):
        if not completion.strip():
            raise ValueError("empty completion")
        return Record(line, prompt, completion)
    if isinstance(prompt, list) and isinstance(completion, list):
        for where, messages in (("prompt", prompt), ("completion", completion)):
            for index, message in enumerate(messages):
                if not (isinstance(message, dict) and isinstance(message.get("role"), str)
                        and isinstance(message.get("content"), str)):
                    raise ValueError(f"{where}[{index}]: expected {{role, content}} strings")
        if not prompt:
            raise ValueError("empty prompt")
        if len(completion) != 1 or completion[0]["role"] != "assistant":
            raise ValueError("completion must be exactly one assistant message")
        if not completion[0]["content"].strip():
            raise ValueError("empty completion")
        return Record(line, prompt, completion)
    raise ValueError("prompt and completion must both be message lists or both be strings")


def training_files(path: str, split: str = "train") -> list[str]:
    """What a train/eval path names: a prepared dataset folder (its data/<split>-*.parquet shards, in
    order), one parquet file, or a JSONL file."""
    if os.path.isdir(path):
        shards = sorted(glob.glob(os.path.join(path, "data", f"{split}-*.parquet")))
        if not shards:
            raise FileNotFoundError(f"{path}: no data/{split}-*.parquet shards (not a prepared dataset folder?)")
        return shards
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file or folder")
    return [path]


def variant_column(variant: str) -> str:
    """The bool column that marks a variant's rows (lib/src/synth/prepare.ts variantColumn)."""
    return f"variant_{variant}"


def _check_variant_column(columns: Sequence[str], variant: str, where: str) -> str:
    column = variant_column(variant)
    if column not in columns:
        marked = sorted(name[len("variant_"):] for name in columns if name.startswith("variant_"))
        raise ConfigError(
            f"variant {variant}: {where} has no {column} column "
            + (f"(its variants: {', '.join(marked)})" if marked else "(it holds one variant: set slurm.finetune.variant: null in the experiment, or leave variant out of the run config)")
        )
    return column


def read_records(path: str, split: str = "train", variant: str | None = None) -> tuple[list[Record], list[dict]]:
    """All valid records of a prepared dataset folder (its `split` shards), a parquet file or a JSONL file,
    and one reject {line, reason} per invalid line or row (never a silent drop). Parquet rows count from 1
    across the shards in order. With `variant`, only the rows its `variant_<name>` column marks (rows of other
    variants are skipped, not rejected; line numbers still count every row)."""
    files = training_files(path, split)
    records: list[Record] = []
    rejects: list[dict] = []
    if files[0].endswith(".parquet"):
        # pyarrow comes with trl/datasets on the training node; only parquet input needs it.
        import pyarrow.parquet as pq

        number = 0
        for file in files:
            columns = ["prompt", "completion"]
            if variant is not None:
                columns.append(_check_variant_column(pq.read_schema(file).names, variant, file))
            for value in pq.read_table(file, columns=columns).to_pylist():
                number += 1
                if variant is not None and value[columns[2]] is not True:
                    continue
                try:
                    records.append(parse_record(value, number))
                except ValueError as error:
                    rejects.append({"line": number, "reason": str(error)})
        return records, rejects
    with open(files[0], encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                rejects.append({"line": number, "reason": f"invalid JSON: {error.msg}"})
                continue
            # Outside the try below: a missing variant column is the config's mistake, not a bad row.
            if variant is not None and isinstance(value, dict):
                if value.get(_check_variant_column(list(value), variant, f"{files[0]} line {number}")) is not True:
                    continue
            try:
                records.append(parse_record(value, number))
            except ValueError as error:
                rejects.append({"line": number, "reason": str(error)})
    return records, rejects


# --- label masking --------------------------------------------------------------------------------------------


def build_example(
    prompt_ids: Sequence[int],
    completion_ids: Sequence[int],
    max_length: int,
    truncation_side: str = "left",
) -> dict | None:
    """Concatenate prompt and completion; only completion tokens carry loss.

    Too long: with "left" the prompt loses its start (the completion, what is learnt, is kept whole); with "right"
    the end is cut. Returns None when nothing of the completion would remain.
    """
    prompt_ids, completion_ids = list(prompt_ids), list(completion_ids)
    if not completion_ids:
        return None
    overflow = len(prompt_ids) + len(completion_ids) - max_length
    if overflow > 0:
        if truncation_side == "left":
            if len(completion_ids) >= max_length:
                return None
            prompt_ids = prompt_ids[overflow:]
        else:
            keep = max_length - len(prompt_ids)
            if keep <= 0:
                return None
            completion_ids = completion_ids[:keep]
    input_ids = prompt_ids + completion_ids
    labels = [IGNORE_INDEX] * len(prompt_ids) + completion_ids
    return {"input_ids": input_ids, "labels": labels, "attention_mask": [1] * len(input_ids)}


def find_last(haystack: Sequence[int], needle: Sequence[int]) -> int:
    """Index where the last occurrence of `needle` starts, or -1."""
    n = len(needle)
    if n == 0:
        return -1
    for start in range(len(haystack) - n, -1, -1):
        if list(haystack[start:start + n]) == list(needle):
            return start
    return -1


def mask_before_assistant(input_ids: Sequence[int], assistant_header_ids: Sequence[int]) -> list[int]:
    """Labels for a whole templated conversation: everything up to and including the last assistant header
    (`<|start_header_id|>assistant<|end_header_id|>\\n\\n` for Llama-3.1) is masked. Raises if there is no header."""
    start = find_last(input_ids, assistant_header_ids)
    if start < 0:
        raise ValueError("no assistant header in the sequence: nothing to learn from")
    cut = start + len(assistant_header_ids)
    return [IGNORE_INDEX] * cut + list(input_ids[cut:])


def pad_batch(examples: Sequence[dict], pad_token_id: int) -> dict:
    """Right-pad a batch: pad positions get attention 0 and label IGNORE_INDEX (lists; the caller makes tensors)."""
    width = max(len(example["input_ids"]) for example in examples)
    batch: dict[str, list] = {"input_ids": [], "labels": [], "attention_mask": []}
    for example in examples:
        pad = width - len(example["input_ids"])
        batch["input_ids"].append(list(example["input_ids"]) + [pad_token_id] * pad)
        batch["labels"].append(list(example["labels"]) + [IGNORE_INDEX] * pad)
        batch["attention_mask"].append(list(example["attention_mask"]) + [0] * pad)
    return batch


# --- checkpoints and logs -------------------------------------------------------------------------------------


def last_checkpoint(output_dir: str) -> str | None:
    """The highest `checkpoint-N` folder that was completely written (has trainer_state.json), or None."""
    if not os.path.isdir(output_dir):
        return None
    best: tuple[int, str] | None = None
    for name in os.listdir(output_dir):
        match = re.fullmatch(r"checkpoint-(\d+)", name)
        path = os.path.join(output_dir, name)
        if match and os.path.isfile(os.path.join(path, "trainer_state.json")):
            step = int(match.group(1))
            if best is None or step > best[0]:
                best = (step, path)
    return best[1] if best else None


# The job script (lib/src/slurm/requeue.ts, same names) creates STOP_FILE when SLURM's USR1 warning arrives;
# the trainer saves a checkpoint, writes REQUEUE_FILE and exits 0, and the script requeues the job.
STOP_FILE = ".clinical-distill-stop"
REQUEUE_FILE = ".clinical-distill-requeue"


def stop_requested(output_dir: str) -> bool:
    """Whether the job script asked the trainer to checkpoint and stop (the time limit is near)."""
    return os.path.exists(os.path.join(output_dir, STOP_FILE))


def request_requeue(output_dir: str, checkpoint: str | None, step: int) -> None:
    """Tell the job script that a checkpoint was saved on request, so it requeues the job to resume from it."""
    with open(os.path.join(output_dir, REQUEUE_FILE), "w", encoding="utf-8") as handle:
        json.dump({"checkpoint": checkpoint, "step": step}, handle)


def train_log_line(logs: dict, step: int, epoch: float | None) -> str:
    """One machine-readable log line (finite numbers only) for the notebook's loss curve."""
    record: dict[str, Any] = {"step": step}
    if epoch is not None:
        record["epoch"] = round(float(epoch), 6)
    for key, value in logs.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) != float("inf"):
            record[key] = value
    return TRAIN_LOG_MARK + json.dumps(record, sort_keys=True)


def missing_model_files(directory: str) -> list[str]:
    """What a saved model folder lacks for vLLM: config, weights, tokenizer."""
    present = set(os.listdir(directory)) if os.path.isdir(directory) else set()
    missing = [name for name in ("config.json", "tokenizer_config.json") if name not in present]
    if not any(name.endswith(".safetensors") for name in present):
        missing.append("*.safetensors")
    if "tokenizer.json" not in present and "tokenizer.model" not in present:
        missing.append("tokenizer.json")
    return missing

