from __future__ import annotations

import time

import pytest

from bench_job import config as cfg
from bench_job.errors import UserError
from bench_job.run.runner import Runner, StopRequest, resolve_accelerator


def runner(budget):
    config = cfg.resolve(None, device="laptop", sets=[f"run.budget={budget}"] if budget else [])
    return Runner(config, store=None, accelerator="cpu", stop=StopRequest(), show_progress=False)


def test_without_a_budget_each_configuration_gets_the_configured_time():
    assert runner(None)._time_per_config(100) == 10


def test_a_budget_is_spread_over_what_is_left_with_half_for_timing():
    r = runner("100s")
    assert r._time_per_config(10) == pytest.approx(5.0, rel=0.01)  # 100 s / 10 configs / 2
    assert r._time_per_config(1000) == pytest.approx(0.05, rel=0.01)  # floor: never zero
    assert r._time_per_config(1) == 10  # never above max_time_per_config_s


def test_a_spent_budget_leaves_the_minimum():
    r = runner("1s")
    r.deadline = time.monotonic() - 5
    assert r._time_per_config(3) == 0.05


def test_accelerator_resolution():
    assert resolve_accelerator("auto", False) == "cpu"
    assert resolve_accelerator("auto", True) == "cuda"
    with pytest.raises(UserError, match="torch sees no CUDA device"):
        resolve_accelerator("cuda", False)


def test_a_memory_cap_that_leaves_no_room_above_the_framework_is_named_once(caplog):
    config = cfg.resolve(None, device="laptop", sets=["run.max_worker_memory=1GiB"])
    r = Runner(config, store=None, accelerator="cpu", stop=StopRequest(), show_progress=False)
    with caplog.at_level("WARNING", logger="bench_job"):
        r._note_framework(933 * 2**20)
        r._note_framework(940 * 2**20)
    (warning,) = [rec.getMessage() for rec in caplog.records]
    assert warning.startswith(
        "--max-worker-memory 1.0 GiB leaves 91.0 MiB above what a worker takes before any "
        "model (933.0 MiB: torch and its libraries on this machine)"
    )
    assert "raise it, e.g. to 1.4 GiB or more" in warning
    assert r.framework_rss == 940 * 2**20


def test_a_roomy_cap_says_nothing(caplog):
    config = cfg.resolve(None, device="laptop", sets=["run.max_worker_memory=4GiB"])
    r = Runner(config, store=None, accelerator="cpu", stop=StopRequest(), show_progress=False)
    with caplog.at_level("WARNING", logger="bench_job"):
        r._note_framework(933 * 2**20)
    assert not caplog.records


def test_the_budget_counts_from_the_start_of_the_command():
    config = cfg.resolve(None, device="laptop", sets=["run.budget=100s"])
    r = Runner(
        config, store=None, accelerator="cpu", stop=StopRequest(), show_progress=False, started=time.monotonic() - 40
    )
    assert r.deadline - time.monotonic() == pytest.approx(60, abs=1)
