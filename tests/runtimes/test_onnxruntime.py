"""runtime: onnxruntime on tiny models: the dynamic export, the session, the outputs against eager, static
int8, and a model that will not export. The exports run with each torch.onnx exporter this torch has: dynamo
(torch >= 2.5) and TorchScript (every torch here; the only one on JetPack 5's torch 2.1)."""

from __future__ import annotations

import onnx
import pytest
import torch

from bench_job.catalogue import Variant
from bench_job.runtimes import RUNTIMES, RuntimeFailed, onnx_export
from bench_job.runtimes.fidelity import TOLERANCE, output_fidelity
from bench_job.runtimes.onnxruntime_runtime import providers_for
from tests.runtimes.models import DataDependentNet, NoOnnxOpNet, images, tiny_bert, tiny_conv, tokens

ORT = RUNTIMES["onnxruntime"]
EXPORTERS = ["dynamo", "torchscript"] if onnx_export.exporter() == "dynamo" else ["torchscript"]


@pytest.fixture(params=EXPORTERS)
def exporter(request, monkeypatch):
    """Each exporter this torch has, as the one onnx_export chooses."""
    monkeypatch.setattr(onnx_export, "exporter", lambda: request.param)
    return request.param


def _eager(model, inputs):
    with torch.inference_mode():
        out = model(**inputs)
    return out.logits if hasattr(out, "logits") else out


def test_conv_net_exports_once_with_dynamic_batch_and_image_side(tmp_path, exporter):
    model = tiny_conv()
    prepared = ORT.prepare(
        model, images(2, 32), Variant("fp32-onnxruntime", "fp32", runtime="onnxruntime"), "cpu", 1, str(tmp_path)
    )
    assert not prepared.fixed_shape and prepared.export_s > 0 and prepared.session_s > 0
    assert prepared.fields["runtime_providers"] == "CPUExecutionProvider"
    assert prepared.fields["onnx_exporter"] == exporter
    for batch, side in [(1, 32), (4, 48)]:  # shapes the export never saw
        inputs = images(batch, side, seed=batch)
        assert prepared.accepts(inputs)
        fidelity = output_fidelity(_eager(model, inputs), prepared.outputs(inputs), "fp32")
        assert fidelity["output_rel_diff"] < 1e-5, fidelity


def test_bert_exports_with_dynamic_batch_and_sequence(tmp_path, exporter):
    model = tiny_bert()
    prepared = ORT.prepare(
        model, tokens(2, 16), Variant("fp32-onnxruntime", "fp32", runtime="onnxruntime"), "cpu", 2, str(tmp_path)
    )
    assert not prepared.fixed_shape and prepared.fields["onnx_exporter"] == exporter
    inputs = tokens(3, 24, seed=1)
    assert prepared.outputs(inputs).shape == (3, 2)
    assert output_fidelity(_eager(model, inputs), prepared.outputs(inputs), "fp32")["output_rel_diff"] < 1e-5


def padded_tokens_mask_first(batch: int, length: int) -> dict:
    """A tokenizer-like dict whose order is not forward's (attention_mask first), with padding that matters."""
    ids = tokens(batch, length, seed=3)["input_ids"]
    mask = torch.ones_like(ids)
    mask[0, length // 2 :] = 0
    return {"attention_mask": mask, "input_ids": ids}


def test_the_export_names_its_inputs_in_the_models_order_not_the_dicts(tmp_path, exporter):
    model = tiny_bert()
    inputs = padded_tokens_mask_first(2, 16)
    prepared = ORT.prepare(model, inputs, Variant("v", "fp32", runtime="onnxruntime"), "cpu", 1, str(tmp_path))
    assert output_fidelity(_eager(model, inputs), prepared.outputs(inputs), "fp32")["output_rel_diff"] < 1e-5


def test_the_session_runs_with_the_variant_threads(tmp_path, monkeypatch):
    import onnxruntime

    seen = []
    real = onnxruntime.InferenceSession

    def spy(path, options, providers):
        seen.append((options.intra_op_num_threads, providers))
        return real(path, options, providers=providers)

    monkeypatch.setattr(onnxruntime, "InferenceSession", spy)
    ORT.prepare(
        tiny_conv(), images(2, 32), Variant("v", "fp32", threads=3, runtime="onnxruntime"), "cpu", 3, str(tmp_path)
    )
    assert seen == [(3, ["CPUExecutionProvider"])]


def test_gpu_providers_come_first_only_on_cuda():
    available = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]
    assert providers_for("cuda", available) == available
    assert providers_for("cpu", available) == ["CPUExecutionProvider"]
    assert providers_for("cuda", ["CPUExecutionProvider"]) == ["CPUExecutionProvider"]


def test_a_model_that_will_not_export_fails_with_the_exporters_one_line_reason(tmp_path, exporter):
    # torch.export refuses a branch on a tensor's value; TorchScript traces one branch but has no ONNX eig.
    model = DataDependentNet() if exporter == "dynamo" else NoOnnxOpNet()
    with pytest.raises(RuntimeFailed) as failure:
        ORT.prepare(model, images(2, 8), Variant("v", "fp32", runtime="onnxruntime"), "cpu", 1, str(tmp_path))
    message = str(failure.value)
    assert message.startswith(f"ONNX export failed (torch.onnx {exporter} exporter): ") and "\n" not in message


def test_a_refused_dynamic_export_falls_back_to_fixed_shape_and_says_so(tmp_path, monkeypatch):
    real = onnx_export._export

    def no_dynamic(model, inputs, path, dynamic):
        if dynamic:
            raise ValueError("Constraints violated (batch)\nlong exporter text")
        real(model, inputs, path, dynamic)

    monkeypatch.setattr(onnx_export, "_export", no_dynamic)
    prepared = ORT.prepare(
        tiny_conv(), images(2, 32), Variant("v", "fp32", runtime="onnxruntime"), "cpu", 1, str(tmp_path)
    )
    assert prepared.fixed_shape and prepared.input_shapes == {"x": (2, 3, 32, 32)}
    assert prepared.notes == [
        "fixed-shape ONNX export (dynamic axes refused: ValueError: Constraints violated (batch))"
    ]
    assert prepared.accepts(images(2, 32)) and not prepared.accepts(images(1, 32))


def test_static_int8_quantizes_the_conv_net_with_its_calibration_images(tmp_path):
    model = tiny_conv()
    calibration = [images(4, 32, seed=s) for s in range(3)]
    prepared = ORT.prepare(
        model,
        images(2, 32),
        Variant("int8-onnxruntime", "int8", runtime="onnxruntime"),
        "cpu",
        1,
        str(tmp_path),
        calibration=calibration,
    )
    assert prepared.fields["quantization"].startswith("ONNX Runtime static (QDQ")
    ops = {node.op_type for node in onnx.load(tmp_path / "model.int8.onnx").graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    inputs = images(3, 32, seed=9)
    fidelity = output_fidelity(_eager(model, inputs), prepared.outputs(inputs), "int8")
    # quantized, so not exact, and yet close to the fp32 logits
    assert 0 < fidelity["output_rel_diff"] < TOLERANCE["int8"], fidelity


def test_int8_of_a_token_model_is_dynamic_quantization(tmp_path):
    prepared = ORT.prepare(
        tiny_bert(), tokens(2, 16), Variant("v", "int8", runtime="onnxruntime"), "cpu", 1, str(tmp_path)
    )
    assert prepared.fields["quantization"].startswith("ONNX Runtime dynamic")
    assert prepared.outputs(tokens(1, 8)).shape == (1, 2)


def test_static_int8_without_calibration_is_refused(tmp_path):
    with pytest.raises(RuntimeFailed, match="calibration"):
        ORT.prepare(tiny_conv(), images(2, 32), Variant("v", "int8", runtime="onnxruntime"), "cpu", 1, str(tmp_path))


def test_without_onnxruntime_the_runtime_says_it_is_not_installed(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert ORT.unavailable("cpu").startswith("ONNX Runtime is not installed in this image")
