"""Timers of one forward pass. Inputs are built before timing (measure/rounds.py schedules the runs),
so nothing but the forward call (and, on CUDA, the wait for its kernels) lies inside the timed region.
"""

from __future__ import annotations

import time


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


def timer_for(device) -> CpuTimer | CudaEventTimer:
    """The timer of a forward pass on device: CUDA events on a CUDA device (its kernels run asynchronously),
    perf_counter_ns elsewhere. The sweep's latency and the dev set's real-input latency both use it, so the
    two figures the report sets side by side are timed alike."""
    if str(device).startswith("cuda"):
        import torch

        return CudaEventTimer(torch.cuda)
    return CpuTimer()
