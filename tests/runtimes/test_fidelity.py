"""Fidelity to eager PyTorch: the maths, the tolerance per precision, and the validity flag it raises."""

from __future__ import annotations

import math

import torch

from bench_job.runtimes.fidelity import TOLERANCE, fidelity_reason, output_fidelity
from tests.settings import invalid_reasons


def test_the_difference_is_relative_to_the_reference_scale():
    reference = torch.tensor([[4.0, -8.0], [1.0, 2.0]])
    output = reference + torch.tensor([[0.0, 0.004], [-0.002, 0.0]])
    fields = output_fidelity(reference, output, "fp32")
    assert math.isclose(fields["output_max_abs_diff"], 0.004, rel_tol=1e-3)
    assert math.isclose(fields["output_rel_diff"], 0.004 / 8, rel_tol=1e-3)
    assert fields["output_tolerance"] == TOLERANCE["fp32"] == 1e-3


def test_tiny_logits_are_judged_on_their_own_scale():
    # random-init MobileNetV2's logits are about 1e-9: an absolute tolerance would pass anything
    reference = torch.full((1, 4), 2e-9)
    fields = output_fidelity(reference, reference * 1.5, "fp32")
    assert math.isclose(fields["output_rel_diff"], 0.5, rel_tol=1e-5)
    assert fidelity_reason(fields).startswith("outputs differ from eager PyTorch by 0.5 of their scale")


def test_tolerances_loosen_with_the_precision():
    assert TOLERANCE["fp32"] < TOLERANCE["fp16"] == TOLERANCE["bf16"] < TOLERANCE["int8"]
    fields = output_fidelity(torch.ones(2, 2), torch.ones(2, 2) * 1.1, "int8")
    assert fidelity_reason(fields) is None
    assert fidelity_reason(output_fidelity(torch.ones(2, 2), torch.ones(2, 2) * 1.1, "fp32")) is not None


def test_zero_outputs_that_agree_are_exact_and_a_shape_mismatch_is_named():
    assert output_fidelity(torch.zeros(2, 3), torch.zeros(2, 3), "fp32")["output_rel_diff"] == 0.0
    fields = output_fidelity(torch.zeros(2, 3), torch.zeros(3, 2), "fp32")
    assert fidelity_reason(fields) == "output shape (3, 2) differs from eager's (2, 3)"


def _record(**fields):
    return dict({"n_runs": 30, "latency_median_ci_rel": 0.01}, **fields)


def test_a_runtime_beyond_tolerance_makes_the_row_not_valid():
    fields = output_fidelity(torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 2.5]]), "fp32")
    reasons = invalid_reasons(_record(**fields), min_runs=10, target_ci_rel=0.05, min_power_samples=10)
    assert reasons == ["outputs differ from eager PyTorch by 0.25 of their scale (max abs 0.5; tolerance 0.001)"]


def test_eager_rows_and_agreeing_runtimes_stay_valid():
    agreeing = output_fidelity(torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 2.0000001]]), "fp32")
    assert invalid_reasons(_record(**agreeing), 10, 0.05, 10) == []
    assert invalid_reasons(_record(), 10, 0.05, 10) == []
