"""A configuration whose power state changed while it was measured is not valid, with the change named, as a
throttled one is; rows from before schema 6 (no such column) are judged as before."""

from __future__ import annotations

from tests.settings import mark_validity


def record(**fields):
    return dict({"status": "ok", "n_runs": 40, "latency_median_ci_rel": 0.01}, **fields)


def test_a_power_state_change_makes_a_row_not_valid_with_its_reasons():
    reasons = "nvpmodel mode changed from MAXN (id 0) to 15W (id 2); cpu4, cpu5 went offline"
    row = mark_validity(record(power_state_changed=True, power_state_reasons=reasons), 10, 0.05, 10)
    assert row["valid"] is False
    assert row["invalid_reasons"] == f"the power state changed during the run ({reasons})"
    bare = mark_validity(record(power_state_changed=True), 10, 0.05, 10)
    assert bare["invalid_reasons"] == "the power state changed during the run"


def test_an_unchanged_or_unrecorded_power_state_is_valid():
    assert mark_validity(record(power_state_changed=False), 10, 0.05, 10)["valid"] is True
    assert mark_validity(record(), 10, 0.05, 10)["valid"] is True
