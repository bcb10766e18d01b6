"""Load a zoo model's trained checkpoint, its preprocessing and its label map from a fetched assets dir.

Everything is read through the manifest's paths, so a run needs no network and no cache lookups.
"""

import os

from bench_job.errors import one_line
from evaluation import assets
from evaluation.errors import AssetsError
from evaluation.fetching import entry


def pretrained_path(model_name: str, assets_dir: str) -> str:
    """The local checkpoint folder (transformers) or weights file (torchvision) of a fetched model."""
    return os.path.join(assets_dir, entry(assets_dir, f"model:{model_name}")["root"])


def weights_source(model_name: str, assets_dir: str) -> str:
    """Where the fetched weights came from, with the revision they resolved to (for the weights_source column)."""
    item = entry(assets_dir, f"model:{model_name}")
    return f"{item['source']}@{item['revision']}" if item.get("revision") else item["source"]


def load_pretrained(model_name: str, assets_dir: str):
    """(model on the CPU in fp32, preprocessing, label map spec) for a fetched zoo model.

    preprocessing is the tokenizer (transformers) or weights.transforms() (torchvision); the label map
    spec is what evaluate_model's label_map takes.
    """
    spec = assets.pretrained_spec(model_name)
    path = pretrained_path(model_name, assets_dir)
    if spec["kind"] == "torchvision":
        return _load_torchvision(spec, path)
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    try:
        model = AutoModelForSequenceClassification.from_pretrained(path)
        tokenizer_root = entry(assets_dir, f"tokenizer:{model_name}")["root"]
        tokenizer = AutoTokenizer.from_pretrained(os.path.join(assets_dir, tokenizer_root))
    except OSError as exc:
        raise AssetsError(f"cannot load {model_name} from {path} ({one_line(exc, 160)})") from None
    return model, tokenizer, spec["label_map"]


def _load_torchvision(spec: dict, path: str):
    import torch
    import torchvision

    enum = torchvision.models.get_model_weights(spec["source"])
    weights = enum.DEFAULT if spec.get("weights", "DEFAULT") == "DEFAULT" else enum[spec["weights"]]
    model = torchvision.models.get_model(spec["source"], weights=None)
    try:
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    except (RuntimeError, OSError) as exc:
        raise AssetsError(f"cannot load weights {path} into {spec['source']} "
                          f"({one_line(exc, 160)})") from None
    return model, weights.transforms(), spec["label_map"]
