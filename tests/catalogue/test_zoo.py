"""Random-init zoo models must be the released architectures: their parameter counts must match the
published ones, and their FLOPs the independently known figures."""

from __future__ import annotations

import pytest
import torch

from bench_job import config as cfg
from bench_job.catalogue.zoo import ZOO
from bench_job.families import FAMILIES
from bench_job.measure.flops import count_flops
from bench_job.measure.params import count_effective, count_unique

PUBLISHED_MILLIONS = {
    "bert-base-uncased": 109.5,
    "albert-base-v2": 11.7,
    "distilbert-base-uncased": 66.4,
    "longformer-base-4096": 148.7,
    "resnet18": 11.7,
    "mobilenet_v2": 3.5,
    "squeezenet1_1": 1.2,
    "vgg16": 138.4,
    "mnasnet1_0": 4.4,
}


def entry(name):
    return next(m for m in cfg.resolve(None, device="laptop").models if m.name == name)


def base_architecture_params(name) -> int:
    """The count the papers publish: torchvision's classifier as is; a transformers encoder without the
    task head (AutoModel, pooler included)."""
    zoo = ZOO[name]
    if zoo.family == "torchvision":
        return count_unique(FAMILIES["torchvision"].build(entry(name), "random", 0))
    from transformers import AutoConfig, AutoModel

    arch = dict(zoo.architecture)
    return count_unique(AutoModel.from_config(AutoConfig.for_model(arch.pop("model_type"), **arch)))


@pytest.mark.parametrize("name", list(PUBLISHED_MILLIONS))
def test_random_init_matches_published_parameter_count(name):
    counted = base_architecture_params(name)
    assert counted == ZOO[name].reference_params
    assert round(counted / 1e6, 1) == PUBLISHED_MILLIONS[name]


def _forward_counts(name, batch, size):
    e = entry(name)
    family = FAMILIES[e.family]
    model = family.build(e, "random", 0).eval()
    inputs = family.make_inputs(model, batch, size, 0)
    with torch.inference_mode():
        run = lambda: model(**inputs)  # noqa: E731
        flops = {}
        effective = count_effective(model, lambda: flops.setdefault("n", count_flops(run)))
    return model, flops["n"], effective


def test_resnet18_flops_are_twice_torchvisions_documented_gflops():
    _, flops, _ = _forward_counts("resnet18", 1, 224)
    assert flops / 1e9 == pytest.approx(2 * 1.814, rel=0.005)  # torchvision documents 1.81 "GFLOPS" (MACs)


def test_bert_base_flops_at_sequence_128_with_eager_attention():
    _, flops, _ = _forward_counts("bert-base-uncased", 1, 128)
    assert flops / 1e9 == pytest.approx(22.35, rel=0.005)


def test_albert_effective_parameters_count_the_shared_layer_twelve_times():
    model, _, effective = _forward_counts("albert-base-v2", 1, 16)
    layer = sum(p.numel() for p in model.albert.encoder.albert_layer_groups.parameters())
    assert effective == pytest.approx(count_unique(model) + 11 * layer, rel=1e-3)
    assert effective / 1e6 == pytest.approx(89.65, abs=0.05)


def test_longformer_pays_for_a_whole_attention_window_on_a_short_sentence():
    # Longformer pads every input to a multiple of its 512-token window: 16 tokens cost about 114
    # GFLOPs, 40 times BERT's 2.7 at the same length.
    _, longformer, _ = _forward_counts("longformer-base-4096", 1, 16)
    _, bert, _ = _forward_counts("bert-base-uncased", 1, 16)
    assert longformer / 1e9 == pytest.approx(114, rel=0.01)
    assert bert / 1e9 == pytest.approx(2.7, rel=0.02)
