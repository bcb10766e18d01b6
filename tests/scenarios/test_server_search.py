"""The server's bounded search of target QPS and its latency bound: bisection between 0 and the warm throughput, a
step held where LoadGen found the latency constraint met, the highest held step kept."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bench_job.scenarios import server


def loadgen_at(capacity: float):
    """A fake LoadGen: the bound holds up to capacity QPS; VALID only above 10 QPS (early stopping needs queries)."""

    def run_at(qps: float) -> dict:
        held = qps <= capacity
        return {
            "result_perf_constraints_met": held,
            "result_validity": "VALID" if held and qps > 10 else "INVALID",
            "result_99.00_percentile_latency_ns": 5e6 if held else 50e6,
        }

    return run_at


def test_bisection_finds_the_highest_qps_that_holds_within_the_steps():
    steps = server.search(loadgen_at(37.0), 100.0, 5)
    assert [round(s.target_qps, 3) for s in steps] == [50.0, 25.0, 37.5, 31.25, 34.375]
    assert [s.held for s in steps] == [False, True, False, True, True]
    best = server.kept(steps)
    assert best.target_qps == pytest.approx(34.375)
    assert steps[0].describe() == "50 QPS: bound missed, p99 50 ms, INVALID"
    assert best.describe() == "34.38 QPS: bound held, p99 5 ms, VALID"


def test_a_stop_ends_the_search_after_the_step_in_progress():
    tested, fake = [], loadgen_at(37.0)

    def run_at(qps):
        tested.append(qps)
        return fake(qps)

    steps = server.search(run_at, 100.0, 5, stop=lambda: len(tested) == 2)  # Ctrl-C during the second test
    assert tested == [50.0, 25.0] and len(steps) == 2 and server.kept(steps).target_qps == 25.0


def test_nothing_held_keeps_nothing():
    steps = server.search(loadgen_at(0.5), 100.0, 3)
    assert not any(s.held for s in steps) and server.kept(steps) is None


def test_the_bound_is_the_configured_one_or_derived_and_said_so():
    set_bound = server.latency_bound(SimpleNamespace(server_latency_bound_ms=15), 0.002)
    assert set_bound.seconds == 0.015 and set_bound.source == "server.latency_bound_ms"
    derived = server.latency_bound(SimpleNamespace(server_latency_bound_ms=None), 0.0123)
    assert derived.seconds == pytest.approx(5 * 0.0123)
    assert derived.source == "derived: server.latency_bound_ms not set, so 5 x the warm batch-1 latency (12.3 ms)"
