"""The machine's achievable GFLOP/s: a short fp32 matmul microbenchmark, so that every configuration
can say what fraction of the device it used."""

import time


def measure_peak_gflops(threads: int | None = None, size: int = 1024, seconds: float = 1.0,
                        device: str = "cpu") -> float:
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
