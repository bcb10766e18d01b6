"""LoadGen's accuracy mode: every sample of the dev set issued once through the scenario's SUT, each answered with
the model's top-1 output as its response data; LoadGen writes the responses to mlperf_log_accuracy.json, from which
the top-1 accuracy is scored here, and set against the same model's eager fp32 accuracy on the same examples:
MLPerf's target for a closed-division result is 99% of the fp32 reference.

The samples are the rows the evaluation scores (the same stratified, seeded subset: accuracy.max_examples), encoded
with the checkpoint's own preprocessing; LoadGen loads them a set at a time (ConstructQSL's load and unload), so a
dev set of thousands of images is never in memory at once. The SUT runs them one sample at a time in this mode: a
sentence's length is its own, and accuracy does not depend on batching.
"""

from __future__ import annotations

import json

import numpy as np

# MLPerf's accuracy target for its closed division: 99% of the reference (fp32) accuracy
MLPERF_TARGET = 0.99
ACCURACY_LOG = "mlperf_log_accuracy.json"


class DevSetLibrary:
    """LoadGen's samples from a dev set: sample i is rows[i] of data (evaluation's EvalSet), encoded by encode (the
    family's real_input_encoder) into the model's keyword inputs (names: make_inputs' keys, for positional ones)."""

    def __init__(self, data, rows: list, encode, names: list, prepare, set_size: int):
        self.data, self.rows, self.encode, self.names, self.prepare = data, rows, encode, names, prepare
        self.count = len(rows)
        self.set_size = set_size  # how many LoadGen loads at once (its performance sample count)
        self.loaded = {}

    def load(self, indices) -> None:
        for i in indices:
            args, kwargs, _ = self.encode(self.data.inputs([self.rows[i]]))
            self.loaded[i] = self.prepare(dict(zip(self.names, args), **kwargs))

    def unload(self, indices) -> None:
        for i in indices:
            self.loaded.pop(i, None)

    def batch(self, indices: list) -> dict:
        (i,) = indices  # one sample at a time in accuracy mode
        return self.loaded[i]

    def label(self, i: int) -> int:
        return self.data.labels[self.rows[i]]


def top1_response(output) -> np.ndarray:
    """The response data of one sample: its top-1 output index as one int32 (the first output, the logits)."""
    return np.asarray([int(output.argmax(dim=-1).reshape(-1)[0])], dtype=np.int32)


def predictions(text: str) -> dict:
    """{sample index: top-1 output} from LoadGen's accuracy log: a JSON list of {"qsl_idx", "data": hex bytes}."""
    found = {}
    for entry in json.loads(text or "[]"):
        found[int(entry["qsl_idx"])] = int(np.frombuffer(bytes.fromhex(entry["data"]), dtype=np.int32)[0])
    return found


def top1_accuracy(predicted: dict, library: DevSetLibrary, label_map: dict | None) -> float | None:
    """The share of samples whose top-1 output, through the label map the evaluation used ({"output": label}, None:
    output i is label i), is their label."""
    if not predicted:
        return None
    mapping = {int(k): v for k, v in (label_map or {}).items()}
    hits = sum(mapping.get(out, out) == library.label(i) for i, out in predicted.items())
    return hits / len(predicted)


def meets_target(accuracy: float | None, reference: float | None) -> bool | None:
    if accuracy is None or reference is None:
        return None
    return accuracy >= MLPERF_TARGET * reference
