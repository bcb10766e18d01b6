"""fetch / verify / require: fill an assets directory, check it against its manifest, refuse a bad one.

fetch is resumable: items the manifest lists and whose files still match their sha256 are skipped;
an item left incomplete by an interruption, or whose files no longer match, is discarded and redone.
"""

from __future__ import annotations

import fnmatch
import os
import shutil

from tqdm.auto import tqdm

from bench_job.errors import one_line
from bench_job.families.torchvision_family import imagenet_weights
from evaluation import assets, manifest
from evaluation.downloaders import REAL, Downloaders
from evaluation.errors import AssetsError, EvaluationError

_TOKENIZER_GLOBS = [
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "spiece.model",
    "sentencepiece.bpe.model",
]


def fetch(assets_dir: str, models, tasks, progress: bool = True, downloaders: Downloaders | None = None) -> dict:
    """Download what the models and tasks need into assets_dir; returns {item: "fetched" | "verified"}."""
    dl = downloaders or REAL
    os.makedirs(assets_dir, exist_ok=True)
    current = manifest.load(assets_dir) or manifest.empty()
    keys = assets.item_keys(models, tasks)
    outcome = {}
    for key in tqdm(keys, desc="fetch", unit="item", disable=not progress):
        entry = current["items"].get(key)
        if entry and not manifest.check_entry(assets_dir, key, entry, deep=True):
            outcome[key] = "verified"
            continue
        if entry:
            _discard(assets_dir, key, entry)
        # Mark before starting: if this process dies now, the next fetch and verify see it unfinished.
        current["items"][key] = {"complete": False, "started_at": manifest.now()}
        manifest.save(assets_dir, current)
        new = _fetch_item(key, assets_dir, current, dl, progress)
        paths = manifest.list_files(assets_dir, new["root"]) if "files" not in new else new.pop("files")
        with tqdm(
            total=sum(os.path.getsize(os.path.join(assets_dir, p)) for p in paths),
            unit="B",
            unit_scale=True,
            desc=f"sha256 {key}",
            disable=not progress,
            leave=False,
        ) as bar:
            new["files"] = manifest.describe_files(assets_dir, paths, bar)
        new.update(complete=True, fetched_at=manifest.now(), size=sum(f["size"] for f in new["files"].values()))
        current["items"][key] = new
        manifest.save(assets_dir, current)
        outcome[key] = "fetched"
    return outcome


def verify(assets_dir: str, models=None, tasks=None, deep: bool = True) -> list[str]:
    """Problems with the assets (empty when all is well); all manifest items when models/tasks are None.

    deep=True re-hashes every file (sha256); deep=False checks presence and sizes only.
    """
    try:
        current = manifest.load(assets_dir)
    except (ValueError, OSError) as exc:
        return [f"unreadable manifest in {assets_dir}: {exc}"]
    if current is None:
        return [f"no {manifest.MANIFEST} in {assets_dir}"]
    keys = list(current["items"]) if models is None and tasks is None else assets.item_keys(models, tasks)
    problems = []
    for key in keys:
        entry = current["items"].get(key)
        if entry is None:
            problems.append(f"{key}: not fetched")
        else:
            problems.extend(manifest.check_entry(assets_dir, key, entry, deep=deep))
    return problems


def require(assets_dir: str, models=None, tasks=None, deep: bool = True) -> None:
    """Raise AssetsError (one line, naming the fix) unless the assets are complete and intact."""
    problems = verify(assets_dir, models, tasks, deep=deep)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise AssetsError(f"assets in {assets_dir} are missing or corrupt: {problems[0]}{more}")


def entry(assets_dir: str, key: str) -> dict:
    """The verified-complete manifest entry for key, or AssetsError."""
    current = manifest.load(assets_dir) if os.path.isdir(assets_dir) else None
    item = (current or {"items": {}})["items"].get(key)
    if not item or not item.get("complete"):
        raise AssetsError(f"{key} is not in the assets at {assets_dir}")
    return item


def _discard(assets_dir: str, key: str, old: dict) -> None:
    """Remove what a failed or corrupted item left, so that it is fetched again from scratch."""
    if key.startswith(("data:", "tokenizer:")) and old.get("root"):
        shutil.rmtree(os.path.join(assets_dir, old["root"]), ignore_errors=True)
        return
    for rel in old.get("files", {}):
        problems = manifest.check_entry(assets_dir, key, {"complete": True, "files": {rel: old["files"][rel]}})
        if problems:
            full = os.path.join(assets_dir, rel)
            # HF snapshots are symlinks into a blob store: drop the blob too, or it would be reused as is
            for path in {os.path.realpath(full), full}:
                if os.path.lexists(path):
                    os.remove(path)


def _fetch_item(key: str, assets_dir: str, current: dict, dl: Downloaders, progress: bool) -> dict:
    kind, name = key.split(":", 1)
    if kind == "data":
        return _fetch_dataset(name, assets_dir, dl, progress)
    spec = assets.pretrained_spec(name)
    if kind == "model" and spec["kind"] == "torchvision":
        return _fetch_torchvision(spec, assets_dir, dl, progress)
    if kind == "model":
        return _fetch_hf_model(spec, assets_dir, dl, progress)
    model_root = current["items"][f"model:{name}"]["root"]
    return _fetch_tokenizer(name, spec, model_root, assets_dir, dl, progress)


def _fetch_torchvision(spec: dict, assets_dir: str, dl: Downloaders, progress: bool) -> dict:
    import torch.hub

    weights = imagenet_weights(spec["source"], spec.get("weights"))
    if weights.name == "IMAGENET1K_FEATURES":
        raise EvaluationError(f"{weights} has no classifier head and cannot be evaluated: use DEFAULT")
    file_name = os.path.basename(weights.url)
    dst = os.path.join(assets.torch_checkpoints(assets_dir), file_name)
    match = torch.hub.HASH_REGEX.search(file_name)
    dl.url_file(weights.url, dst, match.group(1) if match else None, progress)
    return {
        "kind": "torchvision-weights",
        "source": weights.url,
        "revision": str(weights),
        "root": os.path.relpath(dst, assets_dir),
    }


def _fetch_hf_model(spec: dict, assets_dir: str, dl: Downloaders, progress: bool) -> dict:
    if os.path.isdir(spec["source"]):
        raise EvaluationError(
            f"{spec['source']} is a local folder: use it as the model's source directly, there is nothing to fetch"
        )
    path = dl.hf_snapshot(
        spec["source"], spec.get("revision"), assets.HF_MODEL_FILES, assets.hf_hub_cache(assets_dir), progress
    )
    if not any(f.endswith((".safetensors", ".bin")) for f in os.listdir(path)):
        raise EvaluationError(f"{spec['source']} has no PyTorch weights (safetensors or pytorch_model.bin)")
    return {
        "kind": "hf-snapshot",
        "source": f"hf://{spec['source']}",
        "revision": os.path.basename(path),
        "requested_revision": spec.get("revision"),
        "root": os.path.relpath(path, assets_dir),
    }


def _has_tokenizer(folder: str) -> bool:
    return any(fnmatch.fnmatch(name, glob) for name in os.listdir(folder) for glob in _TOKENIZER_GLOBS)


def _fetch_tokenizer(name: str, spec: dict, model_root: str, assets_dir: str, dl: Downloaders, progress: bool) -> dict:
    """Load the checkpoint's tokenizer (or the base model's, when the checkpoint ships none) and save it
    in the library's own format, so that a run needs neither sentencepiece nor the original files."""
    from transformers import AutoTokenizer

    folder, source = os.path.join(assets_dir, model_root), spec["source"]
    if not _has_tokenizer(folder):
        if not spec.get("tokenizer_source"):
            raise EvaluationError(f"{source} ships no tokenizer: name a tokenizer_source for {name}")
        source = spec["tokenizer_source"]
        folder = dl.hf_snapshot(
            source, "main", assets.HF_TOKENIZER_FILES + ["config.json"], assets.hf_hub_cache(assets_dir), progress
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
    except (ImportError, ValueError) as exc:
        raise EvaluationError(
            f"cannot build the tokenizer of {source} ({one_line(exc, 160)}): "
            f"`pip install sentencepiece protobuf` for the fetch, then fetch again"
        ) from None
    dest = assets.tokenizer_dir(assets_dir, name)
    shutil.rmtree(dest, ignore_errors=True)
    # tokenizer.json alone (legacy_format=False): transformers 4 would also write the slow tokenizer's files
    # (ALBERT's spiece.model), which the run never reads; transformers 5 writes tokenizer.json alone either way.
    tokenizer.save_pretrained(dest, legacy_format=False if getattr(tokenizer, "is_fast", False) else None)
    if not os.path.isfile(os.path.join(dest, "tokenizer.json")):
        raise EvaluationError(
            f"the tokenizer of {source} did not save a tokenizer.json; it cannot run offline "
            f"without its original libraries"
        )
    return {
        "kind": "tokenizer",
        "source": f"hf://{source}",
        "revision": os.path.basename(folder),
        "root": os.path.relpath(dest, assets_dir),
    }


def _fetch_dataset(task: str, assets_dir: str, dl: Downloaders, progress: bool) -> dict:
    spec = assets.DATASETS[task]
    dest = assets.data_dir(assets_dir, task)
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    facts = dl.hf_dataset(spec, dest, assets_dir, progress)
    return {
        "kind": "dataset",
        "source": f"hf://datasets/{spec['repo']}",
        "config": spec.get("config"),
        "split": spec["split"],
        "revision": facts.get("revision"),
        "rows": facts.get("rows"),
        "name": spec["name"],
        "root": os.path.relpath(dest, assets_dir),
    }
