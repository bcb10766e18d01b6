"""runtime: compile (torch.compile, inductor) on a tiny conv net, and its skip reason without a compiler."""

from __future__ import annotations

import pytest
import torch

from bench_job.catalogue import Variant
from bench_job.runtimes import RUNTIMES, RuntimeFailed
from bench_job.runtimes import compile as compile_runtime
from tests.runtimes.models import DataDependentNet, images, tiny_conv

COMPILE = RUNTIMES["compile"]


def test_compiles_on_the_example_and_records_the_compile_time(tmp_path):
    model = tiny_conv()
    prepared = COMPILE.prepare(
        model, images(2, 32), Variant("fp32-compile", runtime="compile"), "cpu", 1, str(tmp_path)
    )
    assert prepared.export_s > 0 and prepared.session_s is None and not prepared.fixed_shape
    inputs = images(1, 32, seed=3)
    with torch.inference_mode():
        assert torch.allclose(prepared.outputs(inputs), model(**inputs), rtol=1e-4, atol=1e-6)


def test_without_a_cpu_compiler_compile_is_skipped_saying_why(monkeypatch):
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.setattr(compile_runtime.shutil, "which", lambda name: None)
    assert COMPILE.unavailable("cpu") == (
        "torch.compile (inductor) needs a C++ compiler for the CPU and none was found (install g++)"
    )


def test_a_compile_failure_is_one_line(monkeypatch, tmp_path):
    def broken(model, backend):
        def call(**inputs):
            raise RuntimeError("inductor: no kernel\nmore text")

        return call

    monkeypatch.setattr(torch, "compile", broken)
    with pytest.raises(RuntimeFailed, match=r"^torch.compile \(inductor\) failed: RuntimeError: inductor: no kernel$"):
        COMPILE.prepare(DataDependentNet(), images(2, 8), Variant("v", runtime="compile"), "cpu", 1, str(tmp_path))
