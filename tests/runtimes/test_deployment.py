"""The worker's side of a runtime: one preparation serving the sweep (or one per shape when the export is
fixed-shape), the fields each configuration records, the accuracy adapter, and the calibration images of
static int8 (dev set when there is one, synthetic otherwise, saying which)."""

from __future__ import annotations

import types

import pytest
import torch

from bench_job.catalogue import Variant
from bench_job.families import FAMILIES
from bench_job.runtimes import onnx_export
from bench_job.runtimes.calibration import CALIBRATION_IMAGES, calibration_inputs
from bench_job.runtimes.deployment import Deployment
from tests.evaluation.fixtures import make_imagenette_dataset
from tests.runtimes.models import images, tiny_bert, tiny_conv, tokens


def test_a_dynamic_export_serves_every_configuration_and_records_its_fidelity(tmp_path):
    model = tiny_conv()
    deployment = Deployment("onnxruntime", model, Variant("v", runtime="onnxruntime"), "cpu", 1, str(tmp_path))
    first = deployment.prepare(images(2, 32))
    inputs = images(4, 48, seed=5)
    assert deployment.prepare(inputs) is first
    with torch.inference_mode():
        reference = model(**deployment.model_inputs(inputs))
    output = first.bind(inputs)()
    fields = deployment.fields(inputs, output, reference)
    assert fields["export_s"] == first.export_s and fields["fixed_shape"] is False
    assert fields["output_rel_diff"] < 1e-5 and fields["output_tolerance"] == 1e-3
    assert fields["runtime_providers"] == "CPUExecutionProvider"
    # the fidelity is against the reference given, eager's output of the worker's counting pass
    assert deployment.fields(inputs, output, reference * 2)["output_rel_diff"] == pytest.approx(0.5, rel=1e-4)


def test_a_fixed_shape_export_is_made_again_for_each_shape(monkeypatch, tmp_path):
    real = onnx_export._export
    exported = []

    def no_dynamic(model, inputs, path, dynamic):
        if dynamic:
            raise ValueError("Constraints violated")
        exported.append(tuple(inputs["x"].shape))
        real(model, inputs, path, dynamic)

    monkeypatch.setattr(onnx_export, "_export", no_dynamic)
    deployment = Deployment("onnxruntime", tiny_conv(), Variant("v", runtime="onnxruntime"), "cpu", 1, str(tmp_path))
    deployment.prepare(images(2, 32))
    deployment.prepare(images(2, 32, seed=1))
    prepared = deployment.prepare(images(1, 32))
    assert exported == [(2, 3, 32, 32), (1, 3, 32, 32)] and prepared.fixed_shape


def test_eager_records_no_fidelity_and_runs_the_model_itself(tmp_path):
    model = tiny_conv()
    deployment = Deployment("eager", model, Variant("fp32"), "cpu", 1, str(tmp_path))
    inputs = images(1, 32)
    with torch.inference_mode():
        output = deployment.prepare(inputs).bind(inputs)()
        fields = deployment.fields(inputs, output, model(**inputs))
    assert fields == {"export_s": None, "session_s": None, "fixed_shape": None}
    assert deployment.accuracy_model() is model


def test_the_accuracy_adapter_takes_the_dev_sets_batches_as_the_model_would(tmp_path):
    model = tiny_bert()
    deployment = Deployment("onnxruntime", model, Variant("v", runtime="onnxruntime"), "cpu", 1, str(tmp_path))
    deployment.prepare(tokens(2, 16))
    adapter = deployment.accuracy_model()
    batch = tokens(3, 11, seed=2)
    # the tokenizer's token_type_ids (zeros for single sentences) are not an input of the export
    logits = adapter.eval()(**batch, token_type_ids=torch.zeros_like(batch["input_ids"]))
    with torch.inference_mode():
        assert torch.allclose(logits, model(**batch).logits, atol=1e-5)
    assert adapter.config is model.config


def _entry(**fields):
    values = dict(weights="random", task=None, data_path=None, input_size=32)
    values.update(fields)
    return types.SimpleNamespace(**values)


def test_random_weights_calibrate_on_synthetic_images_and_say_so():
    family = FAMILIES["torchvision"]
    batches, note = calibration_inputs(_entry(), family, tiny_conv(), None, None, seed=0)
    assert sum(len(b["x"]) for b in batches) == CALIBRATION_IMAGES and batches[0]["x"].shape[1:] == (3, 32, 32)
    assert (
        note
        == f"{CALIBRATION_IMAGES} synthetic images (no dev-set images for this model (random weights or no image task))"
    )


def test_pretrained_image_models_calibrate_on_their_dev_set(tmp_path):
    import torchvision

    path = str(tmp_path / "dev")
    make_imagenette_dataset(per_class=2).save_to_disk(path)
    transform = torchvision.transforms.Compose(
        [torchvision.transforms.Resize(36), torchvision.transforms.CenterCrop(32), torchvision.transforms.ToTensor()]
    )
    entry = _entry(weights="pretrained", task="disk", data_path=path)
    batches, note = calibration_inputs(entry, FAMILIES["torchvision"], tiny_conv(), transform, None, seed=0)
    assert note == "20 dev-set images (disk)"
    assert sum(len(b["x"]) for b in batches) == 20 and batches[0]["x"].shape[1:] == (3, 32, 32)


def test_an_unreadable_dev_set_falls_back_to_synthetic_images_naming_why(tmp_path):
    entry = _entry(weights="pretrained", task="disk", data_path=str(tmp_path / "missing"))
    _, note = calibration_inputs(entry, FAMILIES["torchvision"], tiny_conv(), lambda image: image, None, seed=0)
    assert note.startswith(f"{CALIBRATION_IMAGES} synthetic images (the dev set could not be read: ")


def test_the_pytorch_model_gets_the_variants_inputs_on_its_device_and_in_its_float_type(tmp_path):
    # An export starts from the fp32 model while a TensorRT fp16 variant's inputs are half: the export, the
    # fidelity reference and the FLOP count must see fp32, and integer token ids must stay integers.
    deployment = Deployment("onnxruntime", tiny_conv(), Variant("v", runtime="onnxruntime"), "cpu", 1, str(tmp_path))
    half = {name: t.half() for name, t in images(2, 32).items()}
    (converted,) = deployment.model_inputs(half).values()
    assert converted.dtype == torch.float32
    ids = deployment.model_inputs({"input_ids": torch.ones(1, 4, dtype=torch.long)})["input_ids"]
    assert ids.dtype == torch.long
