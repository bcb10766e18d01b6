"""LoadGen's detail log read into a row's figures: the real logs of a run of every scenario (tests/fixtures/loadgen,
README there), each scenario's figures, LoadGen's verdict and its reasons in one line."""

from __future__ import annotations

import os

import pytest

from bench_job.scenarios import LOADGEN_SCENARIOS, loadgen_log

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "loadgen")


def detail(name: str) -> dict:
    with open(os.path.join(FIXTURES, f"{name}.detail.txt")) as handle:
        return loadgen_log.read_detail(handle.read())


def test_single_stream_figures_are_the_logs_and_agree_with_its_summary():
    d = detail("single-stream")
    fields = LOADGEN_SCENARIOS["single-stream"].row_fields(d)
    assert loadgen_log.verdict(d) == "VALID" and loadgen_log.version(d) == "6.0.14 @ 534cbfd4d6"
    # the summary prints the same figures: "90.0th percentile latency (ns) : 2141297", early stopping 2147476, 4451185
    assert fields["loadgen_p90_s"] == pytest.approx(2141297e-9)
    assert fields["loadgen_p50_s"] == pytest.approx(2111963e-9)
    assert fields["loadgen_early_stop_p90_s"] == pytest.approx(2147476e-9)
    assert fields["loadgen_early_stop_p99_s"] == pytest.approx(4451185e-9)
    assert fields["loadgen_queries"] == 940
    assert fields["loadgen_qps_with_overhead"] == pytest.approx(469.17, rel=1e-3)
    assert fields["loadgen_qps_without_overhead"] == pytest.approx(470.52, rel=1e-3)


def test_multi_stream_figures_are_per_query_and_its_early_stopping_says_what_it_needs():
    d = detail("multi-stream")
    fields = LOADGEN_SCENARIOS["multi-stream"].row_fields(d)
    assert loadgen_log.verdict(d) == "INVALID"
    assert fields["loadgen_p99_s"] == pytest.approx(18079049e-9)  # the summary's 99.0th percentile latency
    assert fields["loadgen_early_stop_p99_s"] is None  # LoadGen wrote 0: it made no estimate
    reasons = loadgen_log.reasons(d)
    assert "early stopping NOT met" in reasons
    assert "Only processed 119 queries, Need to process at least 662 queries for early stopping" in reasons


def test_offline_samples_per_second():
    d = detail("offline")
    assert LOADGEN_SCENARIOS["offline"].row_fields(d)["loadgen_samples_per_s"] == pytest.approx(472.881)
    assert loadgen_log.reasons(d) == "min duration met; min queries met; early stopping met"
    assert d["generated_samples_per_query"] == 1100


def test_server_reasons_name_the_latency_constraint_and_early_stopping():
    d = detail("server")
    assert LOADGEN_SCENARIOS["server"].row_fields(d)["loadgen_samples_per_s"] == pytest.approx(194.464)
    reasons = loadgen_log.reasons(d)
    assert reasons.startswith("latency constraint met; min duration met; min queries met; early stopping NOT met")
    assert "Would need to run at least 67 more queries" in reasons


def test_lines_that_are_not_entries_or_cut_short_are_skipped_and_errors_are_found():
    text = (
        'junk\n:::MLLOG {"key": "result_validity", "value": "VALID", "metadata": {"is_error": false}}\n'
        ':::MLLOG {"key": "error_invalid_config", "value": "Multiple conf files", "metadata": {"is_error": true}}\n'
        ':::MLLOG {"key": "result_query_count", "val'
    )
    assert loadgen_log.read_detail(text) == {"result_validity": "VALID", "error_invalid_config": "Multiple conf files"}
    assert loadgen_log.errors(text) == ["Multiple conf files"]
    assert loadgen_log.verdict({}) is None
