"""SST-2-shaped dev sets (label 0 negative / 1 positive): GLUE's validation split as saved by `fetch`
(872 sentences), or a user's own save_to_disk folder."""

from __future__ import annotations

import os

from evaluation.errors import AssetsError, EvaluationDataError
from evaluation.evalset import EvalSet
from evaluation.labels import SST2_NAMES


def load_sst2(path: str, name: str) -> EvalSet:
    """An SST-2-shaped save_to_disk folder (columns sentence, label) as an EvalSet called name (where it
    came from: the caller knows, this folder does not)."""
    if not os.path.isdir(path):
        raise AssetsError(f"no SST-2 dev set at {path}")
    ds = _load_split(path)
    missing = {"sentence", "label"} - set(ds.column_names)
    if missing:
        raise EvaluationDataError(
            f"{path} lacks column(s) {sorted(missing)}: an SST-2 dev set needs "
            f"'sentence' and 'label' (0 negative, 1 positive)"
        )
    labels = [int(v) for v in ds["label"]]
    if any(v not in (0, 1) for v in labels):
        # GLUE's test split hides its labels as -1: it cannot measure accuracy
        raise EvaluationDataError(
            f"{path} has labels other than 0/1 (test split with hidden labels?): use the validation split"
        )

    def fetch_inputs(indices):
        # rows are read per batch, never copied or mapped, so a read-only assets volume is enough
        return list(ds[list(indices)]["sentence"])

    return EvalSet(name=name, modality="text", labels=labels, fetch_inputs=fetch_inputs, label_names=list(SST2_NAMES))


def _load_split(path: str):
    import datasets

    loaded = datasets.load_from_disk(path)
    if isinstance(loaded, datasets.DatasetDict):
        if "validation" in loaded:
            return loaded["validation"]
        if len(loaded) == 1:
            return next(iter(loaded.values()))
        raise EvaluationDataError(f"{path} holds splits {list(loaded)}: save the validation split alone")
    return loaded
