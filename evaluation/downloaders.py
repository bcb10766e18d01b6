"""The functions that touch the network during `fetch`, and nothing else.

They are grouped in one object so tests can hand fetch a set that copies local fixtures instead, while
the manifest, verification, resume and corruption logic around them runs for real.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Callable

from evaluation.errors import EvaluationError


def hf_snapshot(repo_id: str, revision: str | None, allow_patterns: list[str], cache_dir: str, progress: bool) -> str:
    """Download (or resume) a model repo into the HF cache; returns its local snapshot folder.

    The folder name is the commit the revision resolved to, which the manifest records.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.utils import disable_progress_bars, enable_progress_bars

    (enable_progress_bars if progress else disable_progress_bars)()
    patterns = _prefer_safetensors(repo_id, revision, allow_patterns)
    return snapshot_download(repo_id, revision=revision, allow_patterns=patterns, cache_dir=cache_dir)


def _prefer_safetensors(repo_id: str, revision: str | None, allow_patterns: list[str]) -> list[str]:
    """Skip pytorch_model.bin where the repo also has safetensors weights (same tensors, twice the bytes)."""
    try:
        from huggingface_hub import HfApi

        files = [s.rfilename for s in HfApi().model_info(repo_id, revision=revision).siblings or []]
    except Exception:  # listing is an optimisation only: download both rather than fail here
        return allow_patterns
    if any(f.endswith(".safetensors") and "/" not in f for f in files):
        return [p for p in allow_patterns if p != "pytorch_model.bin"]
    return allow_patterns


def url_file(url: str, dst: str, hash_prefix: str | None, progress: bool) -> None:
    """Download one file (torchvision weights); torch.hub writes to a temporary name and checks the
    sha256 prefix that torchvision puts in each file name before moving it into place."""
    import torch.hub

    os.makedirs(os.path.dirname(dst), exist_ok=True)
    torch.hub.download_url_to_file(url, dst, hash_prefix=hash_prefix, progress=progress)


def hf_dataset(spec: dict, dest: str, scratch_dir: str, progress: bool) -> dict:
    """Load one split of a Hub dataset and save it with save_to_disk at dest; returns facts for the manifest.

    The download cache lives in a scratch folder removed afterwards: only the saved split is kept.
    """
    import datasets

    if not progress:
        datasets.disable_progress_bars()
    with tempfile.TemporaryDirectory(dir=scratch_dir) as cache:
        ds = datasets.load_dataset(
            spec["repo"], spec.get("config"), split=spec["split"], revision=spec.get("revision"), cache_dir=cache
        )
        expected = spec.get("rows")
        if expected is not None and len(ds) != expected:
            raise EvaluationError(
                f"{spec['repo']} {spec.get('config')} {spec['split']} has {len(ds)} rows, "
                f"expected {expected}: the Hub copy changed; check it before trusting accuracy"
            )
        ds.save_to_disk(dest)
    return {"revision": _dataset_commit(spec), "rows": len(ds)}


def _dataset_commit(spec: dict) -> str | None:
    """The commit the dataset revision points at now (recorded so a later fetch can be compared)."""
    try:
        from huggingface_hub import HfApi

        return HfApi().dataset_info(spec["repo"], revision=spec.get("revision")).sha
    except Exception:  # the data itself was fetched; a missing commit id only weakens the record
        return spec.get("revision")


@dataclass
class Downloaders:
    hf_snapshot: Callable = hf_snapshot
    url_file: Callable = url_file
    hf_dataset: Callable = hf_dataset


REAL = Downloaders()
