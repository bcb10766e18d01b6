"""runtime: tensorrt, with a fake `tensorrt` module (no GPU here): the engine built from the ONNX export
over the sweep's shape range, real buffers bound by address, and `skipped` where TensorRT cannot run."""

from __future__ import annotations

import sys

import pytest
import torch

from bench_job.catalogue import Variant
from bench_job.runtimes import RUNTIMES
from bench_job.runtimes.fidelity import output_fidelity
from tests.runtimes.fake_tensorrt import make_fake_tensorrt
from tests.runtimes.models import images, tiny_bert, tiny_conv, tokens

TRT = RUNTIMES["tensorrt"]


@pytest.fixture
def fake_trt(monkeypatch):
    log = []
    monkeypatch.setitem(sys.modules, "tensorrt", make_fake_tensorrt(log))
    return log


def test_not_installed_is_the_skip_reason(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorrt", None)
    assert TRT.unavailable("cuda") == "TensorRT is not installed in this image"


def test_installed_but_on_the_cpu_is_skipped_naming_the_accelerator(fake_trt):
    assert TRT.unavailable("cpu").startswith("TensorRT runs on an NVIDIA GPU: this run's accelerator is cpu")
    assert TRT.unavailable("cuda") is None


def test_conv_net_engine_spans_the_sweep_and_matches_eager(fake_trt, tmp_path):
    model = tiny_conv()
    shape_range = ({"x": (1, 3, 32, 32)}, {"x": (4, 3, 48, 48)})
    prepared = TRT.prepare(
        model,
        images(2, 40),
        Variant("fp16-tensorrt", "fp16", runtime="tensorrt"),
        "cpu",
        None,
        str(tmp_path),
        shape_range=shape_range,
    )
    assert ("profile", "x", (1, 3, 32, 32), (2, 3, 40, 40), (4, 3, 48, 48)) in fake_trt
    assert ("flag", "FP16") in fake_trt
    assert prepared.fields["runtime_providers"] == "TensorRT 10.3.0-fake (fp16)"
    assert prepared.export_s > 0 and prepared.session_s >= 0
    inputs = images(3, 48, seed=4)
    with torch.inference_mode():
        reference = model(**inputs)
    assert output_fidelity(reference, prepared.outputs(inputs), "fp32")["output_rel_diff"] < 1e-5


def test_token_ids_are_bound_in_the_engines_integer_type(fake_trt, tmp_path):
    model = tiny_bert()
    prepared = TRT.prepare(
        model, tokens(2, 16), Variant("fp32-tensorrt", "fp32", runtime="tensorrt"), "cpu", None, str(tmp_path)
    )
    inputs = tokens(1, 16, seed=2)
    with torch.inference_mode():
        reference = model(**inputs).logits
    assert output_fidelity(reference, prepared.outputs(inputs), "fp32")["output_rel_diff"] < 1e-5
