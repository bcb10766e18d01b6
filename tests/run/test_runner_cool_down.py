"""The runner's cool-down before each model, end to end through the runner and real worker processes whose fake
entry point heats the fake thermal zone as a model would: each row carries its model's wait (cool_down_s) and
whether it started hot, and the run's summary (env.json's cool_down) names the starting temperature and target.
The clock and sleep are fake (tests/host/thermal_zones.py): no real waiting."""

from __future__ import annotations

import pytest

from bench_job import config as cfg
from bench_job.bundle.records import ResultStore
from bench_job.host.cool_down import CoolDown
from bench_job.run import messages
from bench_job.run.runner import Runner, StopRequest
from tests.host.thermal_zones import CoolingZone, set_temp

MODELS = ["resnet18", "squeezenet1_1"]


def heating_worker(conn, task):
    """A worker that measures each configuration as the real one records it (the task's cool-down in every row)
    and leaves the board at 60 C, as a model under load would."""
    for point in task.points:
        key = task.keys[point]
        conn.send(messages.Start(key))
        head = task.record_head(point, 1, "px")
        fields = dict(head, status="ok", n_runs=6, latency_median_s=0.01, latency_median_ci_rel=0.01)
        conn.send(messages.Record(dict(fields, **task.cool_down.record_fields())))
    set_temp(task.power.section.sysfs_root, 60.0)


def run(tmp_path, zone: CoolingZone, *sets):
    sysfs = str(tmp_path / "sys")
    config = cfg.resolve(
        None,
        device="laptop",
        sets=[
            f"models={MODELS}",
            "power.enabled=false",
            f"power.sysfs_root={sysfs}",
            "sweeps.vision.batch_sizes=[1]",
            "sweeps.vision.input_sizes=[224]",
            *sets,
        ],
    )
    store = ResultStore(str(tmp_path / "results.jsonl"))
    runner = Runner(config, store, "cpu", StopRequest(), show_progress=False, worker=heating_worker)
    runner.cool_down = CoolDown(config.thermal, sysfs, clock=zone.clock, sleep=zone.sleep)
    result = runner.run()
    return result, store.read()


@pytest.mark.parametrize("rate, waited, hot", [(2.5, 4.0, False), (0.0, 6.0, True)])
def test_every_row_carries_its_models_wait_and_a_hot_start(tmp_path, rate, waited, hot):
    # the run starts at 45 C: the first model in the plan needs no wait; the second finds the board at 60 C (the
    # first one heated it) and waits for 50 C, cooling at `rate` C/s: 2.5 reaches it after two 2 s polls, 0 never
    zone = CoolingZone(tmp_path / "sys", 45.0, rate)
    result, rows = run(tmp_path, zone, "thermal.cool_margin_c=5", "thermal.max_wait_s=6", "thermal.poll_s=2")
    assert sorted(r["model"] for r in rows) == sorted(MODELS)  # one configuration each, in plan order
    assert [(r["cool_down_s"], r["started_hot"]) for r in rows] == [(0.0, False), (waited, hot)]
    assert zone.sleeps == ([2, 2] if not hot else [2, 2, 2])
    assert result.cool_down == {
        "start_c": 45.0,
        "target_c": 50.0,
        "cool_margin_c": 5,
        "cool_to_c": None,
        "max_wait_s": 6,
    }


def test_without_a_thermal_zone_the_rows_leave_the_wait_empty_and_the_run_says_why(tmp_path):
    zone = CoolingZone(tmp_path / "elsewhere", 45.0, 0.0)  # a clock and sleep only: the run's sysfs has no zone
    result, rows = run(tmp_path, zone)
    assert [(r["cool_down_s"], r["started_hot"]) for r in rows] == [(None, None)] * len(MODELS)
    assert zone.sleeps == []
    assert (
        result.cool_down["reason"] == f"no thermal zone under {tmp_path / 'sys'}/class/thermal: cool_down_s stays empty"
    )
