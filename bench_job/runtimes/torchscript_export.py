"""torch.onnx's TorchScript exporter: the ONNX export where the dynamo exporter is not there (torch < 2.5, as on
JetPack 5's torch 2.0/2.1 and JetPack 6.0's 2.1). It traces the model on the example inputs; dynamic_axes names
the axes that stay free, the same ones onnx_export.dynamic_axes gives the dynamo exporter.
"""

from __future__ import annotations

import inspect

# 17: torch 2.1's default for this exporter, and within what ONNX Runtime 1.19 runs; fixed so that torch 2.0 (default
# 14) writes the same graph.
OPSET = 17


def input_order(model, inputs: dict) -> list:
    """The input names in the order of the model's forward parameters. The exporter takes the dict as named
    arguments and lays the graph's inputs out in that order, so input_names must follow it (a tokenizer's
    dict order, token_type_ids before attention_mask, would swap the two names in the graph)."""
    try:
        params = list(inspect.signature(model.forward).parameters)
    except (TypeError, ValueError):
        return list(inputs)
    ordered = [name for name in params if name in inputs]
    return ordered + [name for name in inputs if name not in ordered]


def export_torchscript(model, inputs: dict, path: str, axes: dict | None) -> None:
    """model traced on inputs and written to path; axes: input name -> the axes left dynamic, or None for a
    fixed-shape export."""
    import torch

    names = input_order(model, inputs)
    dynamic = None
    if axes is not None:
        dynamic = {name: {axis: f"{name}_{axis}" for axis in axes[name]} for name in names}
    with torch.no_grad():
        # A dict as the last element of args is the exporter's way of passing named arguments.
        torch.onnx.export(
            model,
            (dict(inputs),),
            path,
            input_names=names,
            dynamic_axes=dynamic,
            opset_version=OPSET,
            do_constant_folding=True,
        )
