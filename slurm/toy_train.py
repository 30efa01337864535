"""A tiny CPU training job for the local test cluster: fits y = 3x - 1 by gradient descent, logging like finetune.py.

It stands in for fine-tuning in the demo notebooks (no GPU there): a real workload whose loss really falls,
logged as `TRAIN_LOG {json}` lines, so the notebook's log streaming and loss curve run end to end.
    python3 slurm/toy_train.py --steps 60 --output out/slurm/toy/result.json
With --checkpoint-dir it behaves like finetune.py under the requeue job script (lib/src/slurm/requeue.ts):
resumes from the last checkpoint-N there, and when the stop file appears saves checkpoint-N, asks for a
requeue and exits 0. The result is the same whether or not the run was interrupted (the RNG state is saved).
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
    parser.add_argument("--checkpoint-dir", help="resume from and checkpoint into this folder on request")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    points = [(x, 3 * x - 1 + rng.gauss(0, 0.1)) for x in (rng.uniform(-1, 1) for _ in range(256))]
    weight, bias, start = 0.0, 0.0, 1
    if args.checkpoint_dir:
        os.makedirs(args.checkpoint_dir, exist_ok=True)
    resume = common.last_checkpoint(args.checkpoint_dir) if args.checkpoint_dir else None
    if resume:
        with open(os.path.join(resume, "trainer_state.json"), encoding="utf-8") as handle:
            state = json.load(handle)
        weight, bias, start = state["weight"], state["bias"], state["global_step"] + 1
        rng.setstate((state["rng"][0], tuple(state["rng"][1]), state["rng"][2]))
        print(f"[toy] resuming from {resume} (step {state['global_step']})", flush=True)
    for step in range(start, args.steps + 1):
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
        if args.checkpoint_dir and common.stop_requested(args.checkpoint_dir):
            folder = os.path.join(args.checkpoint_dir, f"checkpoint-{step}")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "trainer_state.json"), "w", encoding="utf-8") as handle:
                json.dump({"global_step": step, "weight": weight, "bias": bias, "rng": rng.getstate()}, handle)
            common.request_requeue(args.checkpoint_dir, folder, step)
            print(f"[toy] stopped on request at step {step}; checkpoint {folder}", flush=True)
            return 0
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump({"weight": weight, "bias": bias, "steps": args.steps, "resumed_from": resume}, handle)
    print(f"[toy] fitted weight={weight:.3f} bias={bias:.3f} (true 3, -1); wrote {args.output}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
