"""What the catalogue resolves a config's model entry to: a ModelEntry with its Variants.

Both are frozen: a resolved entry is never changed in place. Where the run must measure an entry
otherwise (pretrained assets missing: random weights), it makes a new one with dataclasses.replace.
"""

from __future__ import annotations

from dataclasses import dataclass

PRECISIONS = ("fp32", "fp16", "bf16", "int8")
WEIGHTS = ("random", "pretrained")
MODEL_KEYS = (
    "name",
    "family",
    "source",
    "pretrained",
    "weights",
    "variants",
    "batch_sizes",
    "input_size",
    "input_sizes",
    "note",
    "task",
    "data_path",
    "label_map",
)
VARIANT_KEYS = ("name", "precision", "threads", "runtime")


@dataclass(frozen=True)
class Variant:
    name: str
    precision: str = "fp32"
    threads: int | None = None
    runtime: str = "eager"  # bench_job.runtimes.RUNTIMES: eager | compile | onnxruntime | tensorrt


@dataclass(frozen=True)
class ModelEntry:
    """One model of the plan, resolved to a family and a way to build it."""

    name: str
    family: str
    architecture: object
    source: str | None
    pretrained: str | None
    weights: str
    variants: list
    batch_sizes: list
    input_size: int
    input_sizes: list
    note: str = ""
    reference_params: int | None = None
    reference_source: str = ""
    published_accuracy: float | None = None  # the catalogue checkpoint's own reported dev-set accuracy
    published_accuracy_source: str = ""
    max_input_size: int | None = None
    attn_implementation: str = "eager"
    task: str | None = None  # dev set for accuracy: sst2 | imagenette | imagefolder | disk
    data_path: str | None = None  # the user's own dev set: sentence/label (sst2) or images (imagefolder, disk)
    label_map: object = None  # model output -> dataset label, for a user's own checkpoint
    weights_note: str | None = None  # why the weights are not what the config asked for
