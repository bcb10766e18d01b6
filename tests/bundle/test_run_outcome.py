from __future__ import annotations

import json

import pytest

from bench_job.bundle.outcome import OUTCOME_FILE, OutcomeError, RunOutcome, read_outcome, write_outcome


def test_outcome_round_trips_and_states_the_overrun(tmp_path):
    outcome = RunOutcome(
        complete=False,
        stopped_by="SIGTERM",
        planned=4,
        never_measured=("m|fp32|cpu|b2|s8",),
        started_at="2026-11-23T10:00:00+00:00",
        finished_at="2026-11-23T10:02:00+00:00",
        elapsed_s=120.0,
        budget_s=90.0,
    )
    write_outcome(str(tmp_path), outcome)
    assert read_outcome(str(tmp_path)) == outcome
    assert outcome.over_budget_s == 30.0
    assert json.loads((tmp_path / OUTCOME_FILE).read_text())["over_budget_s"] == 30.0
    assert RunOutcome(True, None, 1, (), "", "", 10.0, None).over_budget_s is None
    assert RunOutcome(True, None, 1, (), "", "", 10.0, 60.0).over_budget_s == 0.0


def test_a_bundle_without_outcome_reads_as_none_and_a_damaged_one_is_one_line(tmp_path):
    assert read_outcome(str(tmp_path)) is None
    (tmp_path / OUTCOME_FILE).write_text('{"complete": true}')
    with pytest.raises(OutcomeError, match="damaged"):
        read_outcome(str(tmp_path))
