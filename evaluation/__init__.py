"""Accuracy on real dev data: asset fetch/verify, dev-set loaders, label maps, and evaluate_model.

evaluate_model is imported eagerly on purpose: the function shares its name with its module, and only an
explicit import here guarantees that `evaluation.evaluate_model` is the function, not the module.
"""

from __future__ import annotations

from bench_job.catalogue.zoo import TASKS
from evaluation.assets import DATASETS, PRETRAINED, offline_env, pretrained_spec
from evaluation.errors import AssetsError, EvaluationDataError, EvaluationError
from evaluation.evaluate_model import evaluate_model
from evaluation.fetching import fetch, require, verify
from evaluation.pretrained import load_pretrained, pretrained_path, weights_source

__all__ = [
    "DATASETS",
    "PRETRAINED",
    "TASKS",
    "AssetsError",
    "EvaluationDataError",
    "EvaluationError",
    "evaluate_model",
    "fetch",
    "load_pretrained",
    "offline_env",
    "pretrained_path",
    "pretrained_spec",
    "require",
    "verify",
    "weights_source",
]
