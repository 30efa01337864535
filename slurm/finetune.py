"""QLoRA supervised fine-tuning of a Llama-3.1 student on the prepared prompt-completion records.

The SLURM job (lib/src/slurm renderFinetuneJob) writes the resolved run config and launches, on one node:
    accelerate launch --config_file configs/accelerate/deepspeed-zero2-8gpu.yaml \
        --num_machines 1 --num_processes 8 slurm/finetune.py --config out/finetune/adapter/finetune-config.json
One GPU, a few steps (a smoke test): python slurm/finetune.py --config CONFIG.json --max_steps=5
Any config field can be overridden with --key=value (type-checked; see common.FinetuneConfig).

What it does: 4-bit NF4 base weights with double quantisation and bf16 compute, LoRA on all linear layers
(no bias), loss on the assistant completion only (labels masked in common.build_example, left truncation of long
prompts), paged 8-bit AdamW, constant LR, gradient checkpointing (non-reentrant). Checkpoints every
`save_steps`; a re-queued job resumes from the last complete checkpoint. Before the time limit the job script
creates a stop file (common.STOP_FILE, on SLURM's USR1 warning): every rank agrees on it at the end of a step,
the trainer saves a checkpoint and stops, rank 0 writes common.REQUEUE_FILE and the script requeues the job.
Loss is logged as `TRAIN_LOG {json}` lines that the notebook plots.

Input (`train_file`, `eval_file`): a prepared dataset folder (synth step c: its data/train-*.parquet shards,
or data/test-*.parquet for eval_file; read with pyarrow), one parquet file, or a JSONL file, each row in trl's
prompt-completion form: conversational (`prompt` system + user messages, `completion` one assistant
message; rendered here with the tokenizer's chat template) or plain strings. A dataset written for several
variants at once (synth prepareVariants) marks each row's variants in `variant_<name>` columns: `variant`
(e.g. --variant=boolean) selects one at load time, for train_file and eval_file alike.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the sources in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (pure helpers, importable without torch)


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True, help="run config JSON written by the job script")
    return parser.parse_known_args(argv)


def pad_token_for(tokenizer) -> None:
    """Set the pad token explicitly: Llama-3.1 has none, and padding with <|eot_id|> would hide real ends."""
    if tokenizer.pad_token is not None:
        return
    vocab = tokenizer.get_vocab()
    for candidate in ("<|finetune_right_pad_id|>", "<|reserved_special_token_0|>"):
        if candidate in vocab:
            tokenizer.pad_token = candidate
            return
    tokenizer.pad_token = tokenizer.eos_token


def tokenize_record(record: common.Record, tokenizer, config: common.FinetuneConfig, end_ids: list[int]) -> dict | None:
    if isinstance(record.prompt, str):
        prompt_ids = tokenizer(record.prompt, add_special_tokens=False)["input_ids"]
        completion_ids = tokenizer(record.completion, add_special_tokens=False)["input_ids"]
        if not record.completion.endswith(tokenizer.decode(end_ids)):
            completion_ids = completion_ids + end_ids
    else:
        # The chat template adds BOS and the system block itself; the generation prompt ends with the
        # assistant header, so the prompt ids are exactly what the model sees before it answers.
        prompt_ids = tokenizer.apply_chat_template(record.prompt, add_generation_prompt=True, tokenize=True)
        if isinstance(prompt_ids, dict):
            prompt_ids = prompt_ids["input_ids"]
        content = record.completion[0]["content"]
        completion_ids = tokenizer(content, add_special_tokens=False)["input_ids"] + end_ids
    return common.build_example(prompt_ids, completion_ids, config.max_seq_length, config.truncation_side)


def main(argv: list[str]) -> int:
    args, overrides = parse_args(argv)
    config = common.load_config(args.config, overrides)

    import torch
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        BitsAndBytesConfig,
        Trainer,
        TrainerCallback,
        TrainingArguments,
        set_seed,
    )

    set_seed(config.seed)
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    is_main = rank == 0

    tokenizer = AutoTokenizer.from_pretrained(config.base_model)
    pad_token_for(tokenizer)
    tokenizer.padding_side = "right"
    end_token = "<|eot_id|>" if "<|eot_id|>" in tokenizer.get_vocab() else tokenizer.eos_token
    end_ids = tokenizer.convert_tokens_to_ids([end_token])

    records, rejects = common.read_records(config.train_file, variant=config.variant)
    examples, too_long = [], 0
    for record in records:
        example = tokenize_record(record, tokenizer, config, end_ids)
        if example is None:
            too_long += 1
            rejects.append({"line": record.line, "reason": f"completion does not fit in {config.max_seq_length} tokens"})
        else:
            examples.append(example)
    if is_main:
        print(f"[finetune] {config.train_file}: {len(examples)} examples, {len(rejects)} rejected", flush=True)
        for reject in rejects[:20]:
            print(f"[finetune] rejected line {reject['line']}: {reject['reason']}", flush=True)
        os.makedirs(config.output_dir, exist_ok=True)
        with open(os.path.join(config.output_dir, "rejects.jsonl"), "w", encoding="utf-8") as handle:
            for reject in rejects:
                handle.write(json.dumps(reject) + "\n")
    if not examples:
        print("[finetune] no usable training examples", file=sys.stderr)
        return 2
    eval_examples = None
    if config.eval_file:
        # A prepared dataset folder as eval_file gives its test split.
        eval_records, eval_rejects = common.read_records(config.eval_file, split="test", variant=config.variant)
        tokenized = [tokenize_record(record, tokenizer, config, end_ids) for record in eval_records]
        eval_examples = [example for example in tokenized if example is not None]
        if is_main:
            dropped = len(eval_rejects) + len(tokenized) - len(eval_examples)
            print(f"[finetune] {config.eval_file}: {len(eval_examples)} eval examples, {dropped} rejected", flush=True)

    compute_dtype = torch.bfloat16 if config.bf16 else torch.float32
    model_kwargs: dict = {"dtype": compute_dtype}
    if config.load_in_4bit:
        model_kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type=config.quant_type,
            bnb_4bit_use_double_quant=config.double_quant,
            bnb_4bit_compute_dtype=compute_dtype,
        )
        # Each process holds its own quantised copy on its own GPU (ZeRO-2 shards optimiser state and gradients).
        model_kwargs["device_map"] = {"": local_rank} if torch.cuda.is_available() else None
    model = AutoModelForCausalLM.from_pretrained(config.base_model, **model_kwargs)
    model.config.pad_token_id = tokenizer.pad_token_id
    model.config.use_cache = False  # incompatible with gradient checkpointing
    checkpointing = {"use_reentrant": False}
    if config.load_in_4bit:
        model = prepare_model_for_kbit_training(
            model,
            use_gradient_checkpointing=config.gradient_checkpointing,
            gradient_checkpointing_kwargs=checkpointing,
        )
    elif config.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=checkpointing)
        model.enable_input_require_grads()
    model = get_peft_model(
        model,
        LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=config.target_modules,
            bias="none",
            task_type="CAUSAL_LM",
        ),
    )
    if is_main:
        model.print_trainable_parameters()

    class LogLines(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if state.is_world_process_zero and logs:
                print(common.train_log_line(logs, state.global_step, state.epoch), flush=True)

    def on_every_rank(flag: bool) -> bool:
        """True when any rank saw the stop file: all ranks must save and stop at the same step."""
        import torch.distributed as dist

        if not (dist.is_available() and dist.is_initialized()):
            return flag
        device = torch.device("cuda", local_rank) if torch.cuda.is_available() else torch.device("cpu")
        seen = torch.tensor([1 if flag else 0], device=device)
        dist.all_reduce(seen, op=dist.ReduceOp.MAX)
        return bool(seen.item())

    class StopOnRequest(TrainerCallback):
        """Checkpoint and stop when the job script asks (time limit near); the job then requeues itself."""

        stopped = False

        def on_step_end(self, args, state, control, **kwargs):
            if on_every_rank(common.stop_requested(config.output_dir)):
                control.should_save = True
                control.should_training_stop = True
                self.stopped = True
            return control

    def collate(batch: list[dict]) -> dict:
        padded = common.pad_batch(batch, tokenizer.pad_token_id)
        return {key: torch.tensor(value, dtype=torch.long) for key, value in padded.items()}

    training_args = TrainingArguments(
        output_dir=config.output_dir,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.per_device_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler,
        warmup_ratio=config.warmup_ratio,
        optim=config.optimizer,
        bf16=config.bf16,
        gradient_checkpointing=config.gradient_checkpointing,
        gradient_checkpointing_kwargs=checkpointing,
        logging_steps=config.logging_steps,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        seed=config.seed,
        report_to=[],
        remove_unused_columns=False,
        ddp_find_unused_parameters=False,
        eval_strategy="steps" if eval_examples else "no",
        eval_steps=config.save_steps if eval_examples else None,
    )
    stopper = StopOnRequest()
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=examples,
        eval_dataset=eval_examples or None,
        data_collator=collate,
        callbacks=[LogLines(), stopper],
    )
    resume = common.last_checkpoint(config.output_dir)
    if is_main:
        print(f"[finetune] {'resuming from ' + resume if resume else 'starting fresh'}", flush=True)
    started = time.time()
    result = trainer.train(resume_from_checkpoint=resume)
    if stopper.stopped:
        if is_main:
            saved = common.last_checkpoint(config.output_dir)
            common.request_requeue(config.output_dir, saved, result.global_step)
            print(f"[finetune] stopped on request at step {result.global_step}; checkpoint {saved}", flush=True)
        return 0
    trainer.save_model(config.output_dir)  # the adapter (adapter_model.safetensors + adapter_config.json)
    if is_main:
        tokenizer.save_pretrained(config.output_dir)
        summary = {
            "examples": len(examples),
            "rejected": len(rejects),
            "global_step": result.global_step,
            "train_loss": result.training_loss,
            "seconds": round(time.time() - started, 1),
            "resumed_from": resume,
        }
        with open(os.path.join(config.output_dir, "training-summary.json"), "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2)
        print(f"[finetune] done: {json.dumps(summary)}", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except common.ConfigError as error:
        print(f"[finetune] invalid config: {error}", file=sys.stderr)
        sys.exit(2)
