"""A fetched checkpoint is built by its family exactly as a run without assets builds the architecture."""

from __future__ import annotations

from types import SimpleNamespace

import torch

from bench_job.families import FAMILIES, family_for_modality
from bench_job.families.transformers_family import usable_positions
from bench_job.measure.flops import DECOMPOSING_NAME, count_flops, counter_name
from evaluation import load_pretrained, pretrained_path


def _flops(model, seq_len=16):
    ids = torch.randint(1000 % model.config.vocab_size, model.config.vocab_size, (1, seq_len))
    model.eval()
    with torch.inference_mode():
        return count_flops(lambda: model(input_ids=ids, attention_mask=torch.ones_like(ids)))


def test_a_fetched_checkpoint_computes_what_a_random_build_of_its_architecture_computes(fetched_assets):
    # The accuracy step once loaded checkpoints with the library's default (SDPA) attention, whose matmuls
    # FlopCounterMode does not see on the CPU: a pretrained run reported fewer FLOPs than a random one.
    pretrained, _, _ = load_pretrained("bert-base-uncased", fetched_assets)
    folder = pretrained_path("bert-base-uncased", fetched_assets)
    entry = SimpleNamespace(
        name="bert", architecture=folder, source=folder, pretrained=None, attn_implementation="eager"
    )
    random = FAMILIES["transformers"].build(entry, "random", seed=0)
    assert pretrained.config._attn_implementation == "eager"
    assert _flops(pretrained) == _flops(random)
    sdpa, _, _ = load_pretrained("bert-base-uncased", fetched_assets, attn_implementation="sdpa")
    assert sdpa.config._attn_implementation == "sdpa"
    if counter_name() == DECOMPOSING_NAME:  # torch 2.1: SDPA decomposes into the very matmuls eager runs
        assert _flops(sdpa) == _flops(pretrained)
    else:  # torch's own counter does not see SDPA's matmuls on the CPU
        assert _flops(sdpa) < _flops(pretrained)


def test_usable_positions_count_the_padding_offset_only_where_the_table_has_one():
    from transformers import BartConfig, BertConfig, RobertaConfig

    assert usable_positions(BertConfig(max_position_embeddings=512)) == 512
    assert usable_positions(RobertaConfig(max_position_embeddings=514, pad_token_id=1)) == 512
    # BART's table holds max_position_embeddings + 2 rows: all 1024 positions are usable.
    assert usable_positions(BartConfig(max_position_embeddings=1024)) == 1024
    assert usable_positions(None) is None


def test_each_modality_has_the_family_that_encodes_it():
    assert family_for_modality("text") is FAMILIES["transformers"]
    assert family_for_modality("image") is FAMILIES["torchvision"]


def test_the_catalogue_is_the_one_source_of_checkpoints_and_tasks():
    import bench_job.config
    import evaluation
    from bench_job.catalogue.zoo import TASKS, ZOO
    from evaluation.assets import PRETRAINED

    assert set(PRETRAINED) == set(ZOO)
    assert evaluation.TASKS is TASKS and bench_job.config.TASKS is TASKS
    for name, model in ZOO.items():
        spec = PRETRAINED[name]
        assert spec["task"] == model.checkpoint.task
        assert (spec.get("weights") or spec["source"]) == model.checkpoint.source
