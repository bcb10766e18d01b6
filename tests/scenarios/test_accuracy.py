"""LoadGen's accuracy log scored: the response data decoded per sample, through the evaluation's label map, and
MLPerf's 99%-of-fp32 target."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from bench_job.scenarios import accuracy


def library(labels: list) -> accuracy.DevSetLibrary:
    data = SimpleNamespace(labels=labels, inputs=lambda rows: rows)
    return accuracy.DevSetLibrary(data, list(range(len(labels))), None, ["x"], None, 8)


def log_of(answers: dict) -> str:
    """An accuracy log as LoadGen writes it: a JSON list with each sample's response bytes in hex."""
    return json.dumps(
        [
            {"seq_id": n, "qsl_idx": i, "data": np.asarray([out], np.int32).tobytes().hex().upper()}
            for n, (i, out) in enumerate(answers.items())
        ]
    )


def test_the_top1_response_is_one_int32_of_the_logits_argmax():
    assert accuracy.top1_response(torch.tensor([[0.1, 2.0, -1.0]])).tolist() == [1]
    assert accuracy.top1_response(torch.tensor([[0.1, 2.0, -1.0]])).dtype == np.int32


def test_scores_through_the_label_map_the_evaluation_used():
    answers = accuracy.predictions(log_of({0: 1, 1: 0, 2: 1, 3: 1}))
    assert answers == {0: 1, 1: 0, 2: 1, 3: 1}
    # output i is label i: 3 of 4 right
    assert accuracy.top1_accuracy(answers, library([1, 0, 1, 0]), None) == 0.75
    # a reversed two-class map ({"output": label}, as records store it): the other one right
    assert accuracy.top1_accuracy(answers, library([1, 0, 1, 0]), {"0": 1, "1": 0}) == 0.25
    assert accuracy.top1_accuracy({}, library([1]), None) is None and accuracy.predictions("[]") == {}


@pytest.mark.parametrize(
    "value, reference, met", [(0.9, 0.909, True), (0.899, 0.909, False), (0.9, None, None), (None, 0.9, None)]
)
def test_mlperf_target_is_99_percent_of_the_fp32_reference(value, reference, met):
    assert accuracy.meets_target(value, reference) is met
