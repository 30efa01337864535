"""A tiny CPU training job for the local test cluster: fits y = 3x - 1 by gradient descent, logging like finetune.py.

It stands in for fine-tuning in the demo notebooks (no GPU there): a real workload whose loss really falls,
logged as `TRAIN_LOG {json}` lines, so the notebook's log streaming and loss curve run end to end.
    python3 slurm/toy_train.py --steps 60 --output out/slurm/toy/result.json
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the sources in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--log-every", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sleep", type=float, default=0.02, help="seconds per step, so the log visibly grows")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    points = [(x, 3 * x - 1 + rng.gauss(0, 0.1)) for x in (rng.uniform(-1, 1) for _ in range(256))]
    weight, bias = 0.0, 0.0
    for step in range(1, args.steps + 1):
        batch = rng.sample(points, 32)
        grad_w = sum(2 * (weight * x + bias - y) * x for x, y in batch) / len(batch)
        grad_b = sum(2 * (weight * x + bias - y) for x, y in batch) / len(batch)
        weight -= args.learning_rate * grad_w
        bias -= args.learning_rate * grad_b
        if step % args.log_every == 0:
            loss = sum((weight * x + bias - y) ** 2 for x, y in points) / len(points)
            logs = {"loss": round(loss, 6), "learning_rate": args.learning_rate}
            print(common.train_log_line(logs, step, step / args.steps), flush=True)
        time.sleep(args.sleep)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump({"weight": weight, "bias": bias, "steps": args.steps}, handle)
    print(f"[toy] fitted weight={weight:.3f} bias={bias:.3f} (true 3, -1); wrote {args.output}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
