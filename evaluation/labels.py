"""Label spaces and checkpoint label maps.

A label map says which dataset label each model output index stands for: {output_index: dataset_label}.
Checkpoints disagree on order (textattack's LABEL_0 is negative, with no names in its config), and a
reversed map turns ~92% on SST-2 into ~8%; that failure is silent unless it is looked for, so
`swap_warning` looks for it.
"""

from __future__ import annotations

SST2_NAMES = ["negative", "positive"]  # GLUE SST-2: label 0 negative, 1 positive

# Imagenette's ClassLabel order (frgfm/imagenette, = sorted WordNet ids n01440764 ... n03888257)
IMAGENETTE_NAMES = [
    "tench",
    "English springer",
    "cassette player",
    "chain saw",
    "church",
    "French horn",
    "garbage truck",
    "gas pump",
    "golf ball",
    "parachute",
]
IMAGENETTE_WNIDS = [
    "n01440764",
    "n02102040",
    "n02979186",
    "n03000684",
    "n03028079",
    "n03394916",
    "n03417042",
    "n03425413",
    "n03445777",
    "n03888257",
]
# The same ten classes as ImageNet-1k output indices (checked against torchvision's category names).
IMAGENETTE_TO_IMAGENET = [0, 217, 482, 491, 497, 566, 569, 571, 574, 701]

_NEGATIVE = {"negative", "neg", "0", "label_0"}
_POSITIVE = {"positive", "pos", "1", "label_1"}

# A fixed map is called swapped when reversing it would score this much higher: 92% vs 8% is 0.84,
# while a weak but correctly mapped model stays near or above chance.
SWAP_MARGIN = 0.3


def identity_map(num_outputs: int) -> dict[int, int]:
    return {i: i for i in range(num_outputs)}


def sst2_map_from_id2label(id2label: dict | None) -> tuple[dict[int, int] | None, str]:
    """The map given by a config's id2label names, or None when the names say nothing (LABEL_0...)."""
    if not id2label or len(id2label) != 2:
        return None, "no two-class id2label in the config"
    names = {int(k): str(v).strip().lower() for k, v in id2label.items()}
    if set(names.values()) == {"label_0", "label_1"}:
        # transformers' placeholder names: they carry no meaning, so they cannot confirm any order
        return None, "config id2label holds only the placeholder names LABEL_0/LABEL_1"
    mapping = {}
    for index, name in names.items():
        if name in _NEGATIVE:
            mapping[index] = 0
        elif name in _POSITIVE:
            mapping[index] = 1
        else:
            return None, f"config id2label name {name!r} is neither negative nor positive"
    if sorted(mapping.values()) != [0, 1]:
        return None, f"config id2label {id2label} does not name one negative and one positive output"
    return mapping, f"config id2label {dict(sorted(names.items()))}"


def resolve_label_map(spec, id2label: dict | None) -> tuple[dict[int, int] | str, str]:
    """Turn a catalogue/config label-map spec into a concrete map (or "measure") and say where it came from.

    spec: a dict {output: dataset_label}, a list (position = output), "config" (read id2label names),
    or "measure" (order unknown: pick the better of the two orders on the dev set, and say so).
    """
    if spec == "measure":
        return "measure", "label order unknown: measured on the dev set"
    if spec == "config" or spec is None:
        mapping, basis = sst2_map_from_id2label(id2label)
        if mapping is None:
            return identity_map(2), f"{basis}; assumed output i = dataset label i"
        return mapping, basis
    if isinstance(spec, (list, tuple)):
        return {i: int(label) for i, label in enumerate(spec)}, "given"
    if isinstance(spec, dict):
        return {int(k): int(v) for k, v in spec.items()}, "given"
    raise ValueError(f"label map must be a dict, a list, 'config' or 'measure', got {spec!r}")


def apply_map(predicted_outputs, mapping: dict[int, int]) -> list[int]:
    """Dataset labels for model output indices; outputs the map does not name count as wrong (-1)."""
    return [mapping.get(int(p), -1) for p in predicted_outputs]


def swapped_map(mapping: dict[int, int]) -> dict[int, int]:
    """The two-class map with its outputs exchanged."""
    (a, la), (b, lb) = sorted(mapping.items())
    return {a: lb, b: la}


def looks_swapped(accuracy: float, swapped_accuracy: float) -> bool:
    """Whether a fixed two-class map looks reversed: exchanging its outputs scores SWAP_MARGIN higher."""
    return swapped_accuracy - accuracy >= SWAP_MARGIN


def swap_warning(accuracy: float, swapped_accuracy: float, basis: str) -> str | None:
    """A sentence when the label map looks reversed, else None."""
    if not looks_swapped(accuracy, swapped_accuracy):
        return None
    return (
        f"label map looks swapped: accuracy is {accuracy:.1%} with the map from {basis}, but "
        f"{swapped_accuracy:.1%} with the two outputs exchanged; fix the checkpoint's label map "
        f"(config label_map) before trusting this figure"
    )
