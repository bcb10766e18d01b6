"""The asset catalogue (pretrained checkpoints and dev sets) and the assets-directory layout.

Layout of an assets directory (one Docker volume; `fetch` fills it with network, `run` reads it without):
  hf/                 HF_HOME: model snapshots under hf/hub, tokenizers saved at fetch time under hf/tokenizers
  torch/              TORCH_HOME: torchvision weights under torch/hub/checkpoints/<file name in the URL>
  data/<task>/        dev sets saved with datasets' save_to_disk
  manifest.json       what, where from, revision, size and sha256 per file
PRETRAINED is the catalogue's checkpoints (bench_job/catalogue/zoo.py) in the form the fetch and accuracy steps read.
"""

from __future__ import annotations

import os
import tempfile

from bench_job.catalogue.zoo import ZOO, ZooModel

# Patterns of files a transformers checkpoint needs; skips Flax/TF/Rust weights and pickled training args.
HF_MODEL_FILES = [
    "config.json",
    "*.safetensors",
    "pytorch_model.bin",
    "tokenizer*",
    "vocab*",
    "merges.txt",
    "spiece.model",
    "special_tokens_map.json",
    "sentencepiece*",
]
HF_TOKENIZER_FILES = ["tokenizer*", "vocab*", "merges.txt", "spiece.model", "special_tokens_map.json"]


def _spec(model: ZooModel) -> dict:
    """A catalogue model as the fetch and accuracy steps read it (tests and users may add to PRETRAINED)."""
    checkpoint = model.checkpoint
    spec = {
        "kind": model.family,
        "revision": checkpoint.revision,
        "task": checkpoint.task,
        "label_map": checkpoint.label_map,
        "label_map_basis": checkpoint.label_map_basis,
        "reported_accuracy": checkpoint.reported_accuracy,
        "reported_source": checkpoint.reported_source,
    }
    if model.family == "torchvision":
        spec.update(source=model.architecture, weights=checkpoint.source)
    else:
        spec.update(source=checkpoint.source)
    if checkpoint.tokenizer_source:
        spec["tokenizer_source"] = checkpoint.tokenizer_source
    if checkpoint.note:
        spec["notes"] = checkpoint.note
    return spec


# Where each zoo model's trained weights come from, read from the one catalogue (bench_job/catalogue/zoo.py).
PRETRAINED: dict[str, dict] = {name: _spec(model) for name, model in ZOO.items()}

DATASETS: dict[str, dict] = {
    "sst2": {
        "repo": "nyu-mll/glue",
        "config": "sst2",
        "split": "validation",
        "revision": None,
        "rows": 872,
        "name": "GLUE SST-2 validation",
    },
    # The Hub repo holds a loading script, which datasets 5 refuses: its parquet conversion branch loads.
    "imagenette": {
        "repo": "frgfm/imagenette",
        "config": "320px",
        "split": "validation",
        "revision": "refs/convert/parquet",
        "rows": 3925,
        "name": "Imagenette (320px) validation, ImageNet-1k labels",
    },
}


def hf_home(assets_dir: str) -> str:
    return os.path.join(assets_dir, "hf")


def hf_hub_cache(assets_dir: str) -> str:
    return os.path.join(assets_dir, "hf", "hub")


def torch_home(assets_dir: str) -> str:
    return os.path.join(assets_dir, "torch")


def torch_checkpoints(assets_dir: str) -> str:
    return os.path.join(assets_dir, "torch", "hub", "checkpoints")


def tokenizer_dir(assets_dir: str, model_name: str) -> str:
    return os.path.join(assets_dir, "hf", "tokenizers", model_name.replace("/", "--"))


def data_dir(assets_dir: str, task: str) -> str:
    return os.path.join(assets_dir, "data", task)


def offline_env(assets_dir: str) -> dict:
    """Environment for a run with no network: every library reads the assets and never tries the Hub."""
    assets_dir = os.path.abspath(assets_dir)
    return {
        "HF_HOME": hf_home(assets_dir),
        "TORCH_HOME": torch_home(assets_dir),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_EVALUATE_OFFLINE": "1",
        # evaluate copies metric scripts into a modules cache under HF_HOME by default; the assets volume
        # is read-only during a run, so point that cache at scratch space.
        "HF_MODULES_CACHE": os.path.join(tempfile.gettempdir(), "bench-job-hf-modules"),
    }


def pretrained_spec(model_name: str) -> dict:
    """Catalogue entry for a zoo name; other torchvision names get their DEFAULT weights, and any other
    name is taken as a transformers repo id or folder whose task the config must name."""
    if model_name in PRETRAINED:
        return dict(PRETRAINED[model_name])
    import torchvision

    if model_name in torchvision.models.list_models(module=torchvision.models):
        return {
            "kind": "torchvision",
            "source": model_name,
            "weights": "DEFAULT",
            "task": "imagenette",
            "label_map": None,
            "label_map_basis": "ImageNet-1k output indices",
        }
    return {
        "kind": "transformers",
        "source": model_name,
        "revision": "main",
        "task": None,
        "label_map": "config",
        "label_map_basis": "config id2label",
    }


def item_keys(models, tasks) -> list[str]:
    """Manifest keys for what the given models and tasks need."""
    keys = []
    for name in models or []:
        keys.append(f"model:{name}")
        if pretrained_spec(name)["kind"] == "transformers":
            keys.append(f"tokenizer:{name}")
    for task in tasks or []:
        if task not in DATASETS:
            raise ValueError(f"task {task!r} has no fetchable dev set (fetchable: {sorted(DATASETS)})")
        keys.append(f"data:{task}")
    return keys
