"""Load a zoo model's trained checkpoint, its preprocessing and its label map from a fetched assets dir.

Everything is read through the manifest's paths, so a run needs no network and no cache lookups. The
model is built by its family (bench_job/families), exactly as a run builds it without assets.
"""

from __future__ import annotations

import os

from bench_job.families import FAMILIES
from bench_job.families.torchvision_family import imagenet_weights
from evaluation import assets
from evaluation.fetching import entry


def pretrained_path(model_name: str, assets_dir: str) -> str:
    """The local checkpoint folder (transformers) or weights file (torchvision) of a fetched model."""
    return os.path.join(assets_dir, entry(assets_dir, f"model:{model_name}")["root"])


def weights_source(model_name: str, assets_dir: str) -> str:
    """Where the fetched weights came from, with the revision they resolved to (for the weights_source column)."""
    item = entry(assets_dir, f"model:{model_name}")
    return f"{item['source']}@{item['revision']}" if item.get("revision") else item["source"]


def load_pretrained(model_name: str, assets_dir: str, attn_implementation: str = "eager"):
    """(model on the CPU in fp32, preprocessing, label map spec) for a fetched zoo model.

    preprocessing is the tokenizer (transformers) or weights.transforms() (torchvision); the label map
    spec is what evaluate_model's label_map takes. attn_implementation: as the run's config says, so
    that FLOPs and latency of a pretrained run are those of the same computation as a random one.
    """
    spec = assets.pretrained_spec(model_name)
    path = pretrained_path(model_name, assets_dir)
    family = FAMILIES[spec["kind"]]
    if spec["kind"] == "torchvision":
        model = family.load_checkpoint(spec["source"], path)
        return model, imagenet_weights(spec["source"], spec.get("weights")).transforms(), spec["label_map"]
    tokenizer_root = entry(assets_dir, f"tokenizer:{model_name}")["root"]
    model = family.load_checkpoint(spec["source"], path, attn_implementation)
    tokenizer = family.preprocessing(None, os.path.join(assets_dir, tokenizer_root))
    return model, tokenizer, spec["label_map"]
