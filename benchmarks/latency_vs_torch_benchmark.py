"""The job's latency measurement against torch.utils.benchmark.Timer, in one run, on the same models.

For ResNet18 (224 px), MobileNetV2 (224 px) and BERT-base (128 tokens), all at batch 1 with random
weights, it times the forward pass with bench_job's loop and with Timer.blocked_autorange (passing the
same num_threads: Timer defaults to one thread) and prints the median over rounds of the paired
ratio ours/Timer. The two run back to back in many short rounds, in alternating order, so that the
drift of a shared machine (the same forward pass here ranges 37-51 ms from one second to the next)
hits both alike and cancels in the ratio. Goal: median ratio within 5% of 1.

    python benchmarks/latency_vs_torch_benchmark.py [--rounds 20] [--min-time 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics

import torch
import torch.utils.benchmark as torch_benchmark

from bench_job import config as cfg
from bench_job.families import FAMILIES
from bench_job.measure.latency import CpuTimer
from bench_job.measure.quiet import Patience
from bench_job.measure.rounds import ConfigTiming, RoundSettings, time_interleaved

CASES = [("resnet18", 224), ("mobilenet_v2", 224), ("bert-base-uncased", 128)]


def build(name: str, size: int):
    entry = next(m for m in cfg.resolve(None, device="laptop").models if m.name == name)
    family = FAMILIES[entry.family]
    model = family.build(entry, "random", 0).eval()
    return model, family.make_inputs(model, 1, size, 0)


def ours(model, inputs, min_time: float) -> float:
    """The job's rounds loop on one configuration (no redone rounds: this compares the loops alone)."""
    measure = dataclasses.replace(
        cfg.resolve(None, device="laptop").measure,
        warmup_runs=3,
        min_runs=10,
        max_runs=10_000,
        target_ci_rel=0.0,
        patience_s=0,
        quiet_wait_s=0,
    )
    settings = RoundSettings(measure, max_time_s=min_time, deadline=None)
    config = ConfigTiming("case", lambda: model(**inputs))
    for _ in range(measure.warmup_runs):
        config.run_once()
    time_interleaved([config], CpuTimer(), settings, Patience.from_measure(measure))
    return statistics.median(config.timings_s)


def theirs(model, inputs, min_time: float) -> float:
    timer = torch_benchmark.Timer(
        stmt="model(**inputs)", globals={"model": model, "inputs": inputs}, num_threads=torch.get_num_threads()
    )
    return timer.blocked_autorange(min_run_time=min_time).median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--min-time", type=float, default=1.0, help="seconds of timing per method per round")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads for both methods")
    print(f"{'model':<20}{'bench_job ms':>14}{'Timer ms':>12}{'ratio':>8}  ratio range over rounds")
    worst = 0.0
    for name, size in CASES:
        model, inputs = build(name, size)
        a, b = [], []
        with torch.inference_mode():
            for round_index in range(args.rounds):
                if round_index % 2:
                    b.append(theirs(model, inputs, args.min_time))
                    a.append(ours(model, inputs, args.min_time))
                else:
                    a.append(ours(model, inputs, args.min_time))
                    b.append(theirs(model, inputs, args.min_time))
        ratios = [x / y for x, y in zip(a, b)]
        ratio = statistics.median(ratios)
        worst = max(worst, abs(ratio - 1))
        print(
            f"{name:<20}{statistics.median(a) * 1e3:>14.2f}{statistics.median(b) * 1e3:>12.2f}{ratio:>8.3f}"
            f"  {min(ratios):.3f}-{max(ratios):.3f}"
        )
    print(f"largest deviation from 1: {worst:.1%} ({'within' if worst <= 0.05 else 'OUTSIDE'} the 5% goal)")


if __name__ == "__main__":
    main()
