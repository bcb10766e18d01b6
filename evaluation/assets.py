"""The asset catalogue (pretrained checkpoints and dev sets) and the assets-directory layout.

Layout of an assets directory (one Docker volume; `fetch` fills it with network, `run` reads it without):
  hf/                 HF_HOME: model snapshots under hf/hub, tokenizers saved at fetch time under hf/tokenizers
  torch/              TORCH_HOME: torchvision weights under torch/hub/checkpoints/<file name in the URL>
  data/<task>/        dev sets saved with datasets' save_to_disk
  manifest.json       what, where from, revision, size and sha256 per file
The core's zoo reads PRETRAINED for where each zoo model's trained weights come from.
"""

import os
import tempfile

# Patterns of files a transformers checkpoint needs; skips Flax/TF/Rust weights and pickled training args.
HF_MODEL_FILES = ["config.json", "*.safetensors", "pytorch_model.bin", "tokenizer*", "vocab*", "merges.txt",
                  "spiece.model", "special_tokens_map.json", "sentencepiece*"]
HF_TOKENIZER_FILES = ["tokenizer*", "vocab*", "merges.txt", "spiece.model", "special_tokens_map.json"]

# label_map: "config" = read the checkpoint's id2label names (placeholder LABEL_i names fall back to
# output i = label i, which the source says is right for textattack); "measure" = the order is unknown
# and is measured on the dev set; a dict/list = a fixed map {model output: dataset label}.
PRETRAINED: dict[str, dict] = {
    "bert-base-uncased": {
        "kind": "transformers", "source": "textattack/bert-base-uncased-SST-2", "revision": "main",
        "task": "sst2", "label_map": [0, 1],
        "label_map_basis": "textattack convention LABEL_0 = negative (no id2label in its config)",
        "reported_accuracy": 0.9243, "reported_source": "eval_results_sst-2.txt in the repo (eval_acc 0.92431)",
    },
    "albert-base-v2": {
        "kind": "transformers", "source": "textattack/albert-base-v2-SST-2", "revision": "main",
        "task": "sst2", "label_map": [0, 1],
        "label_map_basis": "textattack convention LABEL_0 = negative (no id2label in its config)",
        "reported_accuracy": 0.9255, "reported_source": "train_args.json best_eval_score 0.92546",
        "notes": "ships only spiece.model: fetch converts it to tokenizer.json (needs sentencepiece, protobuf)",
    },
    "distilbert-base-uncased": {
        "kind": "transformers", "source": "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        "revision": "main", "task": "sst2", "label_map": "config",
        "label_map_basis": "config id2label NEGATIVE/POSITIVE",
        "reported_accuracy": 0.9106,
        "reported_source": "model card model-index, glue sst2 validation 0.91055 (verified)",
    },
    "longformer-base-4096": {
        "kind": "transformers", "source": "MasterGuda/longformer-finetuned-glue-sst2", "revision": "main",
        "tokenizer_source": "allenai/longformer-base-4096",
        "task": "sst2", "label_map": "measure",
        "label_map_basis": "no model card: label order measured on the dev set, not trusted",
        "reported_accuracy": None, "reported_source": "none published (repository has weights, no card)",
    },
}
for _arch in ("resnet18", "mobilenet_v2", "squeezenet1_1", "vgg16", "mnasnet1_0"):
    # DEFAULT is each architecture's best classification weights; VGG16's IMAGENET1K_FEATURES has no
    # classifier and must never be used for accuracy.
    PRETRAINED[_arch] = {"kind": "torchvision", "source": _arch, "weights": "DEFAULT", "task": "imagenette",
                         "label_map": None, "label_map_basis": "ImageNet-1k output indices",
                         "reported_source": "torchvision weights meta, acc@1 on full ImageNet val"}

DATASETS: dict[str, dict] = {
    "sst2": {"repo": "nyu-mll/glue", "config": "sst2", "split": "validation", "revision": None, "rows": 872,
             "name": "GLUE SST-2 validation"},
    # The Hub repo holds a loading script, which datasets 5 refuses: its parquet conversion branch loads.
    "imagenette": {"repo": "frgfm/imagenette", "config": "320px", "split": "validation",
                   "revision": "refs/convert/parquet", "rows": 3925,
                   "name": "Imagenette (320px) validation, ImageNet-1k labels"},
}
TASKS = ("sst2", "imagenette", "imagefolder", "disk")


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
        return {"kind": "torchvision", "source": model_name, "weights": "DEFAULT", "task": "imagenette",
                "label_map": None, "label_map_basis": "ImageNet-1k output indices"}
    return {"kind": "transformers", "source": model_name, "revision": "main", "task": None,
            "label_map": "config", "label_map_basis": "config id2label"}


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
