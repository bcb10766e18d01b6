"""What a run measures: per model and variant, the configurations of its two sweeps, smallest first.

Smallest first matters: when a configuration runs out of memory, every configuration at least as large
in both batch size and input size would too, and is skipped rather than tried.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench_job.bundle.records import config_key
from bench_job.families import FAMILIES


@dataclass(frozen=True)
class Point:
    batch_size: int
    input_size: int
    sweeps: tuple  # which sweeps this configuration belongs to: "batch", "input" or both


@dataclass
class WorkItem:
    entry: object  # catalogue.ModelEntry
    variant: object  # catalogue.Variant
    points: list  # Point, smallest first

    def key(self, point: Point, accelerator: str) -> str:
        return config_key(self.entry.name, self.variant.name, accelerator, point.batch_size, point.input_size)


def points_for(entry) -> list[Point]:
    """Batch sweep at the fixed input size, input-size sweep at batch 1, shared points merged."""
    sweeps: dict[tuple, list] = {}
    for batch in entry.batch_sizes:
        sweeps.setdefault((batch, entry.input_size), []).append("batch")
    for size in entry.input_sizes:
        sweeps.setdefault((1, size), []).append("input")
    image_like = FAMILIES[entry.family].input_unit == "px"
    # Cost grows with the square of an image side and roughly linearly with a sequence length.
    order = sorted(sweeps, key=lambda p: (p[0] * p[1] ** (2 if image_like else 1), p[0], p[1]))
    return [Point(b, s, tuple(sweeps[(b, s)])) for b, s in order]


def is_dominated(point: Point, failed: list) -> bool:
    """True when point is at least as large as a configuration that ran out of memory."""
    return any(point.batch_size >= f.batch_size and point.input_size >= f.input_size for f in failed)


class OomFront:
    """The skip-after-OOM rule, for the worker (configurations it has not tried yet) and the runner (those a
    killed worker left): once a configuration ran out of memory, every configuration at least as large in
    both batch size and input size is skipped with SKIP_REASON rather than tried."""

    SKIP_REASON = "a smaller configuration of this model ran out of memory"
    # a model that ran out of memory while being built: its smallest configuration carries the oom, the
    # others are skipped with this reason
    BUILD_SKIP_REASON = "the model did not fit in memory"

    def __init__(self):
        self.failed: list = []

    def ran_out(self, point: Point) -> None:
        self.failed.append(point)

    def dominates(self, point: Point) -> bool:
        return is_dominated(point, self.failed)


def build_plan(config) -> list[WorkItem]:
    return [WorkItem(entry, variant, points_for(entry)) for entry in config.models for variant in entry.variants]
