"""The PyTorch model as an ONNX file, shared by the runtimes that run ONNX (ONNX Runtime, TensorRT).

torch.onnx's dynamo exporter, with the batch and the sequence / image axes dynamic so that one export
serves a whole sweep; when the exporter cannot make them dynamic, the model is exported at the shapes
it is given and the Prepared says so (fixed_shape). Where torch has no dynamo exporter (torch < 2.5: JetPack
5's 2.0/2.1), the TorchScript exporter runs instead (torchscript_export.py), and the row's onnx_exporter says
which of the two made the file.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
import warnings
from dataclasses import dataclass

from bench_job.errors import one_line
from bench_job.runtimes.base import RuntimeFailed
from bench_job.runtimes.torchscript_export import export_torchscript


@dataclass
class Exported:
    path: str
    export_s: float
    fixed_shape: bool
    input_shapes: dict  # the example's shapes: what a fixed-shape export accepts
    note: str | None = None  # why the export is fixed-shape
    exporter: str = "dynamo"  # which torch.onnx exporter wrote the file: dynamo or torchscript


def exporter() -> str:
    """dynamo where torch.onnx.export takes dynamo=True (torch >= 2.5), else torchscript."""
    import inspect

    import torch

    return "dynamo" if "dynamo" in inspect.signature(torch.onnx.export).parameters else "torchscript"


def dynamic_axes(inputs: dict) -> dict:
    """Input name -> the axes to make dynamic: the batch (axis 0), the sequence of a (batch, tokens) tensor,
    the height and width of a (batch, channels, height, width) image. Other axes (channels) stay fixed."""
    axes = {2: (0, 1), 4: (0, 2, 3)}
    return {name: axes.get(tensor.dim(), (0,)) for name, tensor in inputs.items()}


def _export(model, inputs: dict, path: str, dynamic: bool) -> None:
    if exporter() == "torchscript":
        _quietly(export_torchscript, model, inputs, path, dynamic_axes(inputs) if dynamic else None)
    else:
        _export_dynamo(model, inputs, path, dynamic)
    if not os.path.exists(path):
        raise RuntimeFailed("the ONNX exporter wrote no file")


def _quietly(export, *args, **kwargs):
    """The exporters report their progress on stdout, warn about every renamed axis or traced branch and dump
    the graph they failed on to stderr: that belongs in no run log. Their failures are exceptions, kept."""
    quiet = contextlib.ExitStack()
    quiet.enter_context(contextlib.redirect_stdout(io.StringIO()))
    quiet.enter_context(contextlib.redirect_stderr(io.StringIO()))
    with warnings.catch_warnings(), quiet:
        warnings.simplefilter("ignore")
        return export(*args, **kwargs)


def _export_dynamo(model, inputs: dict, path: str, dynamic: bool) -> None:
    import torch

    shapes = None
    if dynamic:
        shapes = {
            name: {axis: torch.export.Dim.DYNAMIC for axis in axes} for name, axes in dynamic_axes(inputs).items()
        }
    _quietly(
        torch.onnx.export,
        model,
        (),
        path,
        kwargs=dict(inputs),
        dynamo=True,
        dynamic_shapes=shapes,
        verbose=False,
        external_data=False,
    )


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def export_failure(exc: BaseException) -> str:
    """The exporter's one-line reason: its innermost cause (the outer error only says which of its steps
    failed), without the terminal colours it adds."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return _ANSI.sub("", one_line(exc, 200))


def export_onnx(model, inputs: dict, workdir: str) -> Exported:
    """model exported to workdir/model.onnx: dynamic axes where the exporter allows, else fixed shapes."""
    path = os.path.join(workdir, "model.onnx")
    shapes = {name: tuple(t.shape) for name, t in inputs.items()}
    which = exporter()
    started = time.perf_counter()
    try:
        _export(model, inputs, path, dynamic=True)
        return Exported(path, time.perf_counter() - started, False, shapes, exporter=which)
    except Exception as dynamic_failure:
        why = export_failure(dynamic_failure)
    try:
        _export(model, inputs, path, dynamic=False)
    except Exception as exc:
        raise RuntimeFailed(f"ONNX export failed (torch.onnx {which} exporter): {export_failure(exc)}") from None
    note = f"fixed-shape ONNX export (dynamic axes refused: {why})"
    return Exported(path, time.perf_counter() - started, True, shapes, note, which)
