"""Model families: how a model of one kind is built and fed. Adding a family is one new module here."""

from __future__ import annotations

from bench_job.families.base import Family
from bench_job.families.torchvision_family import TorchvisionFamily
from bench_job.families.transformers_family import TransformersFamily

FAMILIES: dict[str, Family] = {f.name: f for f in (TorchvisionFamily(), TransformersFamily())}


def family_for_modality(modality: str) -> Family:
    """The family whose real inputs a dev set of this modality ("image", "text") holds, for callers that
    evaluate a model without naming its family."""
    return next(f for f in FAMILIES.values() if f.modality == modality)
