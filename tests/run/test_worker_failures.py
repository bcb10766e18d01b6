"""How the worker classes a failure: out of memory (the row says oom) or an error with its reason. The check runs
inside the worker's failure path, so it must itself never raise (on torch 2.1 it once did, and the worker died
without the reason)."""

from __future__ import annotations

import torch

from bench_job.run.worker import _is_out_of_memory


def test_out_of_memory_errors_are_told_from_other_failures():
    assert _is_out_of_memory(torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert _is_out_of_memory(MemoryError())
    assert _is_out_of_memory(
        RuntimeError("[enforce fail at alloc_cpu.cpp:83] DefaultCPUAllocator: can't allocate memory")
    )
    assert not _is_out_of_memory(ValueError("indices element out of data bounds"))
    assert not _is_out_of_memory(RuntimeError("shape mismatch"))
