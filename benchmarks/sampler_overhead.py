"""Cost of the power sampler on inference latency: ResNet18 (random weights, batch 1, 224x224) on CPU,
forward-pass median with the sampler thread polling at 50 Hz against the sampler off, in one run.

Blocks of forward passes alternate on/off so drift (temperature, clocks) hits both sides alike. The
sampler polls the machine's real polled sources when there are any, else a fake source that reads a
small file, as an INA3221 rail read does. Goal: ratio (on / off) within 2%.

    python benchmarks/sampler_overhead.py [--blocks 20] [--per-block 15] [--hz 50] [--sysfs-root /sys]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import torch
import torchvision

from bench_job.power import discover_sources
from bench_job.power.base import PolledPowerSource
from bench_job.power.sampler import PowerSampler


class FileRail(PolledPowerSource):
    """Stands in for a sysfs power rail: one small file read and parsed per sample."""

    def __init__(self, path):
        super().__init__("fake-rail", "a file standing in for a sysfs rail")
        self._path = path

    def read_power_w(self) -> float:
        with open(self._path, "rb") as handle:
            return int(handle.read()) / 1e3


def polled_sources(sysfs_root, scratch):
    found, _ = discover_sources(sysfs_root=sysfs_root)
    polled = [s for s in found if s.kind == "polled"]
    if polled:
        return polled, "real"
    path = os.path.join(scratch, "in_power0_input")
    with open(path, "w") as handle:
        handle.write("5123\n")
    return [FileRail(path)], "fake file rail"


def timed_forwards(model, batch, count) -> list[float]:
    times = []
    with torch.inference_mode():
        for _ in range(count):
            start = time.perf_counter_ns()
            model(batch)
            times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=60, help="on/off block pairs")
    parser.add_argument("--per-block", type=int, default=5, help="forward passes per block")
    parser.add_argument("--hz", type=float, default=50.0)
    parser.add_argument("--sysfs-root", default="/sys")
    args = parser.parse_args()

    model = torchvision.models.resnet18(weights=None).eval()
    batch = torch.randn(1, 3, 224, 224)
    timed_forwards(model, batch, 5)  # warm-up
    with tempfile.TemporaryDirectory() as scratch:
        sources, kind = polled_sources(args.sysfs_root, scratch)
        sampler = PowerSampler(sources, args.hz)
        on, off, paired = [], [], []
        for block in range(args.blocks):
            block_on, block_off = [], []
            # alternate which side goes first so neither always follows the other
            for sampling in (True, False) if block % 2 == 0 else (False, True):
                if sampling:
                    sampler.start()
                    block_on = timed_forwards(model, batch, args.per_block)
                    sampler.stop()
                else:
                    block_off = timed_forwards(model, batch, args.per_block)
            on += block_on
            off += block_off
            # neighbouring blocks share the machine's load of the moment, so their ratio resists drift
            paired.append(statistics.median(block_on) / statistics.median(block_off))
    median_on, median_off = statistics.median(on), statistics.median(off)
    print(
        f"torch threads {torch.get_num_threads()}, sampler {args.hz:g} Hz on {kind} source(s), "
        f"{len(on)} + {len(off)} forward passes"
    )
    print(f"median latency: sampler on {median_on:.3f} ms, off {median_off:.3f} ms")
    print(
        f"ratio on/off: {median_on / median_off:.4f} (goal: within 2%); "
        f"median of paired block ratios: {statistics.median(paired):.4f}"
    )


if __name__ == "__main__":
    main()
