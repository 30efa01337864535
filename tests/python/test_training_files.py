"""Unit tests for slurm/common.py training_files: what train_file / eval_file may name (no pyarrow needed).

Run: python3 -m unittest discover -s tests/python   (tests/python/python.test.ts runs it)
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "slurm"))
import common  # noqa: E402


class TrainingFiles(unittest.TestCase):
    def test_a_dataset_folder_gives_its_split_shards_in_order(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "data"))
            for name in ["train-00001-of-00002.parquet", "train-00000-of-00002.parquet", "test-00000-of-00001.parquet"]:
                open(os.path.join(tmp, "data", name), "w").close()
            train = common.training_files(tmp)
            test = common.training_files(tmp, "test")
        self.assertEqual([os.path.basename(f) for f in train],
                         ["train-00000-of-00002.parquet", "train-00001-of-00002.parquet"])
        self.assertEqual([os.path.basename(f) for f in test], ["test-00000-of-00001.parquet"])

    def test_a_file_is_itself_and_missing_input_is_an_error_naming_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            jsonl = os.path.join(tmp, "train.jsonl")
            open(jsonl, "w").close()
            self.assertEqual(common.training_files(jsonl), [jsonl])
            with self.assertRaisesRegex(FileNotFoundError, "no data/train-\\*.parquet shards"):
                common.training_files(tmp)
            with self.assertRaisesRegex(FileNotFoundError, "nowhere"):
                common.training_files(os.path.join(tmp, "nowhere"))


if __name__ == "__main__":
    unittest.main()
