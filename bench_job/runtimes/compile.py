"""torch.compile with the inductor backend. Compilation happens at the first call, so the compile time is
that of the first call on the example inputs; a configuration of another shape recompiles during its
warm-up runs (torch then marks the changed axes dynamic), outside the timed rounds."""

from __future__ import annotations

import os
import shutil
import time

from bench_job.errors import one_line
from bench_job.runtimes.base import Prepared, Runtime, RuntimeFailed, first_output


def c_compiler() -> str | None:
    """The C++ compiler inductor's CPU backend would call ($CXX, else g++ / clang++ on PATH)."""
    for name in filter(None, (os.environ.get("CXX"), "g++", "clang++")):
        if shutil.which(name):
            return name
    return None


class CompileRuntime(Runtime):
    name = "compile"
    precisions = ("fp32", "fp16", "bf16")
    exports_fp32 = False

    def unavailable(self, accelerator: str) -> str | None:
        if accelerator == "cpu" and c_compiler() is None:
            return "torch.compile (inductor) needs a C++ compiler for the CPU and none was found (install g++)"
        return None

    def prepare(
        self, model, example_inputs, variant, device, threads, workdir, shape_range=None, calibration=None
    ) -> Prepared:
        import torch

        compiled = torch.compile(model, backend="inductor")
        started = time.perf_counter()
        try:
            with torch.inference_mode():
                compiled(**example_inputs)
                if device == "cuda":
                    torch.cuda.synchronize()
        except Exception as exc:
            raise RuntimeFailed(f"torch.compile (inductor) failed: {one_line(exc, 200)}") from None
        return Prepared(
            bind=lambda inputs: lambda: compiled(**inputs),
            output=lambda raw: first_output(raw).float().cpu(),
            export_s=time.perf_counter() - started,
            fields={"runtime_providers": "inductor"},
        )
