"""The interface every deployment runtime implements: turn the PyTorch model into something that runs
the same input dict, and say what that cost (export or compile time, session or engine creation time).

The worker times what a Prepared binds exactly as it times eager PyTorch (same rounds, validity, energy
window, memory columns); FLOPs and parameters always come from the PyTorch model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable


class RuntimeFailed(Exception):
    """The runtime could not prepare this model (an export or a compile failed): the model variant's rows are
    `error` with this one-line reason."""


@dataclass
class Prepared:
    """A model ready to run in one runtime.

    bind(inputs) -> run_once: everything that can be done before timing (conversion to the runtime's arrays,
    buffer allocation) happens in bind; run_once is one complete inference and returns its raw output.
    output(raw) -> the first output (the logits) as a CPU float torch tensor, for the fidelity check.
    export_s: export or compile time; session_s: session or engine creation time (None where the runtime has
    no such step). fixed_shape: the export accepts only input_shapes (the dynamic export failed)."""

    bind: Callable
    output: Callable
    export_s: float | None = None
    session_s: float | None = None
    fixed_shape: bool = False
    input_shapes: dict | None = None
    notes: list = field(default_factory=list)
    fields: dict = field(default_factory=dict)  # further record columns (runtime_providers, quantization)

    def accepts(self, inputs: dict) -> bool:
        return not self.fixed_shape or {k: tuple(v.shape) for k, v in inputs.items()} == self.input_shapes

    def outputs(self, inputs: dict):
        return self.output(self.bind(inputs)())


class Runtime(ABC):
    name: str  # config value of a variant's `runtime`
    precisions: tuple  # the variant precisions it runs
    exports_fp32: bool = True  # prepares from the fp32 CPU model (an export), not from the eager variant's model

    def unavailable(self, accelerator: str) -> str | None:
        """Why this runtime cannot run here (the model variant's rows are `skipped` with it), or None."""
        return None

    @abstractmethod
    def prepare(
        self,
        model,
        example_inputs: dict,
        variant,
        device: str,
        threads: int | None,
        workdir: str,
        shape_range: tuple | None = None,
        calibration=None,
    ) -> Prepared:
        """Prepare model (in eval mode) for inputs like example_inputs. shape_range: (smallest, largest) input
        shapes of the configurations to run, {name: shape}, for runtimes that fix a range when they build.
        calibration: a list of input dicts for static quantization. Raises RuntimeFailed."""


def first_output(output):
    """The logits of a model's output: a transformers ModelOutput, a tuple, or a tensor."""
    if hasattr(output, "logits"):
        return output.logits
    if isinstance(output, (tuple, list)):
        return output[0]
    return output
