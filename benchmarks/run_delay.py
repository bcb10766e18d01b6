"""What the scheduler run delay of single runs looks like on this machine: the figures behind
measure.max_run_delay (profiles/defaults.yaml).

ResNet18 at batch 1, 224 px (eager, fp32, random weights) runs in blocks of --block runs for --seconds;
each run's run delay (bench_job.measure.contention.own_run_delay_s, summed over our threads, read outside
the timed call) is taken per thread of the pass, as the timing rounds take it, over the run's time. Each
block also records the share of the CPU other processes used during it (ContentionProbe). Printed: the
distribution of the per-run delay (p50/p90/p99, and the share of runs over a few limits) over all blocks
and over the quiet ones (share at most --quiet), and how the delay follows the share (median ratio,
correlation), per thread count.

    python benchmarks/run_delay.py [--threads 1 2] [--seconds 60] [--block 5] [--quiet 0.10]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def sample(threads: int, seconds: float, block: int) -> list:
    """[(other processes' share, [per-thread run delay / run time, ...]), ...] of the blocks run."""
    import torch
    import torchvision

    from bench_job.measure.contention import ContentionProbe, own_run_delay_s

    torch.set_num_threads(threads)
    model = torchvision.models.resnet18().eval()
    inputs = torch.randn(1, 3, 224, 224)
    blocks = []
    with torch.inference_mode():
        for _ in range(3):
            model(inputs)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            probe = ContentionProbe()
            probe.start()
            delays = []
            for _ in range(block):
                before = own_run_delay_s()
                started = time.perf_counter()
                model(inputs)
                elapsed = time.perf_counter() - started
                delays.append((own_run_delay_s() - before) / threads / elapsed)
            blocks.append((probe.other_share(), delays))
    return blocks


def describe(threads: int, blocks: list, quiet: float) -> None:
    blocks = [(share, delays) for share, delays in blocks if share is not None]
    shares = np.array([share for share, _ in blocks])
    means = np.array([np.mean(delays) for _, delays in blocks])
    print(f"{threads} thread(s): {len(blocks)} blocks, other processes' share {shares.min():.0%}-{shares.max():.0%}")
    for label, kept in (
        ("all blocks", blocks),
        (f"blocks at <= {quiet:.0%} other CPU", [b for b in blocks if b[0] <= quiet]),
    ):
        runs = np.array([d for _, delays in kept for d in delays])
        if not len(runs):
            print(f"  {label}: none")
            continue
        p50, p90, p99 = np.percentile(runs, [50, 90, 99])
        over = ", ".join(f"{np.mean(runs > limit):.0%} over {limit:.0%}" for limit in (0.01, 0.02, 0.05, 0.10))
        print(f"  {label}: {len(runs)} runs, per-thread run delay p50 {p50:.1%} p90 {p90:.1%} p99 {p99:.1%} ({over})")
    busy = shares > 0
    if busy.sum() > 2:
        ratio = float(np.median(means[busy] / shares[busy]))
        print(f"  delay / share: median {ratio:.2f}, correlation {np.corrcoef(shares, means)[0, 1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--block", type=int, default=5)
    parser.add_argument("--quiet", type=float, default=0.10)
    args = parser.parse_args()
    for threads in args.threads:
        describe(threads, sample(threads, args.seconds, args.block), args.quiet)


if __name__ == "__main__":
    main()
