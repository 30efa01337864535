"""Merge a LoRA adapter into its base model and save model AND tokenizer for vLLM, then check the result loads.

The SLURM job (lib/src/slurm renderMergeJob) runs:
    python slurm/merge_adapter.py --base-model meta-llama/Llama-3.1-8B-Instruct \
        --adapter out/finetune/adapter --output out/finetune/merged --dtype bfloat16

The base is loaded unquantised in `--dtype` (merging into 4-bit weights would bake quantisation error into the
merged model). The tokenizer is taken from the adapter folder when fine-tuning saved one (it carries the pad
token set there), else from the base. The check reloads the saved folder and compares the parameter count and
a tokenizer round trip; --skip-reload-check skips it on machines without the memory for a second copy.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the sources in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-model", required=True)
    parser.add_argument("--adapter", required=True, help="folder with adapter_config.json")
    parser.add_argument("--output", required=True)
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    parser.add_argument("--skip-reload-check", action="store_true")
    return parser.parse_args(argv)


def model_card(base_model: str, adapter_config: dict, dtype: str, parameters: int) -> str:
    """A Hugging Face model card (README.md) for the merged student: what it is, how it was made, and its limits."""
    targets = adapter_config.get("target_modules") or []
    targets = sorted(targets) if isinstance(targets, (list, tuple, set)) else [str(targets)]
    front = [
        "---",
        f"base_model: {base_model}",
        "library_name: transformers",
        "pipeline_tag: text-generation",
        # The merged weights carry the base model's licence; the training data may add terms of its own (below).
        "license: other",
        f"license_name: same-as-base ({base_model})",
        "tags: [clinical-nlp, information-extraction, distillation, lora-merged]",
        "---",
    ]
    body = [
        f"# Student model merged from a LoRA adapter on {base_model}",
        "",
        "Fine-tuned to answer yes/no and numeric questions about a clinical note, from question-answer pairs a",
        "teacher model wrote about clinical notes (synthetic data distillation, Woo et al. 2024), then merged into",
        f"the base weights in {dtype} for serving with vLLM ({parameters:,} parameters).",
        "",
        "## Adapter",
        f"- LoRA rank {adapter_config.get('r')}, alpha {adapter_config.get('lora_alpha')}, "
        f"dropout {adapter_config.get('lora_dropout')}, bias {adapter_config.get('bias')}",
        f"- target modules: {', '.join(targets) if targets else 'not recorded'}",
        "- training data: see the prepared dataset's README (dataset card) and manifest.json written by step c",
        "",
        "## Limits",
        "- Answers are only as good as the teacher's questions and the evaluation says: report its scores with",
        "  confidence intervals, not single examples.",
        "- **Data use agreements.** A model trained on notes under a data use agreement (MIMIC, n2c2) can reproduce",
        "  passages of them. Do not share these weights beyond what that agreement allows.",
        "- Not for clinical decision-making.",
        "",
    ]
    return "\n".join(front + [""] + body)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not os.path.isfile(os.path.join(args.adapter, "adapter_config.json")):
        print(f"[merge] {args.adapter} has no adapter_config.json: is fine-tuning finished?", file=sys.stderr)
        return 2

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = getattr(torch, args.dtype)
    base = AutoModelForCausalLM.from_pretrained(args.base_model, dtype=dtype, low_cpu_mem_usage=True)
    merged = PeftModel.from_pretrained(base, args.adapter).merge_and_unload()
    parameters = sum(p.numel() for p in merged.parameters())
    tokenizer_source = args.adapter if os.path.isfile(os.path.join(args.adapter, "tokenizer_config.json")) else args.base_model
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source)

    os.makedirs(args.output, exist_ok=True)
    merged.save_pretrained(args.output, safe_serialization=True)
    tokenizer.save_pretrained(args.output)
    missing = common.missing_model_files(args.output)
    if missing:
        print(f"[merge] saved folder {args.output} lacks {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f"[merge] saved {parameters:,} parameters and the tokenizer to {args.output}", flush=True)

    if not args.skip_reload_check:
        del merged, base
        reloaded = AutoModelForCausalLM.from_pretrained(args.output, dtype=dtype, low_cpu_mem_usage=True)
        reloaded_parameters = sum(p.numel() for p in reloaded.parameters())
        if reloaded_parameters != parameters:
            print(f"[merge] reload check failed: {reloaded_parameters} != {parameters} parameters", file=sys.stderr)
            return 1
        if any("lora_" in name for name, _ in reloaded.named_parameters()):
            print("[merge] reload check failed: LoRA layers remain in the merged model", file=sys.stderr)
            return 1
        reloaded_tokenizer = AutoTokenizer.from_pretrained(args.output)
        probe = "Record date: 2131-05-02. HbA1c 7.2%."
        if reloaded_tokenizer(probe)["input_ids"] != tokenizer(probe)["input_ids"]:
            print("[merge] reload check failed: the saved tokenizer encodes differently", file=sys.stderr)
            return 1
        print("[merge] reload check passed", flush=True)
    with open(os.path.join(args.adapter, "adapter_config.json"), encoding="utf-8") as handle:
        adapter_config = json.load(handle)
    with open(os.path.join(args.output, "README.md"), "w", encoding="utf-8") as handle:
        handle.write(model_card(args.base_model, adapter_config, args.dtype, parameters))
    with open(os.path.join(args.output, "merge-info.json"), "w", encoding="utf-8") as handle:
        json.dump({"base_model": args.base_model, "adapter": os.path.abspath(args.adapter), "dtype": args.dtype,
                   "parameters": parameters}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
