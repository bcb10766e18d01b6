"""The machine's achievable GFLOP/s: a short fp32 matmul microbenchmark, so that every configuration
can say what fraction of the device it used."""

from __future__ import annotations

import time


def measure_peak_gflops(
    threads: int | None = None, size: int = 1024, seconds: float = 1.0, device: str = "cpu"
) -> float:
    """Best observed GFLOP/s of size x size fp32 matmuls (2*n^3 FLOPs each) over about `seconds`."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    with torch.inference_mode():
        a @ b  # warm-up: first call allocates and picks kernels
        sync()
        best = 0.0
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            a @ b
            sync()
            best = max(best, 2 * size**3 / (time.perf_counter() - start) / 1e9)
    return best


def measure_peak_quietly(threads: int | None, size: int, seconds: float, device: str, measure) -> dict:
    """The peak, measured after waiting (bounded) for the machine to quieten, with the share of the CPU
    other processes took meanwhile: a busy neighbour lowers the peak and so inflates every row's
    fraction of it, and the report must be able to say so. measure: the config's measure section, whose
    bounds the wait keeps."""
    from bench_job.measure.contention import ContentionProbe
    from bench_job.measure.quiet import wait_as_configured

    waited, _quiet, _share = wait_as_configured(measure)
    probe = ContentionProbe()
    probe.start()
    peak = measure_peak_gflops(threads, size, seconds, device)
    return {"peak_gflops": peak, "peak_other_cpu_share": probe.other_share(), "peak_quiet_wait_s": waited}


def derived_metrics(flops: int | None, latency_median_s: float | None, peak_gflops: float | None) -> dict:
    """What a measured configuration's FLOPs and median latency say against the device's peak:
    achieved_gflops (FLOPs per second of the median run) and, with a measured peak, peak_fraction.
    Empty without a FLOP count (an int8 row) or a median (an MLPerf scenario's row: LoadGen's figures are its own)."""
    if not flops or latency_median_s is None:
        return {}
    achieved = flops / latency_median_s / 1e9
    derived = {"achieved_gflops": achieved}
    if peak_gflops:
        derived["peak_fraction"] = achieved / peak_gflops
    return derived
