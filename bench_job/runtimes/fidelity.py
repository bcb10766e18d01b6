"""Does a runtime compute what eager PyTorch computes? Its outputs against eager's on the same inputs.

The tolerance is relative to the output's scale (the largest absolute eager output), since a max absolute
difference means nothing without it: random-init MobileNetV2 logits are about 1e-9, ResNet18's about 5.
fp32: 1e-3 of the scale (an export reorders float sums; measured differences are about 1e-6).
fp16 / bf16: 5e-2 (10 and 7 bits of mantissa through a whole network).
int8: 0.25 (a quantized network's logits move by a sizeable fraction of their range; whether its answers
change is measured by accuracy on the dev set, not here).
"""

from __future__ import annotations

TOLERANCE = {"fp32": 1e-3, "fp16": 5e-2, "bf16": 5e-2, "int8": 0.25}


def output_fidelity(reference, output, precision: str) -> dict:
    """Record fields: output_max_abs_diff, output_rel_diff (over the reference's scale), output_tolerance."""
    reference, output = reference.float(), output.float()
    if tuple(reference.shape) != tuple(output.shape):
        return {
            "output_max_abs_diff": None,
            "output_rel_diff": None,
            "output_tolerance": TOLERANCE[precision],
            "fidelity_error": f"output shape {tuple(output.shape)} differs from eager's {tuple(reference.shape)}",
        }
    diff = float((reference - output).abs().max()) if reference.numel() else 0.0
    scale = float(reference.abs().max()) if reference.numel() else 0.0
    rel = diff / scale if scale > 0 else (0.0 if diff == 0 else float("inf"))
    return {"output_max_abs_diff": diff, "output_rel_diff": rel, "output_tolerance": TOLERANCE[precision]}


def fidelity_reason(record: dict) -> str | None:
    """Why a runtime's outputs cannot be trusted to be the model's, or None."""
    if record.get("fidelity_error"):
        return record["fidelity_error"]
    rel, tolerance = record.get("output_rel_diff"), record.get("output_tolerance")
    if rel is None or tolerance is None or rel <= tolerance:
        return None
    return (
        f"outputs differ from eager PyTorch by {rel:.2g} of their scale (max abs {record['output_max_abs_diff']:.3g}; "
        f"tolerance {tolerance:g})"
    )
