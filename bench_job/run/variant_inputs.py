"""A model variant's inputs as it runs them, for the sweep's configurations and an MLPerf scenario's sample pool."""

from __future__ import annotations


def prepare_inputs(inputs: dict, variant, device: str) -> dict:
    """The inputs on the device, float tensors in the variant's float type: the dev set's batches take the
    same path (evaluation.preprocess)."""
    from evaluation.preprocess import resolve_dtype, to_device

    return to_device((), inputs, device, resolve_dtype(variant.precision))[1]
