"""ONNX Runtime: the model exported with torch.onnx, run by an InferenceSession whose intra-op threads follow
the variant's (or the run's) threads. CPU execution provider everywhere; the TensorRT and CUDA providers
first where the installed build has them and the run's accelerator is cuda.

int8: static quantization (QDQ, weights per channel, calibrated on the images it is given) for models fed
with images, in the format that runs fastest on the CPU's int8 instructions (runtimes/int8_format.py: U8S8 on
x86, with 7-bit weights where there is no VNNI; S8S8 on ARM); a model fed only with integer tensors (token ids)
gets ONNX Runtime's dynamic quantization, since token ids give a calibration nothing to range over.
"""

from __future__ import annotations

import os
import time

from bench_job.errors import one_line
from bench_job.runtimes.base import Prepared, Runtime, RuntimeFailed
from bench_job.runtimes.int8_format import Int8Format, this_cpu_format
from bench_job.runtimes.onnx_export import export_onnx, exporter

_GPU_PROVIDERS = ("TensorrtExecutionProvider", "CUDAExecutionProvider")


def providers_for(device: str, available) -> list:
    """The execution providers in ONNX Runtime's order of preference, CPU last as the fallback."""
    gpu = [p for p in _GPU_PROVIDERS if p in available] if device == "cuda" else []
    return gpu + ["CPUExecutionProvider"]


class _Calibration:
    """onnxruntime.quantization's CalibrationDataReader over a list of input dicts (numpy)."""

    def __init__(self, feeds: list):
        self.feeds = iter(feeds)

    def get_next(self):
        return next(self.feeds, None)


def _without_value_info(path: str, workdir: str) -> str:
    """A copy of the exported model without its intermediate shape annotations. The dynamo exporter writes
    them for the example batch; ONNX Runtime 1.27's quantizer re-infers shapes with the batch symbolic and
    refuses the disagreement ("Inferred shape and existing shape differ")."""
    import onnx

    model = onnx.load(path)
    del model.graph.value_info[:]
    stripped = os.path.join(workdir, "model.shapeless.onnx")
    onnx.save(model, stripped)
    return stripped


def quantize(
    path: str, inputs: dict, calibration: list | None, workdir: str, fmt: Int8Format | None = None
) -> tuple[str, str]:
    """(the int8 model's path, how it was quantized). fmt: the static format, by default the one chosen for the
    CPU this runs on (int8_format.this_cpu_format)."""
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_dynamic, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    out = os.path.join(workdir, "model.int8.onnx")
    if not any(t.is_floating_point() for t in inputs.values()):
        quantize_dynamic(_without_value_info(path, workdir), out, weight_type=QuantType.QInt8)
        return out, "ONNX Runtime dynamic (weights int8, activations quantized on the fly)"
    if not calibration:
        raise RuntimeFailed("static int8 quantization needs calibration inputs")
    # ONNX Runtime's advice: shape inference and graph optimisation before static quantization.
    prepared = os.path.join(workdir, "model.pre.onnx")
    try:
        quant_pre_process(path, prepared)
    except Exception:  # the pre-processing is an optimisation; quantization works without it
        prepared = path
    if fmt is None:
        fmt = this_cpu_format()[0]
    types = {"int8": QuantType.QInt8, "uint8": QuantType.QUInt8}
    feeds = [{name: t.cpu().numpy() for name, t in item.items()} for item in calibration]
    quantize_static(
        prepared,
        out,
        _Calibration(feeds),
        quant_format=getattr(QuantFormat, fmt.quant_format),
        activation_type=types[fmt.activation_type],
        weight_type=types[fmt.weight_type],
        per_channel=fmt.per_channel,
        reduce_range=fmt.reduce_range,
    )
    return out, f"ONNX Runtime static ({fmt.quant_format} {fmt.name.split()[0]}, {fmt.describe()}; {fmt.reason})"


class OnnxRuntimeRuntime(Runtime):
    name = "onnxruntime"
    precisions = ("fp32", "int8")

    def unavailable(self, accelerator: str) -> str | None:
        try:
            import onnxruntime  # noqa: F401

            if exporter() == "dynamo":
                import onnxscript  # noqa: F401  (the dynamo exporter needs it; the TorchScript one does not)
        except ImportError as exc:
            return (
                f"ONNX Runtime is not installed in this image ({exc.name} missing: "
                "pip install onnxruntime onnx onnxscript)"
            )
        return None

    def prepare(
        self, model, example_inputs, variant, device, threads, workdir, shape_range=None, calibration=None
    ) -> Prepared:
        import onnxruntime as ort
        import torch

        exported = export_onnx(model, example_inputs, workdir)
        path, fields = exported.path, {"onnx_exporter": exported.exporter}
        export_s = exported.export_s
        if variant.precision == "int8":
            started = time.perf_counter()
            try:
                path, fields["quantization"] = quantize(path, example_inputs, calibration, workdir)
            except RuntimeFailed:
                raise
            except Exception as exc:
                raise RuntimeFailed(f"int8 quantization failed: {one_line(exc, 200)}") from None
            export_s += time.perf_counter() - started
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        providers = providers_for(device, ort.get_available_providers())
        started = time.perf_counter()
        try:
            session = ort.InferenceSession(path, options, providers=providers)
        except Exception as exc:
            raise RuntimeFailed(f"ONNX Runtime could not load the export: {one_line(exc, 200)}") from None
        session_s = time.perf_counter() - started
        names = [i.name for i in session.get_inputs()]
        missing = [n for n in names if n not in example_inputs]
        if missing:
            raise RuntimeFailed(f"the ONNX export expects inputs {missing} that the model is not given")
        fields["runtime_providers"] = ",".join(session.get_providers())

        def bind(inputs):
            feed = {name: inputs[name].detach().cpu().numpy() for name in names}
            return lambda: session.run(None, feed)

        return Prepared(
            bind=bind,
            output=lambda raw: torch.from_numpy(raw[0]).float(),
            export_s=export_s,
            session_s=session_s,
            fixed_shape=exported.fixed_shape,
            input_shapes=exported.input_shapes,
            notes=[exported.note] if exported.note else [],
            fields=fields,
        )
