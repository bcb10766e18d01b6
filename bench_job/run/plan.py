"""What a run measures: per model and variant, the configurations of its two sweeps, smallest first; the
models themselves cheapest first (estimated_macs), so that the first figures come in seconds, not after
the largest model's minutes.

Smallest first matters: when a configuration runs out of memory, every configuration at least as large
in both batch size and input size would too, and is skipped rather than tried.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench_job.bundle.records import config_key
from bench_job.families import FAMILIES
from bench_job.measure.sustained import SCENARIO as SUSTAINED
from bench_job.scenarios import LOADGEN_SCENARIOS, SWEEP


@dataclass(frozen=True)
class Point:
    batch_size: int
    input_size: int
    sweeps: tuple  # which sweeps this configuration belongs to: "batch", "input" or both (none for a soak)
    scenario: str = (
        SWEEP  # SWEEP; SUSTAINED: soaked after the sweep (run/soak.py); an MLPerf scenario (run/loadgen_rows.py)
    )


@dataclass
class WorkItem:
    entry: object  # catalogue.ModelEntry
    variant: object  # catalogue.Variant
    points: list  # Point, smallest first

    def key(self, point: Point, accelerator: str) -> str:
        """The row's key; a soak's ends with |sustained and an MLPerf scenario's with its name (|single-stream), so
        neither collides with the sweep row of its size."""
        key = config_key(self.entry.name, self.variant.name, accelerator, point.batch_size, point.input_size)
        return key if point.scenario == SWEEP else f"{key}|{point.scenario}"


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


def soak_point(entry, sustained) -> Point | None:
    """The soaked configuration of a model named in sustained.models (None otherwise): sustained.batch_size at
    sustained.input_size, or the model's sweep input size. It comes last, after the sweep has warmed the model."""
    if entry.name not in sustained.models:
        return None
    return Point(sustained.batch_size, sustained.input_size or entry.input_size, (), SUSTAINED)


def scenario_points(entry, scenarios) -> list:
    """A configuration per MLPerf scenario asked for (scenarios: the config's ScenariosSection), at the model's
    default input size and the SUT's largest batch (1 for single-stream, 8 for multi-stream, loadgen.max_batch_size
    for offline and server). They come after the sweep, on the warm model."""
    return [
        Point(LOADGEN_SCENARIOS[name].sut_batch(scenarios), entry.input_size, (), name) for name in scenarios.loadgen
    ]


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


# Multiply-accumulates per parameter of a torchvision classifier at 224 px: its published GFLOPs over its
# parameter count spans 86 (MobileNetV2) to 290 (SqueezeNet 1.1) across the zoo, 112 for VGG16 and 154 for
# ResNet18. Only the order of models matters, so one round figure does.
CNN_MACS_PER_PARAM_AT_224 = 150


def estimated_macs(entry, point: Point) -> float | None:
    """A configuration's cost before anything is built, from the catalogue and the configured sizes only:
    multiply-accumulates of one pass. A transformers encoder whose released architecture the catalogue holds
    costs 12 x hidden^2 per layer and token (attention projections 4 h^2, feed-forward 2 x h x 4h), its
    sequence padded to a multiple of its attention window where it has one (Longformer); ALBERT counts every
    layer it runs, not its few shared parameters. Otherwise the published parameter count: once per token for
    text, CNN_MACS_PER_PARAM_AT_224 times the image's area relative to 224 x 224 for images. None: nothing
    is known (a model outside the catalogue)."""
    arch = entry.architecture if isinstance(entry.architecture, dict) else {}
    if FAMILIES[entry.family].input_unit == "px":
        if not entry.reference_params:
            return None
        return entry.reference_params * CNN_MACS_PER_PARAM_AT_224 * point.batch_size * (point.input_size / 224) ** 2
    tokens = point.input_size
    window = arch.get("attention_window")
    if window:
        window = max(window) if isinstance(window, (list, tuple)) else int(window)
        tokens = -(-tokens // window) * window
    hidden = arch.get("hidden_size") or arch.get("dim")
    layers = arch.get("num_hidden_layers") or arch.get("n_layers")
    if hidden and layers:
        return 12.0 * hidden * hidden * layers * tokens * point.batch_size
    if entry.reference_params:
        return float(entry.reference_params) * tokens * point.batch_size
    return None


def item_cost(item: WorkItem) -> float:
    """The estimated multiply-accumulates of all of a work item's configurations; inf when unknown."""
    costs = [estimated_macs(item.entry, p) for p in item.points]
    return float("inf") if any(c is None for c in costs) else sum(costs)


def build_plan(config) -> list[WorkItem]:
    """Every model variant of the config with its configurations, cheapest model first by item_cost. The
    sort is stable: equal costs (the variants of one model, unknown models last) keep the config's order.
    A configuration's key does not depend on the order, so a resumed run finds what it measured."""
    plan = [
        WorkItem(
            entry,
            variant,
            (points_for(entry) if config.scenarios.sweep else [])
            + scenario_points(entry, config.scenarios)
            + [p for p in [soak_point(entry, config.sustained)] if p],
        )
        for entry in config.models
        for variant in entry.variants
    ]
    return sorted(plan, key=item_cost)
