"""Latency of the forward pass alone: warm-up discarded, then timed runs until the CI is tight enough.

Inputs are built by the caller before this is entered, so nothing but the forward call (and, on CUDA,
the wait for its kernels) lies inside the timed region.
"""

import time
from dataclasses import dataclass

from bench_job.measure.stats import ci_half_width


class CpuTimer:
    """Wall time around a synchronous call: perf_counter_ns has the finest resolution Python offers."""
    name = "perf_counter_ns"

    def time(self, fn) -> float:
        start = time.perf_counter_ns()
        fn()
        return (time.perf_counter_ns() - start) / 1e9


class CudaEventTimer:
    """GPU time between two CUDA events around the call; the end event is waited for, so the kernels
    launched asynchronously by fn are inside the measurement. `cuda` is torch.cuda (injectable for tests)."""
    name = "cuda_event"

    def __init__(self, cuda):
        self.cuda = cuda

    def time(self, fn) -> float:
        start = self.cuda.Event(enable_timing=True)
        end = self.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3  # elapsed_time is in milliseconds


@dataclass
class LatencySettings:
    warmup_runs: int = 2
    min_runs: int = 10
    max_runs: int = 1000
    target_ci_rel: float = 0.05
    confidence: float = 0.95
    max_time_s: float = 10.0


@dataclass
class LatencyResult:
    timings_s: list
    warmup_s: list
    stop_reason: str          # "ci_target", "time_budget" or "max_runs"


def measure_latency(fn, timer, settings: LatencySettings, clock=time.monotonic) -> LatencyResult:
    """Run fn warmup_runs times untimed-for-statistics, then time it until the CI target is met.

    Timing goes on past min_runs while the confidence half-width exceeds target_ci_rel of the mean and
    the time budget (counted from the first timed run) allows; max_runs caps it.
    """
    warmup = [timer.time(fn) for _ in range(settings.warmup_runs)]
    timings = []
    started = clock()
    while True:
        timings.append(timer.time(fn))
        n = len(timings)
        if n >= settings.max_runs:
            return LatencyResult(timings, warmup, "max_runs")
        if n < settings.min_runs:
            continue
        mean = sum(timings) / n
        if ci_half_width(timings, settings.confidence) <= settings.target_ci_rel * mean:
            return LatencyResult(timings, warmup, "ci_target")
        if clock() - started >= settings.max_time_s:
            return LatencyResult(timings, warmup, "time_budget")
