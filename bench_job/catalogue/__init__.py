"""The model catalogue: the zoo (zoo.py), what a model entry resolves to (entry.py) and the resolution
of a config's model entries against the zoo, torchvision and transformers (resolve.py)."""

from __future__ import annotations

from bench_job.catalogue.entry import MODEL_KEYS, PRECISIONS, VARIANT_KEYS, WEIGHTS, ModelEntry, Variant
from bench_job.catalogue.zoo import TASKS, ZOO, Checkpoint, ZooModel

__all__ = [
    "MODEL_KEYS",
    "PRECISIONS",
    "VARIANT_KEYS",
    "WEIGHTS",
    "ModelEntry",
    "Variant",
    "TASKS",
    "ZOO",
    "Checkpoint",
    "ZooModel",
]
