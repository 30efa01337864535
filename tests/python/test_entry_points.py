"""Unit tests for the torch-free parts of slurm/finetune.py and slurm/merge_adapter.py, with a stand-in tokenizer.

Run: python3 -m unittest discover -s tests/python
"""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "slurm"))
import common  # noqa: E402
import finetune  # noqa: E402  (imports torch only inside main)
import merge_adapter  # noqa: E402

M = common.IGNORE_INDEX


class WordTokenizer:
    """One id per whitespace-separated word; special tokens have fixed ids, like Llama-3.1's."""

    SPECIAL = {"<|begin_of_text|>": 128000, "<|eot_id|>": 128009, "<|finetune_right_pad_id|>": 128004,
               "<|start_header_id|>": 128006, "<|end_header_id|>": 128007}

    def __init__(self):
        self.vocab = dict(self.SPECIAL)
        self.pad_token = None
        self.eos_token = "<|eot_id|>"

    def _id(self, word):
        return self.vocab.setdefault(word, 1000 + len(self.vocab))

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": [self._id(word) for word in text.split()]}

    def get_vocab(self):
        return self.vocab

    def decode(self, ids):
        inverse = {value: key for key, value in self.vocab.items()}
        return " ".join(inverse[i] for i in ids)

    def apply_chat_template(self, messages, add_generation_prompt=False, tokenize=True):
        ids = [128000]
        for message in messages:
            ids += [128006, self._id(message["role"]), 128007] + self(message["content"])["input_ids"] + [128009]
        if add_generation_prompt:
            ids += [128006, self._id("assistant"), 128007]
        return ids


def config(**overrides):
    return common.config_from_dict({"base_model": "m", "train_file": "t", "output_dir": "o", **overrides})


class TokenizeRecord(unittest.TestCase):
    def setUp(self):
        self.tokenizer = WordTokenizer()

    def test_chat_records_learn_only_the_answer_and_its_end_token(self):
        record = common.parse_record({
            "prompt": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "is HbA1c high ?"}],
            "completion": [{"role": "assistant", "content": '{"answer": "Yes"}'}]}, 1)
        example = finetune.tokenize_record(record, self.tokenizer, config(), [128009])
        learnt = [token for token, label in zip(example["input_ids"], example["labels"]) if label != M]
        self.assertEqual(self.tokenizer.decode(learnt), '{"answer": "Yes"} <|eot_id|>')
        # Everything before is the prompt, ending with the open assistant header.
        prompt = example["input_ids"][:len(example["input_ids"]) - len(learnt)]
        self.assertEqual(prompt[-3:], [128006, self.tokenizer.vocab["assistant"], 128007])
        self.assertEqual(prompt[0], 128000)

    def test_string_records_get_an_end_token_once(self):
        plain = common.parse_record({"prompt": "note text question", "completion": "42"}, 1)
        ended = common.parse_record({"prompt": "note text question", "completion": "42 <|eot_id|>"}, 2)
        for record in (plain, ended):
            example = finetune.tokenize_record(record, self.tokenizer, config(), [128009])
            self.assertEqual(example["labels"], [M, M, M, self.tokenizer.vocab["42"], 128009])

    def test_long_prompts_lose_their_start(self):
        record = common.parse_record({"prompt": "a b c d e f g h", "completion": "yes"}, 1)
        example = finetune.tokenize_record(record, self.tokenizer, config(max_seq_length=4), [128009])
        self.assertEqual(self.tokenizer.decode(example["input_ids"]), "g h yes <|eot_id|>")
        self.assertIsNone(finetune.tokenize_record(record, self.tokenizer, config(max_seq_length=2), [128009]))

    def test_pad_token_is_set_explicitly_to_the_reserved_pad(self):
        finetune.pad_token_for(self.tokenizer)
        self.assertEqual(self.tokenizer.pad_token, "<|finetune_right_pad_id|>")
        other = WordTokenizer()
        del other.vocab["<|finetune_right_pad_id|>"]
        finetune.pad_token_for(other)
        self.assertEqual(other.pad_token, other.eos_token)


class EntryPointArguments(unittest.TestCase):
    def test_finetune_passes_overrides_through(self):
        args, overrides = finetune.parse_args(["--config", "c.json", "--max_steps=5"])
        self.assertEqual(args.config, "c.json")
        self.assertEqual(overrides, ["--max_steps=5"])

    def test_finetune_reports_an_invalid_config_before_loading_any_model(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "c.json")
            with open(path, "w") as handle:
                json.dump({"base_model": "m", "train_file": "t", "output_dir": "o", "lora_rank": 8}, handle)
            with self.assertRaisesRegex(common.ConfigError, "lora_rank"):
                finetune.main(["--config", path])

    def test_merge_refuses_a_folder_without_an_adapter(self):
        with tempfile.TemporaryDirectory() as tmp:
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                code = merge_adapter.main(["--base-model", "m", "--adapter", tmp, "--output", os.path.join(tmp, "o")])
            self.assertEqual(code, 2)
            self.assertIn("adapter_config.json", stderr.getvalue())

    def test_merge_writes_a_model_card_naming_base_adapter_and_limits(self):
        config = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.05, "bias": "none",
                  "target_modules": ["v_proj", "q_proj"]}
        card = merge_adapter.model_card("meta-llama/Llama-3.1-8B-Instruct", config, "bfloat16", 8030261248)
        front, body = card.split("---\n", 2)[1], card.split("---\n", 2)[2]
        self.assertIn("base_model: meta-llama/Llama-3.1-8B-Instruct", front)
        self.assertIn("license_name: same-as-base (meta-llama/Llama-3.1-8B-Instruct)", front)
        self.assertIn("LoRA rank 8, alpha 16", body)
        self.assertIn("q_proj, v_proj", body)
        self.assertIn("8,030,261,248 parameters", body)
        self.assertIn("data use agreement", body)


if __name__ == "__main__":
    unittest.main()
