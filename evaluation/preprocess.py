"""Real dev-set batches moved to the model's device and precision.

Encoding raw rows into inputs is the model family's (bench_job/families: real_input_encoder). This runs
outside the timed region: real_latency_per_batch_s covers the forward pass only, like the synthetic
latency figures it is compared with.
"""

from __future__ import annotations

import torch


def to_device(args: tuple, kwargs: dict, device: str, dtype) -> tuple[tuple, dict]:
    def move(t):
        t = t.to(device)
        return t.to(dtype) if dtype is not None and t.is_floating_point() else t

    return tuple(move(a) for a in args), {k: move(v) for k, v in kwargs.items()}


def to_model(model, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """args and kwargs as model takes them: on its parameters' device, float tensors in their float type
    (a model kept as a reference beside a deployed runtime whose inputs follow another device or precision).
    A model without parameters takes them as they are."""
    parameter = next(model.parameters(), None)
    if parameter is None:
        return args, kwargs
    return to_device(args, kwargs, parameter.device, parameter.dtype)


def resolve_dtype(dtype):
    """torch dtype from a torch dtype, a name ("float16") or the config's precision names ("fp16")."""
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    names = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16", "int8": None}
    name = names.get(str(dtype), str(dtype))
    return getattr(torch, name) if name else None
