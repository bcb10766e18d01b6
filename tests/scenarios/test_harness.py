"""One real LoadGen test per scenario against a SUT whose 'model' sleeps 1 ms per batch: LoadGen's own verdict and
logs come back, every sample is answered, batches follow the power-of-two chunks, the server batches what queued,
and a batch that raises ends the test with the failure rather than hanging LoadGen."""

from __future__ import annotations

import time

import pytest
import torch

from bench_job.scenarios import LOADGEN_SCENARIOS
from bench_job.scenarios import settings as loadgen_settings
from bench_job.scenarios.harness import DETAIL_LOG, SUMMARY_LOG, SampleLibrary, batch_shapes, chunks, run_test

lg = pytest.importorskip("mlperf_loadgen")


def test_chunks_are_powers_of_two_within_the_largest_batch():
    assert chunks(7, 8) == [4, 2, 1] and chunks(8, 8) == [8] and chunks(20, 8) == [8, 8, 4]
    assert chunks(5, 6) == [4, 1]  # a largest batch of 6 runs as 4: a power of two
    assert chunks(3, 1) == [1, 1, 1] and chunks(0, 8) == []
    assert batch_shapes(8) == [1, 2, 4, 8] and batch_shapes(6) == [1, 2, 4] and batch_shapes(1) == [1]


def test_a_single_sample_is_a_view_and_a_batch_is_gathered():
    pool = {"x": torch.arange(12.0).reshape(6, 2)}
    library = SampleLibrary(pool)
    assert library.count == 6
    one = library.batch([3])["x"]
    assert one.tolist() == [[6.0, 7.0]] and one.data_ptr() == pool["x"][3].data_ptr()
    assert library.batch([5, 0])["x"].tolist() == [[10.0, 11.0], [0.0, 1.0]]


class SleepingModel:
    """bind(inputs) -> run: sleeps 1 ms per batch and records each batch's size; fails on the batch `fail_at`."""

    def __init__(self, fail_at: int | None = None):
        self.batches, self.fail_at = [], fail_at

    def bind(self, inputs: dict):
        size = len(inputs["x"])

        def run():
            self.batches.append(size)
            if self.fail_at is not None and len(self.batches) >= self.fail_at:
                raise RuntimeError("the runtime failed")
            time.sleep(0.001)

        return run


def run(name: str, model: SleepingModel, largest: int, **settings_fields):
    scenario = LOADGEN_SCENARIOS[name]
    settings = loadgen_settings.test_settings(lg, scenario, "quick", 0.3, 16)
    largest_pow2 = batch_shapes(largest)[-1]
    scenario.expect(settings, 0.0011, largest_pow2)  # the warm latency of a batch: the sleep and a little more
    for field, value in settings_fields.items():
        setattr(settings, field, value)
    library = SampleLibrary({"x": torch.zeros(16, 2)})
    return settings, run_test(lg, settings, library, model.bind, largest, queued=name == "server")


def test_single_stream_one_sample_per_query_with_loadgens_verdict_and_logs():
    model = SleepingModel()
    settings, outcome = run("single-stream", model, 1)
    assert outcome.detail["result_validity"] in ("VALID", "INVALID") and outcome.failure is None
    assert set(outcome.logs) == {SUMMARY_LOG, DETAIL_LOG} and "MLPerf Results Summary" in outcome.logs[SUMMARY_LOG]
    assert outcome.samples == outcome.detail["result_query_count"] == len(model.batches) >= 16
    assert set(model.batches) == {1} and outcome.max_batch == 1
    assert settings.min_duration_ms == 300 and settings.min_query_count == 16
    assert loadgen_settings.describe(settings, LOADGEN_SCENARIOS["single-stream"], "quick", 16) == (
        "rules quick, min duration 0.3 s, min queries 16, 16 performance samples"
    )


def test_multi_stream_runs_each_query_of_eight_as_one_batch():
    model = SleepingModel()
    _, outcome = run("multi-stream", model, 8)
    assert outcome.detail["generated_samples_per_query"] == 8
    assert set(model.batches) == {8} and outcome.samples == 8 * len(model.batches)


def test_offline_runs_its_one_query_in_chunks_of_the_largest_batch():
    model = SleepingModel()
    _, outcome = run("offline", model, 8)
    issued = outcome.detail["generated_samples_per_query"]
    assert outcome.samples == issued and model.batches == chunks(issued, 8)
    assert outcome.detail["result_validity"] == "VALID"


def test_the_server_batches_what_has_queued_and_answers_every_query():
    model = SleepingModel()
    # 2000 QPS against 1 ms batches: queries queue while one runs, and run together
    _, outcome = run("server", model, 8, server_target_qps=2000, server_target_latency_ns=50_000_000)
    assert outcome.samples == outcome.detail["result_query_count"]
    assert max(model.batches) > 1 and outcome.max_batch == max(model.batches) <= 8


def test_a_failing_batch_is_reported_and_loadgen_still_ends():
    model = SleepingModel(fail_at=3)
    _, outcome = run("single-stream", model, 1)
    assert isinstance(outcome.failure, RuntimeError) and str(outcome.failure) == "the runtime failed"
    assert len(model.batches) == 3  # no batch runs after the failure; the others are answered at once


class LoadedLibrary:
    """A dev set's shape of library: samples exist only once LoadGen has loaded them, a set at a time."""

    def __init__(self, count: int, set_size: int):
        self.count, self.set_size, self.loaded, self.most_loaded = count, set_size, {}, 0

    def load(self, indices):
        for i in indices:
            self.loaded[i] = {"x": torch.full((1, 2), float(i))}
        self.most_loaded = max(self.most_loaded, len(self.loaded))

    def unload(self, indices):
        for i in indices:
            del self.loaded[i]

    def batch(self, indices):
        (i,) = indices
        return self.loaded[i]


def test_accuracy_mode_answers_every_sample_once_with_its_data_loading_a_set_at_a_time():
    import numpy as np

    from bench_job.scenarios.accuracy import ACCURACY_LOG, predictions

    library = LoadedLibrary(20, 8)
    settings = loadgen_settings.test_settings(lg, LOADGEN_SCENARIOS["offline"], "quick", 0.3, 16)
    settings.mode = lg.TestMode.AccuracyOnly

    def bind(inputs):
        return lambda: inputs["x"]

    outcome = run_test(
        lg, settings, library, bind, 8, queued=False, respond=lambda x: np.asarray([int(x[0, 0]) * 3], np.int32)
    )
    assert outcome.failure is None and outcome.max_batch == 1
    # every sample answered once, with its own data (3 x its index), read back from LoadGen's accuracy log
    assert predictions(outcome.logs[ACCURACY_LOG]) == {i: 3 * i for i in range(20)}
    assert library.most_loaded <= 8 and library.loaded == {}
