"""ImageNet-labelled dev sets: Imagenette validation as fetched, a user's ImageFolder, or a save_to_disk folder.

Every label is turned into an ImageNet-1k output index, so that top-1 is the model's real 1000-way answer.
Imagenette comes from frgfm/imagenette's `refs/convert/parquet` branch (its main branch holds a loading
script that datasets 5 refuses); its ClassLabel order is tench ... parachute = IMAGENETTE_TO_IMAGENET.
"""

from __future__ import annotations

import os

from evaluation.errors import AssetsError, EvaluationDataError
from evaluation.evalset import EvalSet
from evaluation.labels import IMAGENETTE_NAMES, IMAGENETTE_TO_IMAGENET, IMAGENETTE_WNIDS

NUM_IMAGENET_CLASSES = 1000


def class_names_to_imagenet(names: list[str], where: str) -> list[int]:
    """ImageNet indices for class names: Imagenette names or WordNet ids, or the integers 0..999 that
    ImageNet-V2 uses as folder names (ImageFolder sorts those as strings: '10' before '2')."""
    if names == IMAGENETTE_NAMES or names == IMAGENETTE_WNIDS:
        return list(IMAGENETTE_TO_IMAGENET)
    if all(n in IMAGENETTE_WNIDS for n in names):
        return [IMAGENETTE_TO_IMAGENET[IMAGENETTE_WNIDS.index(n)] for n in names]
    if all(n.isdigit() and int(n) < NUM_IMAGENET_CLASSES for n in names):
        return [int(n) for n in names]
    raise EvaluationDataError(
        f"cannot tell which ImageNet class each of {where}'s classes is (first: {names[:3]}): name the class "
        f"folders by ImageNet-1k index 0..999 (as ImageNet-V2 does) or by Imagenette WordNet id"
    )


def _restriction(labels: list[int]) -> list[int] | None:
    return list(IMAGENETTE_TO_IMAGENET) if set(labels) <= set(IMAGENETTE_TO_IMAGENET) else None


def _rgb(image):
    return image.convert("RGB") if image.mode != "RGB" else image


def load_disk(path: str, name: str) -> EvalSet:
    """A save_to_disk folder with columns image and label (Imagenette's ClassLabel, class names that are
    ImageNet indices, or plain ImageNet indices), as an EvalSet called name."""
    import datasets

    if not os.path.isdir(path):
        raise AssetsError(f"no image dev set at {path}")
    ds = datasets.load_from_disk(path)
    if isinstance(ds, datasets.DatasetDict):
        split = "validation" if "validation" in ds else next(iter(ds)) if len(ds) == 1 else None
        if split is None:
            raise EvaluationDataError(f"{path} holds splits {list(ds)}: save the validation split alone")
        ds = ds[split]
    missing = {"image", "label"} - set(ds.column_names)
    if missing:
        raise EvaluationDataError(
            f"{path} lacks column(s) {sorted(missing)}: an image dev set needs 'image' and 'label'"
        )
    raw = [int(v) for v in ds["label"]]
    feature = ds.features["label"]
    if isinstance(feature, datasets.ClassLabel) and feature.num_classes != NUM_IMAGENET_CLASSES:
        to_imagenet = class_names_to_imagenet(list(feature.names), path)
        labels = [to_imagenet[v] for v in raw]
    else:
        if any(not 0 <= v < NUM_IMAGENET_CLASSES for v in raw):
            raise EvaluationDataError(f"{path} has labels outside 0..999: labels must be ImageNet-1k indices")
        labels = raw

    def fetch_inputs(indices):
        return [_rgb(img) for img in ds[list(indices)]["image"]]

    return EvalSet(
        name=name, modality="image", labels=labels, fetch_inputs=fetch_inputs, restrict_to=_restriction(labels)
    )


def load_imagefolder(path: str, name: str) -> EvalSet:
    """A class-per-folder tree (torchvision ImageFolder) with folders named by ImageNet index or WordNet id,
    as an EvalSet called name."""
    from PIL import Image
    from torchvision.datasets import ImageFolder

    if not os.path.isdir(path):
        raise EvaluationDataError(f"no image folder at {path}")
    folder = ImageFolder(path)
    # ImageFolder numbers classes in string order; translate its indices back through the folder names
    to_imagenet = class_names_to_imagenet(list(folder.classes), path)
    samples = [(p, to_imagenet[c]) for p, c in folder.samples]

    def fetch_inputs(indices):
        out = []
        for i in indices:
            with Image.open(samples[i][0]) as img:
                out.append(img.convert("RGB"))  # convert loads a copy before the file closes
        return out

    labels = [label for _, label in samples]
    return EvalSet(
        name=name, modality="image", labels=labels, fetch_inputs=fetch_inputs, restrict_to=_restriction(labels)
    )
