"""Top-1 and top-k accuracy through the project-local `evaluate` metric, with a local fallback.

The metric is named in every result ("accuracy_metric") so a reader knows which code produced the
figure. The fallback exists because evaluate.load can fail in a locked-down container (its module
cache must be writable; offline_env points it at a scratch folder); the result then says "local".
"""

from __future__ import annotations

import os

import torch

from bench_job.errors import one_line

METRIC_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics", "accuracy", "accuracy.py")
EVALUATE_NAME = "evaluate:accuracy (project-local script)"
LOCAL_NAME = "local"

_loaded = {}


def _load_metric():
    """The evaluate metric module, loaded once per process; None (and the reason) when it cannot load."""
    if "metric" not in _loaded:
        try:
            import evaluate

            # keep_in_memory: nothing is written next to the (possibly read-only) assets
            _loaded["metric"] = evaluate.load(METRIC_SCRIPT, keep_in_memory=True)
            _loaded["reason"] = None
        except Exception as exc:  # any failure to load means: compute locally and say so
            _loaded["metric"] = None
            _loaded["reason"] = one_line(exc, 200)
    return _loaded["metric"], _loaded["reason"]


def metric_name() -> str:
    metric, _ = _load_metric()
    return EVALUATE_NAME if metric is not None else LOCAL_NAME


def metric_fallback_reason() -> str | None:
    return _load_metric()[1]


def accuracy(predictions, references) -> float | None:
    """Fraction of predictions equal to their references, or None for an empty set."""
    predictions = [int(p) for p in predictions]
    references = [int(r) for r in references]
    if not references:
        return None
    metric, _ = _load_metric()
    if metric is not None:
        return float(metric.compute(predictions=predictions, references=references)["accuracy"])
    return sum(p == r for p, r in zip(predictions, references)) / len(references)


def topk_hits(logits: torch.Tensor, references, k: int) -> list[int]:
    """Per example: the reference when it is among the k best logits, else the top-1 guess.

    Feeding these to `accuracy` gives top-k accuracy through the same metric code as top-1.
    """
    k = min(k, logits.shape[-1])
    top = logits.topk(k, dim=-1).indices.tolist()
    return [ref if ref in row else row[0] for row, ref in zip(top, (int(r) for r in references))]


def restricted_argmax(logits: torch.Tensor, classes: list[int]) -> list[int]:
    """argmax over the given output indices only (e.g. Imagenette's 10 of ImageNet's 1000)."""
    sub = logits[:, classes]
    return [classes[i] for i in sub.argmax(dim=-1).tolist()]
