"""The real-clock check on this machine: per core type, the calibrated loop's clock (several checks in a row,
each the fastest of 5 repeats of 20 ms, as the run takes them) beside cpufreq's scaling_cur_freq and
/proc/cpuinfo's "cpu MHz"; on x86-64 also chains of add-immediate and imul (latency 3), which must agree with
the add chain if it retires one add per cycle. The spread of the checks is what real_clock.margin must cover.

    PYTHONPATH=. python benchmarks/real_clock.py [--checks 10] [--sysfs-root /sys]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics

from bench_job.host.clock_check import check_real_clock, describe_entry
from bench_job.host.real_clock import UNROLL, cycles_per_second, load_loop, x86_64_loop

X86_ADD_RAX_1 = b"\x48\x83\xc0\x01"  # add rax, 1 (eliminated at rename on Golden Cove and later)
X86_IMUL_RAX_RCX = b"\x48\x0f\xaf\xc1"  # imul rax, rcx: latency 3


def other_chains(cpu: int) -> None:
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        for name, step, cycles in (
            ("add rax, rcx", None, 1),
            ("add rax, 1", X86_ADD_RAX_1, 1),
            ("imul rax, rcx", X86_IMUL_RAX_RCX, 3),
        ):
            loop = load_loop(x86_64_loop(step) if step else x86_64_loop())
            mhz = cycles_per_second(loop, 0.02, cycles_per_iteration=cycles * UNROLL) / 1e6
            print(f"  cpu{cpu} {name:14s} chain: {mhz:7.1f} MHz")
    finally:
        os.sched_setaffinity(0, allowed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=10)
    parser.add_argument("--sysfs-root", default="/sys")
    args = parser.parse_args()
    checks = [check_real_clock(args.sysfs_root, 0.10) for _ in range(args.checks)]
    for index, entry in enumerate(checks[0]["core_types"]):
        figures = [c["core_types"][index]["measured_mhz"] for c in checks]
        figures = [f for f in figures if f is not None]
        print(describe_entry(checks[-1]["core_types"][index]))
        if figures:
            spread = (max(figures) - min(figures)) / statistics.median(figures)
            print(
                f"  {len(figures)} checks: median {statistics.median(figures):.1f} MHz, min {min(figures):.1f}, "
                f"max {max(figures):.1f}, spread {spread:.1%}"
            )
        if platform.machine().lower() in ("x86_64", "amd64"):
            other_chains(entry["cpu"])


if __name__ == "__main__":
    main()
