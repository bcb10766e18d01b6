"""The shape every dev set takes for evaluation: labels up front, raw inputs fetched per batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class EvalSet:
    name: str  # where it came from (eval_dataset adds its size)
    modality: str  # "text" or "image"
    labels: list[int]  # per row, in the model's label space (ImageNet-1k index for images)
    fetch_inputs: Callable  # list of row indices -> list of raw inputs (str or PIL image)
    restrict_to: list[int] | None = None  # output indices of a class subset (Imagenette's 10), else None
    label_names: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.labels)

    def inputs(self, indices: list[int]) -> list:
        return self.fetch_inputs(indices)
