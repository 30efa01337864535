"""Unit tests for slurm/common.py: label masking, truncation, padding, config parsing, checkpoints.

Run: python3 -m unittest discover -s tests/python   (no torch needed; tests/python/python.test.ts runs it)
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "slurm"))
import common  # noqa: E402

M = common.IGNORE_INDEX
HEADER = [128006, 78191, 128007, 271]  # <|start_header_id|> assistant <|end_header_id|> "\n\n"


class BuildExample(unittest.TestCase):
    def test_only_completion_tokens_carry_loss(self):
        example = common.build_example([1, 2, 3], [7, 8, 128009], max_length=100)
        self.assertEqual(example["input_ids"], [1, 2, 3, 7, 8, 128009])
        self.assertEqual(example["labels"], [M, M, M, 7, 8, 128009])
        self.assertEqual(example["attention_mask"], [1] * 6)

    def test_left_truncation_cuts_the_prompt_start_and_keeps_the_completion(self):
        example = common.build_example([1, 2, 3, 4, 5], [7, 8], max_length=4)
        self.assertEqual(example["input_ids"], [4, 5, 7, 8])
        self.assertEqual(example["labels"], [M, M, 7, 8])

    def test_right_truncation_cuts_the_end(self):
        example = common.build_example([1, 2, 3], [7, 8, 9], max_length=4, truncation_side="right")
        self.assertEqual(example["input_ids"], [1, 2, 3, 7])
        self.assertEqual(example["labels"], [M, M, M, 7])

    def test_a_completion_that_cannot_fit_is_refused(self):
        self.assertIsNone(common.build_example([1], [7, 8, 9], max_length=3))
        self.assertIsNone(common.build_example([1, 2, 3], [7], max_length=3, truncation_side="right"))
        self.assertIsNone(common.build_example([1], [], max_length=10))

    def test_exact_fit_is_not_truncated(self):
        example = common.build_example([1, 2], [7, 8], max_length=4)
        self.assertEqual(example["input_ids"], [1, 2, 7, 8])


class MaskBeforeAssistant(unittest.TestCase):
    def test_masks_through_the_last_assistant_header(self):
        ids = [128000, 5, 6] + HEADER + [9, 10] + HEADER + [11, 12, 128009]
        labels = common.mask_before_assistant(ids, HEADER)
        self.assertEqual(len(labels), len(ids))
        self.assertEqual(labels[-3:], [11, 12, 128009])
        self.assertTrue(all(label == M for label in labels[:-3]))

    def test_no_header_is_an_error(self):
        with self.assertRaises(ValueError):
            common.mask_before_assistant([1, 2, 3], HEADER)


class PadBatch(unittest.TestCase):
    def test_padding_is_masked_and_unattended(self):
        a = common.build_example([1, 2], [3], 10)
        b = common.build_example([1], [3, 4, 5], 10)
        batch = common.pad_batch([a, b], pad_token_id=0)
        self.assertEqual(batch["input_ids"], [[1, 2, 3, 0], [1, 3, 4, 5]])
        self.assertEqual(batch["labels"], [[M, M, 3, M], [M, 3, 4, 5]])
        self.assertEqual(batch["attention_mask"], [[1, 1, 1, 0], [1, 1, 1, 1]])


class Records(unittest.TestCase):
    def test_synth_prepare_rows_are_read_with_their_extra_columns(self):
        row = {"note_id": "S001", "question_type": "boolean",
               "prompt": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}],
               "completion": [{"role": "assistant", "content": '{"answer":"Yes"}'}],
               "messages": [], "prompt_text": "<|begin_of_text|>", "completion_text": '{"answer":"Yes"}<|eot_id|>'}
        record = common.parse_record(row, 1)
        self.assertEqual(record.completion[0]["content"], '{"answer":"Yes"}')
        self.assertEqual(len(record.prompt), 2)

    def test_reads_both_forms_and_counts_rejects_with_reasons(self):
        lines = [
            {"prompt": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}],
             "completion": [{"role": "assistant", "content": "yes"}]},
            {"prompt": "<|begin_of_text|>...", "completion": "42<|eot_id|>"},
            {"prompt": [{"role": "user", "content": "q"}], "completion": [{"role": "user", "content": "x"}]},
            {"prompt": [{"role": "user", "content": "q"}]},
            {"prompt": [{"role": "user", "content": "q"}], "completion": [{"role": "assistant", "content": " "}]},
        ]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "train.jsonl")
            with open(path, "w") as handle:
                for line in lines:
                    handle.write(json.dumps(line) + "\n")
                handle.write("{not json\n\n")
            records, rejects = common.read_records(path)
        self.assertEqual([r.line for r in records], [1, 2])
        self.assertEqual([r["line"] for r in rejects], [3, 4, 5, 6])
        self.assertIn("assistant", rejects[0]["reason"])
        self.assertIn("completion", rejects[1]["reason"])
        self.assertIn("empty completion", rejects[2]["reason"])
        self.assertIn("invalid JSON", rejects[3]["reason"])

    def test_a_variant_is_selected_at_load_time_from_its_column(self):
        # The rows prepareVariants writes: every variant's rows once, marked per variant.
        def row(content, boolean, all_):
            return {"question_type": "boolean", "variant_boolean": boolean, "variant_all": all_,
                    "prompt": [{"role": "user", "content": "q"}],
                    "completion": [{"role": "assistant", "content": content}]}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "train.jsonl")
            with open(path, "w") as handle:
                for line in (row("a", True, True), row("b", False, True), row("c", True, False), row(" ", True, True)):
                    handle.write(json.dumps(line) + "\n")
            every, _ = common.read_records(path)
            boolean, boolean_rejects = common.read_records(path, variant="boolean")
            all_rows, _ = common.read_records(path, variant="all")
            with self.assertRaisesRegex(common.ConfigError, r"variant numeric: .*no variant_numeric column \(its variants: all, boolean\)"):
                common.read_records(path, variant="numeric")
        self.assertEqual([r.completion[0]["content"] for r in every], ["a", "b", "c"])
        # Line numbers count every row, so a reject still names its line in the file.
        self.assertEqual([r.line for r in boolean], [1, 3])
        self.assertEqual([r["line"] for r in boolean_rejects], [4])
        self.assertEqual([r.line for r in all_rows], [1, 2])
        self.assertEqual(common.config_from_dict(Config.BASE, ["--variant=boolean"]).variant, "boolean")
        self.assertIsNone(common.config_from_dict(Config.BASE).variant)


class Config(unittest.TestCase):
    BASE = {"base_model": "m", "train_file": "t.jsonl", "output_dir": "o"}

    def test_defaults_are_the_papers(self):
        config = common.config_from_dict(self.BASE)
        self.assertEqual((config.lora_r, config.lora_alpha, config.learning_rate), (8, 16.0, 2e-4))
        self.assertEqual((config.per_device_batch_size, config.gradient_accumulation_steps), (1, 2))
        self.assertEqual((config.max_seq_length, config.truncation_side), (12000, "left"))
        self.assertEqual(config.target_modules, "all-linear")

    def test_overrides_are_type_checked(self):
        config = common.config_from_dict(self.BASE, ["--max_steps=5", "--bf16=false", "--learning_rate=1e-4",
                                                     "--target_modules=q_proj,v_proj"])
        self.assertEqual(config.max_steps, 5)
        self.assertIs(config.bf16, False)
        self.assertEqual(config.learning_rate, 1e-4)
        self.assertEqual(config.target_modules, ["q_proj", "v_proj"])
        for bad in (["--max_steps=lots"], ["--bf16=maybe"], ["--lora_r=0"], ["max_steps"], ["--truncation_side=middle"]):
            with self.assertRaises(common.ConfigError, msg=bad):
                common.config_from_dict(self.BASE, bad)

    def test_unknown_and_missing_fields_are_named(self):
        with self.assertRaisesRegex(common.ConfigError, "lora_rank"):
            common.config_from_dict({**self.BASE, "lora_rank": 8})
        with self.assertRaisesRegex(common.ConfigError, "train_file"):
            common.config_from_dict({"base_model": "m", "output_dir": "o"})
        with self.assertRaisesRegex(common.ConfigError, "lora_r: expected an integer"):
            common.config_from_dict({**self.BASE, "lora_r": "eight"})
        with self.assertRaisesRegex(common.ConfigError, "lora_r: expected an integer"):
            common.config_from_dict({**self.BASE, "lora_r": True})

    def test_load_config_names_the_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "c.json")
            with open(path, "w") as handle:
                handle.write("{bad")
            with self.assertRaisesRegex(common.ConfigError, "c.json: not valid JSON"):
                common.load_config(path)
            with open(path, "w") as handle:
                json.dump({**self.BASE, "seed": 7}, handle)
            self.assertEqual(common.load_config(path).seed, 7)


class Checkpoints(unittest.TestCase):
    def test_last_complete_checkpoint(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.assertIsNone(common.last_checkpoint(tmp))
            for step, complete in ((100, True), (300, True), (400, False), (20, True)):
                folder = os.path.join(tmp, f"checkpoint-{step}")
                os.makedirs(folder)
                if complete:
                    open(os.path.join(folder, "trainer_state.json"), "w").close()
            self.assertEqual(common.last_checkpoint(tmp), os.path.join(tmp, "checkpoint-300"))
        self.assertIsNone(common.last_checkpoint("/nonexistent/folder"))


class LogLines(unittest.TestCase):
    def test_train_log_line_drops_non_finite_values(self):
        line = common.train_log_line({"loss": 1.5, "grad_norm": float("nan"), "learning_rate": 2e-4}, 10, 0.5)
        self.assertTrue(line.startswith("TRAIN_LOG "))
        self.assertEqual(json.loads(line[len("TRAIN_LOG "):]),
                         {"step": 10, "epoch": 0.5, "loss": 1.5, "learning_rate": 2e-4})

    def test_missing_model_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.assertEqual(common.missing_model_files(tmp),
                             ["config.json", "tokenizer_config.json", "*.safetensors", "tokenizer.json"])
            for name in ("config.json", "tokenizer_config.json", "model-00001-of-00002.safetensors", "tokenizer.json"):
                open(os.path.join(tmp, name), "w").close()
            self.assertEqual(common.missing_model_files(tmp), [])


if __name__ == "__main__":
    unittest.main()
