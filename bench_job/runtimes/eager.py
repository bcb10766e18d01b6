"""Eager PyTorch: the model as it is, called on the input dict."""

from __future__ import annotations

from bench_job.runtimes.base import Prepared, Runtime, first_output


class EagerRuntime(Runtime):
    name = "eager"
    precisions = ("fp32", "fp16", "bf16", "int8")
    exports_fp32 = False

    def prepare(
        self, model, example_inputs, variant, device, threads, workdir, shape_range=None, calibration=None
    ) -> Prepared:
        return Prepared(bind=lambda inputs: lambda: model(**inputs), output=lambda raw: first_output(raw).float().cpu())
