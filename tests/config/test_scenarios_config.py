"""The scenarios axis: the sweep alone by default, MLPerf's four by name (config or --scenario), each planned after
the sweep at the model's default size with a key of its own and the SUT's batch, and every bad value refused in one
line that names the fix."""

from __future__ import annotations

import pytest
import yaml

from bench_job import config as cfg
from bench_job.errors import UserError
from bench_job.run.plan import build_plan
from tests.conftest import run_cli


def resolve(tmp_path, data, sets=()):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    return cfg.resolve(str(path), device="laptop", sets=list(sets))


def test_the_default_is_todays_sweep_with_quick_rules():
    section = cfg.resolve(None, device="laptop").scenarios
    assert section.scenarios == ("sweep",) and section.rules == "quick" and section.loadgen == ()
    assert (section.quick_min_duration_s, section.quick_min_query_count, section.max_batch_size) == (10, 64, 8)
    assert section.server_latency_bound_ms is None and section.server_search_steps == 5


def test_every_scenario_is_planned_after_the_sweep_with_its_own_key(tmp_path):
    config = resolve(
        tmp_path,
        {
            "models": ["resnet18"],
            "sweeps": {"vision": {"batch_sizes": [1, 2], "input_size": 64, "input_sizes": [64]}},
            "scenarios": ["sweep", "single-stream", "multi-stream", "offline", "server"],
            "loadgen": {"max_batch_size": 4},
        },
    )
    (item,) = build_plan(config)
    keys = [item.key(p, "cpu") for p in item.points]
    assert keys == [
        "resnet18|fp32|cpu|b1|s64",
        "resnet18|fp32|cpu|b2|s64",
        "resnet18|fp32|cpu|b1|s64|single-stream",
        "resnet18|fp32|cpu|b8|s64|multi-stream",
        "resnet18|fp32|cpu|b4|s64|offline",
        "resnet18|fp32|cpu|b4|s64|server",
    ]


def test_a_scenario_alone_plans_no_sweep(tmp_path):
    config = resolve(tmp_path, {"models": ["resnet18"]}, sets=[cfg.scenarios_layer("offline")])
    (item,) = build_plan(config)
    assert [p.scenario for p in item.points] == ["offline"]


def test_mlperf_rules_need_room_for_600_s_tests(tmp_path):
    section = resolve(tmp_path, {"scenarios": ["single-stream"], "scenario_rules": "mlperf"}).scenarios
    assert section.min_duration_s == 600 and section.rules == "mlperf"
    with pytest.raises(
        UserError, match=r"run.config_timeout_s \(600\), which would kill it: raise run.config_timeout_s$"
    ):
        resolve(
            tmp_path, {"scenarios": ["single-stream"], "scenario_rules": "mlperf", "run": {"config_timeout_s": 600}}
        )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"scenarios": ["single_stream"]}, "scenarios must be a non-empty list of sweep, single-stream, multi-stream"),
        ({"scenarios": []}, "scenarios must be a non-empty list"),
        ({"scenarios": ["offline", "offline"]}, "scenarios lists a name twice"),
        ({"scenario_rules": "strict"}, "scenario_rules must be one of quick, mlperf, got 'strict'"),
        ({"loadgen": {"quick_min_duration_s": 0}}, "loadgen.quick_min_duration_s must be a positive number"),
        ({"loadgen": {"max_batch_size": 0}}, "loadgen.max_batch_size must be at least 1"),
        ({"server": {"latency_bound_ms": -1}}, "server.latency_bound_ms must be a positive number of ms"),
        ({"server": {"search_steps": 1.5}}, "server.search_steps must be a whole number"),
        (
            {"scenarios": ["offline"], "loadgen": {"quick_min_duration_s": 900}},
            "shorten loadgen.quick_min_duration_s",
        ),
    ],
)
def test_bad_values_are_refused_in_one_line(tmp_path, data, message):
    with pytest.raises(UserError, match=message):
        resolve(tmp_path, data)


def test_the_cli_refuses_an_unknown_scenario_before_measuring(tmp_path):
    result = run_cli("run", "--models", "resnet18", "--scenario", "single-stream,batch", "--out", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("got ['single-stream', 'batch']")
    assert not any(tmp_path.iterdir())
