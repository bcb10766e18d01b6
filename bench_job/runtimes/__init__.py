"""Deployment runtimes: the same model run as it ships. Adding a runtime is one new module here, behind
base.Runtime, listed in RUNTIMES."""

from __future__ import annotations

from bench_job.runtimes.base import Prepared, Runtime, RuntimeFailed
from bench_job.runtimes.compile import CompileRuntime
from bench_job.runtimes.eager import EagerRuntime
from bench_job.runtimes.onnxruntime_runtime import OnnxRuntimeRuntime
from bench_job.runtimes.tensorrt_runtime import TensorRTRuntime

RUNTIMES: dict[str, Runtime] = {
    r.name: r for r in (EagerRuntime(), CompileRuntime(), OnnxRuntimeRuntime(), TensorRTRuntime())
}

__all__ = ["RUNTIMES", "Prepared", "Runtime", "RuntimeFailed"]
