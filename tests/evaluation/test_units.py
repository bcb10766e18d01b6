"""Label maps, stratified sampling and the metric script, on their own."""

from __future__ import annotations

import ast
import collections

import pytest

from evaluation import labels, metric
from evaluation.sampling import stratified_indices


def test_stratified_subset_keeps_class_shares_and_is_seeded():
    y = [0] * 30 + [1] * 60 + [2] * 10
    picked = stratified_indices(y, 20, seed=1)
    counts = collections.Counter(y[i] for i in picked)
    assert len(picked) == 20 and counts == {0: 6, 1: 12, 2: 2}
    assert picked == stratified_indices(y, 20, seed=1) and picked != stratified_indices(y, 20, seed=2)
    assert stratified_indices(y, None, 0) == list(range(100)) == stratified_indices(y, 500, 0)


def test_id2label_names_give_the_map():
    assert labels.sst2_map_from_id2label({0: "NEGATIVE", 1: "POSITIVE"})[0] == {0: 0, 1: 1}
    assert labels.sst2_map_from_id2label({"0": "positive", "1": "negative"})[0] == {0: 1, 1: 0}
    mapping, basis = labels.sst2_map_from_id2label({0: "LABEL_0", 1: "LABEL_1"})
    assert mapping is None and "placeholder" in basis


def test_swap_warning_only_when_the_reverse_is_much_better():
    assert labels.swap_warning(0.92, 0.08, "x") is None
    assert labels.swap_warning(0.55, 0.45, "x") is None
    assert "8.0%" in labels.swap_warning(0.08, 0.92, "x")


def test_imagenette_indices_are_torchvision_category_names():
    from torchvision.models._meta import _IMAGENET_CATEGORIES

    assert [_IMAGENET_CATEGORIES[i] for i in labels.IMAGENETTE_TO_IMAGENET] == labels.IMAGENETTE_NAMES


def test_metric_script_keeps_one_import_per_line():
    with open(metric.METRIC_SCRIPT, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            assert len(node.names) == 1, f"line {node.lineno}: evaluate's import check needs one import per line"


def test_topk_and_restricted_argmax():
    import torch

    logits = torch.tensor([[0.0, 5.0, 4.0, 1.0], [3.0, 0.0, 1.0, 2.0]])
    assert metric.topk_hits(logits, [2, 1], k=2) == [2, 0]
    assert metric.restricted_argmax(logits, [0, 2]) == [2, 0]
    assert metric.accuracy([1, 0, 1], [1, 1, 1]) == pytest.approx(2 / 3)


def test_catalogue_covers_the_zoo_and_never_feature_weights():
    from evaluation.assets import PRETRAINED

    for name in (
        "bert-base-uncased",
        "albert-base-v2",
        "distilbert-base-uncased",
        "longformer-base-4096",
        "resnet18",
        "mobilenet_v2",
        "squeezenet1_1",
        "vgg16",
        "mnasnet1_0",
    ):
        assert name in PRETRAINED
    assert PRETRAINED["vgg16"]["weights"] == "DEFAULT"
    assert PRETRAINED["longformer-base-4096"]["label_map"] == "measure"


def test_catalogue_agrees_with_the_core_zoo():
    from bench_job.catalogue.zoo import ZOO
    from evaluation.assets import PRETRAINED

    for name, spec in PRETRAINED.items():
        if name in ZOO and spec["kind"] == "transformers":
            assert ZOO[name].pretrained == spec["source"], name
