"""The real CLI runs every MLPerf scenario through the real LoadGen on a tiny model under quick rules: each row holds
LoadGen's VALID or INVALID with its reasons and its scenario's figure, LoadGen's summary and detail logs are in the
bundle where the row says, quick rows are never called compliant, and the sweep's rows are untouched beside them."""

from __future__ import annotations

import tarfile

import pytest
import yaml

from tests.conftest import run_cli
from tests.integration.helpers import bundle_records

pytest.importorskip("mlperf_loadgen")

SCENARIOS = ["single-stream", "multi-stream", "offline", "server"]


def test_every_scenario_on_a_tiny_model_end_to_end(tmp_path):
    config = {
        "measure": {"warmup_runs": 1, "min_runs": 6, "max_time_per_config_s": 0.3},
        "sweeps": {"vision": {"batch_sizes": [1], "input_size": 32, "input_sizes": [32]}},
        "models": ["squeezenet1_1"],
        "scenarios": ["sweep"] + SCENARIOS,
        "loadgen": {"quick_min_duration_s": 0.5, "quick_min_query_count": 16, "max_batch_size": 4},
        "server": {"search_steps": 2},
        "accuracy": {"enabled": False},
        "sustained": {"models": []},
    }
    path = tmp_path / "scenarios.yaml"
    path.write_text(yaml.safe_dump(config))
    result = run_cli(
        "run", "--config", str(path), "--out", str(tmp_path / "out"), "--device", "laptop", "--threads", "1"
    )
    assert result.returncode == 0, result.stderr
    bundle = result.stdout.strip().splitlines()[-1]
    records = {r["key"]: r for r in bundle_records(bundle)}
    sweep = records.pop("squeezenet1_1|fp32|cpu|b1|s32")
    assert sweep["scenario"] == "sweep" and sweep["loadgen_result"] is None and sweep["latency_median_s"] > 0
    rows = {r["scenario"]: r for r in records.values()}
    assert sorted(rows) == sorted(SCENARIOS)
    assert rows["single-stream"]["key"] == "squeezenet1_1|fp32|cpu|b1|s32|single-stream"
    assert rows["offline"]["batch_size"] == 4 and rows["multi-stream"]["samples_per_query"] == 8
    with tarfile.open(bundle) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    for name, row in rows.items():
        assert row["status"] == "ok", (name, row["reason"])
        assert row["loadgen_result"] in ("VALID", "INVALID") and "met" in row["loadgen_reasons"]
        assert row["loadgen_version"].startswith("6.0.") and row["scenario_rules"] == "quick"
        assert row["mlperf_compliant"] is False and "not MLPerf-compliant: quick rules" in row["notes"]
        assert "min duration 0.5 s, min queries 16" in row["loadgen_settings"]
        assert row["loadgen_samples"] > 0 and row["latency_median_s"] is None
        assert row["valid"] is (row["loadgen_result"] == "VALID" and not row["invalid_reasons"])
        if row["loadgen_result"] == "INVALID":
            assert row["invalid_reasons"].startswith("LoadGen judged the run INVALID (")
        for log in ("mlperf_log_summary.txt", "mlperf_log_detail.txt"):
            assert f"{row['loadgen_log']}/{log}" in members
    assert rows["single-stream"]["loadgen_p90_s"] > 0 and rows["single-stream"]["loadgen_early_stop_p90_s"] > 0
    assert rows["multi-stream"]["loadgen_p99_s"] > 0
    assert rows["offline"]["loadgen_samples_per_s"] > 0 and rows["offline"]["sut_max_batch"] == 4
    server = rows["server"]
    assert server["server_search"].count("QPS: bound") == 2 and server["server_latency_bound_s"] > 0
    assert server["server_latency_bound_source"].startswith("derived: server.latency_bound_ms not set")
    assert "LoadGen single-stream" in result.stderr  # the console line of each row
