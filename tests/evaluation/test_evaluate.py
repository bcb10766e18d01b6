"""evaluate_model through the real code paths, checked against an independent computation."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from bench_job.bundle.records import EVALUATION_COLUMNS as RESULT_FIELDS
from bench_job.bundle.records import EVALUATION_RAW_FIELDS as RAW_RESULT_FIELDS
from bench_job.measure.latency import CpuTimer
from evaluation import evaluate_model, load_pretrained, weights_source
from evaluation.metric import EVALUATE_NAME
from tests.evaluation import fixtures

GLUE_FIXTURE = "GLUE SST-2 validation, nyu-mll/glue revision fixture"  # the fake fetch records revision "fixture"


def _independent_sst2(model, tokenizer, dataset):
    """One sentence at a time, no padding, plain argmax: shares no code with evaluate_model."""
    predictions = []
    with torch.no_grad():
        for sentence in dataset["sentence"]:
            encoded = tokenizer(sentence, return_tensors="pt")
            predictions.append(int(model(**encoded).logits[0].argmax()))
    return np.asarray(predictions), np.asarray(dataset["label"])


def test_sst2_accuracy_equals_an_independent_computation(fetched_assets, fixture_sources):
    model, tokenizer, label_map = load_pretrained("bert-base-uncased", fetched_assets)
    result = evaluate_model(
        model,
        "sst2",
        timer=CpuTimer(),
        tokenizer_or_transform=tokenizer,
        label_map=label_map,
        batch_size=5,
        assets_dir=fetched_assets,
        progress=False,
    )
    predictions, labels = _independent_sst2(model, tokenizer, fixture_sources["sst2"])
    assert result["accuracy"] == pytest.approx(float((predictions == labels).mean()))
    assert result["accuracy"] > 0.9  # the fixture model was fitted on these rows
    assert result["eval_examples"] == 36 and result["eval_dataset"] == f"{GLUE_FIXTURE} (36 examples)"
    assert result["accuracy_metric"] == EVALUATE_NAME
    assert result["label_map_warning"] is None and result["label_map"] == {"0": 0, "1": 1}
    assert result["label_map_swapped"] is False and result["accuracy_swapped"] == pytest.approx(1 - result["accuracy"])
    assert result["accuracy_top5"] is None and result["accuracy_10way"] is None
    assert set(result) == set(RESULT_FIELDS) | set(RAW_RESULT_FIELDS)
    assert json.loads(json.dumps(result)) == result
    assert len(result["real_latencies_s"]) == 8 and result["real_latency_per_batch_s"] > 0
    # dynamic padding: each batch is padded to its own longest sentence, never to the model's limit
    assert 3 <= result["real_mean_seq_len"] <= 9


def test_a_users_dev_set_is_scored_and_named_after_its_path(fetched_assets, tmp_path):
    """Beside fetched GLUE data, a user's own 40 sentences are what is scored, and what the row names."""
    mine = fixtures.make_sst2_dataset(40)
    path = str(tmp_path / "my_sentences")
    mine.save_to_disk(path)
    model, tokenizer, label_map = load_pretrained("bert-base-uncased", fetched_assets)
    result = evaluate_model(
        model,
        "sst2",
        timer=CpuTimer(),
        tokenizer_or_transform=tokenizer,
        label_map=label_map,
        batch_size=6,
        assets_dir=fetched_assets,
        data_path=path,
        progress=False,
    )
    predictions, labels = _independent_sst2(model, tokenizer, mine)
    assert result["accuracy"] == pytest.approx(float((predictions == labels).mean()))
    assert result["eval_examples"] == 40 and result["eval_dataset"] == f"sst2 dev set from {path} (40 examples)"


def test_real_batches_run_again_for_energy_full_size_in_rotation_already_encoded(fetched_assets):
    model, tokenizer, label_map = load_pretrained("bert-base-uncased", fetched_assets)
    seen = []
    model.register_forward_pre_hook(lambda module, args, kwargs: seen.append(kwargs["input_ids"]), with_kwargs=True)

    def on_real_inputs(run_once, samples_per_run):
        evaluation_calls = len(seen)
        for _ in range(14):
            run_once()
        return {"calls": len(seen) - evaluation_calls, "samples_per_run": samples_per_run}

    result = evaluate_model(
        model,
        "sst2",
        timer=CpuTimer(),
        tokenizer_or_transform=tokenizer,
        label_map=label_map,
        batch_size=5,
        assets_dir=fetched_assets,
        progress=False,
        on_real_inputs=on_real_inputs,
    )
    evaluated, rerun = seen[:8], seen[8:]
    # 36 rows in batches of 5: seven full batches are kept (the short last one is not), cycled twice
    assert result["calls"] == 14 and result["samples_per_run"] == 5
    assert [t.data_ptr() for t in rerun[:7]] == [t.data_ptr() for t in evaluated[:7]]
    assert [t.data_ptr() for t in rerun[7:]] == [t.data_ptr() for t in evaluated[:7]]
    assert result["accuracy"] > 0.9


def test_swapped_label_map_is_detected_and_said(fetched_assets):
    model, tokenizer, _ = load_pretrained("bert-base-uncased", fetched_assets)
    right = evaluate_model(
        model,
        "sst2",
        timer=CpuTimer(),
        tokenizer_or_transform=tokenizer,
        label_map=[0, 1],
        batch_size=8,
        assets_dir=fetched_assets,
        progress=False,
    )
    wrong = evaluate_model(
        model,
        "sst2",
        timer=CpuTimer(),
        tokenizer_or_transform=tokenizer,
        label_map=[1, 0],
        batch_size=8,
        assets_dir=fetched_assets,
        progress=False,
    )
    assert wrong["accuracy"] == pytest.approx(1 - right["accuracy"])
    assert right["label_map_warning"] is None and right["label_map_swapped"] is False
    assert wrong["label_map_warning"].startswith("label map looks swapped")
    assert f"{right['accuracy']:.1%}" in wrong["label_map_warning"]
    # the figures the row's validity check reads: swapped, and what exchanging the outputs would score
    assert wrong["label_map_swapped"] is True and wrong["accuracy_swapped"] == pytest.approx(right["accuracy"])


def test_unknown_label_order_is_measured(fetched_assets):
    """Longformer's checkpoint has no card: its order is measured; a reversed head is found and said."""
    model, tokenizer, _ = load_pretrained("bert-base-uncased", fetched_assets)
    with torch.no_grad():  # reverse the classifier's two outputs, as a checkpoint trained 1=negative would be
        model.classifier.weight.copy_(model.classifier.weight.flip(0))
        model.classifier.bias.copy_(model.classifier.bias.flip(0))
    result = evaluate_model(
        model,
        "sst2",
        timer=CpuTimer(),
        tokenizer_or_transform=tokenizer,
        label_map="measure",
        batch_size=8,
        assets_dir=fetched_assets,
        progress=False,
    )
    assert result["accuracy"] > 0.9
    assert result["label_map"] == {"0": 1, "1": 0}
    assert "measured" in result["label_map_warning"] and "reversed" in result["label_map_warning"]
    # the better order was taken, so the figure stands; the other order's is kept beside it
    assert result["label_map_swapped"] is False and result["accuracy_swapped"] == pytest.approx(1 - result["accuracy"])


def test_config_label_names_are_read(fetched_assets):
    model, tokenizer, _ = load_pretrained("bert-base-uncased", fetched_assets)
    model.config.id2label = {0: "POSITIVE", 1: "NEGATIVE"}
    result = evaluate_model(
        model,
        "sst2",
        timer=CpuTimer(),
        tokenizer_or_transform=tokenizer,
        label_map="config",
        batch_size=8,
        assets_dir=fetched_assets,
        progress=False,
    )
    assert result["label_map"] == {"0": 1, "1": 0}
    assert result["label_map_warning"].startswith("label map looks swapped")  # the names lie: it says so
    assert result["label_map_swapped"] is True


def _independent_images(model, transform, dataset, to_imagenet):
    logits = []
    with torch.no_grad():
        for image in dataset["image"]:
            logits.append(model(transform(image.convert("RGB")).unsqueeze(0))[0])
    logits = torch.stack(logits).numpy()
    labels = np.asarray([to_imagenet[v] for v in dataset["label"]])
    top1 = logits.argmax(1)
    top5 = np.argsort(-logits, axis=1)[:, :5]
    subset = np.asarray(to_imagenet)
    ten = subset[logits[:, subset].argmax(1)]
    return (top1 == labels).mean(), np.mean([label in row for label, row in zip(labels, top5)]), (ten == labels).mean()


def test_imagenette_accuracies_equal_an_independent_computation(fetched_assets, fixture_sources):
    from evaluation.labels import IMAGENETTE_TO_IMAGENET

    model, transform, label_map = load_pretrained("resnet18", fetched_assets)
    model.eval()
    result = evaluate_model(
        model,
        "imagenette",
        timer=CpuTimer(),
        tokenizer_or_transform=transform,
        label_map=label_map,
        batch_size=8,
        assets_dir=fetched_assets,
        progress=False,
    )
    top1, top5, ten = _independent_images(model, transform, fixture_sources["imagenette"], IMAGENETTE_TO_IMAGENET)
    assert result["accuracy"] == pytest.approx(top1)
    assert result["accuracy_top5"] == pytest.approx(top5)
    assert result["accuracy_10way"] == pytest.approx(ten)
    assert result["accuracy_10way"] >= result["accuracy"]
    assert result["eval_examples"] == 10 and result["real_image_side"] == 224  # resnet18 transforms crop 224
    assert result["accuracy_kind"] == "top-1 over all 1000 outputs"
    assert result["eval_dataset"] == (
        "Imagenette (320px) validation, ImageNet-1k labels, frgfm/imagenette revision fixture (10 examples)"
    )
    assert result["label_map_swapped"] is None and result["accuracy_swapped"] is None  # no two-class map to check
    assert set(result) == set(RESULT_FIELDS) | set(RAW_RESULT_FIELDS)
    assert weights_source("resnet18", fetched_assets) == (
        "https://download.pytorch.org/models/resnet18-f37072fd.pth@ResNet18_Weights.IMAGENET1K_V1"
    )


def test_stratified_subset_is_seeded_and_keeps_the_balance(fetched_assets):
    model, tokenizer, label_map = load_pretrained("bert-base-uncased", fetched_assets)

    def run(seed):
        return evaluate_model(
            model,
            "sst2",
            timer=CpuTimer(),
            tokenizer_or_transform=tokenizer,
            label_map=label_map,
            batch_size=4,
            max_examples=12,
            seed=seed,
            assets_dir=fetched_assets,
            progress=False,
        )

    first, again = run(3), run(3)
    assert first["eval_examples"] == 12
    assert first["eval_dataset"] == f"{GLUE_FIXTURE} (36 examples; stratified subset, seed 3)"
    assert first["accuracy"] == again["accuracy"]


def test_evaluation_makes_no_network_call(fetched_assets, monkeypatch):
    """With every socket connection refused, fetched assets still load and evaluate (metric included)."""
    import socket

    from evaluation import metric, offline_env

    for key, value in offline_env(fetched_assets).items():
        monkeypatch.setenv(key, value)
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError(f"network blocked by the test: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(metric, "_loaded", {})  # load the evaluate metric again, under the block
    for name, task in (("bert-base-uncased", "sst2"), ("resnet18", "imagenette")):
        model, preprocessing, label_map = load_pretrained(name, fetched_assets)
        result = evaluate_model(
            model,
            task,
            timer=CpuTimer(),
            tokenizer_or_transform=preprocessing,
            label_map=label_map,
            batch_size=10,
            max_examples=10,
            assets_dir=fetched_assets,
            progress=False,
        )
        assert result["accuracy"] is not None
        assert result["accuracy_metric"] == EVALUATE_NAME, metric.metric_fallback_reason()
    assert attempts == []


def test_unknown_task_names_the_choices(fetched_assets):
    from evaluation.errors import EvaluationError

    model, tokenizer, label_map = load_pretrained("bert-base-uncased", fetched_assets)
    with pytest.raises(EvaluationError, match="unknown evaluation task 'mnli'.*sst2, imagenette, imagefolder, disk"):
        evaluate_model(
            model,
            "mnli",
            timer=CpuTimer(),
            tokenizer_or_transform=tokenizer,
            label_map=label_map,
            batch_size=2,
            assets_dir=fetched_assets,
        )


class _Flipped(torch.nn.Module):
    """The same model with its two outputs exchanged: it disagrees with the original on every example."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, **inputs):
        return self.model(**inputs).logits.flip(-1)


def test_top1_agreement_with_a_reference_model_on_the_same_batches(fetched_assets):
    model, tokenizer, label_map = load_pretrained("bert-base-uncased", fetched_assets)
    common = dict(
        timer=CpuTimer(),
        tokenizer_or_transform=tokenizer,
        label_map=label_map,
        batch_size=5,
        assets_dir=fetched_assets,
        progress=False,
    )
    assert evaluate_model(model, "sst2", **common)["top1_agreement"] is None
    assert evaluate_model(model, "sst2", reference=model, **common)["top1_agreement"] == 1.0
    assert evaluate_model(model, "sst2", reference=_Flipped(model), **common)["top1_agreement"] == 0.0


class _CountingTimer:
    """Stands in for the sweep's timer: times each forward call at a fixed 0.25 s."""

    name = "counting"

    def __init__(self):
        self.calls = 0

    def time(self, fn) -> float:
        fn()
        self.calls += 1
        return 0.25


def test_real_batches_are_timed_by_the_timer_the_sweep_uses(fetched_assets):
    model, tokenizer, label_map = load_pretrained("bert-base-uncased", fetched_assets)
    common = dict(
        timer=CpuTimer(),
        tokenizer_or_transform=tokenizer,
        label_map=label_map,
        batch_size=5,
        assets_dir=fetched_assets,
        progress=False,
    )
    timer = _CountingTimer()
    result = evaluate_model(model, "sst2", **dict(common, timer=timer))
    assert timer.calls == 8 and result["real_latencies_s"] == [0.25] * 8
    assert result["real_latency_per_batch_s"] == 0.25
    assert result["accuracy"] == evaluate_model(model, "sst2", **common)["accuracy"]  # the outputs are scored
