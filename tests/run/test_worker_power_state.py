"""The worker's device-state fields of a record: the power state each configuration ran in (read before it,
under the run's sysfs and host roots, as a container mounts the host's files) and whether it changed while the
configuration was measured; validity then marks exactly the configurations a mode change touched."""

from __future__ import annotations

from types import SimpleNamespace

from bench_job.bundle.records import make_record
from bench_job.run.config_state import device_state_fields, read_state
from tests.host import jetson_trees
from tests.power.helpers import write
from tests.settings import mark_validity, power_settings


def task_reading(sys_root: str, host_root: str):
    return SimpleNamespace(power=power_settings(sysfs_root=sys_root, host_root=host_root))


def record(key: str, fields: dict) -> dict:
    return make_record(key=key, status="ok", n_runs=40, latency_median_ci_rel=0.01, **fields)


def test_the_worker_reads_the_power_mode_from_the_host_root(tmp_path):
    sys_root, host_root = jetson_trees.nano_maxn(tmp_path)
    state = read_state(task_reading(sys_root, host_root))
    assert (state["jetson_power_mode"], state["jetson_power_mode_id"]) == ("MAXN", 0)


def test_a_mode_change_mid_run_marks_only_the_configurations_it_touched(tmp_path):
    task = task_reading(*jetson_trees.orin_maxn_jetson_clocks(tmp_path))
    # plan order: every configuration's state is read before timing starts (prepare_config), then each one's
    # after its timing (finish_config); `nvpmodel -m 2` lands after B's first read and before C's
    before = {"A": read_state(task), "B": read_state(task)}
    write(tmp_path / "host", "var/lib/nvpmodel/status", "pmode:0002 fmode:quiet")
    before["C"] = read_state(task)
    rows = {key: mark_validity(record(key, device_state_fields(task, before[key])), 10, 0.05, 10) for key in "ABC"}

    switched = "nvpmodel mode changed from MAXN (id 0) to MODE_30W (id 2)"
    for key in "AB":
        assert rows[key]["power_state_changed"] is True and rows[key]["power_state_reasons"] == switched
        assert rows[key]["valid"] is False
        assert rows[key]["invalid_reasons"] == f"the power state changed during the run ({switched})"
    assert rows["C"]["power_state_changed"] is False and rows["C"]["power_state_reasons"] is None
    assert rows["C"]["valid"] is True
    assert {key: (rows[key]["power_mode"], rows[key]["power_mode_id"]) for key in "ABC"} == {
        "A": ("MAXN", 0),
        "B": ("MAXN", 0),
        "C": ("MODE_30W", 2),
    }
    assert rows["A"]["jetson_clocks"] is True and rows["A"]["cpus_online"] == 12
    assert (rows["A"]["cpu_freq_cap_mhz"], rows["A"]["gpu_freq_cap_mhz"], rows["A"]["emc_freq_cap_mhz"]) == (
        2201.6,
        1300.5,
        3199.0,
    )
    assert rows["A"]["device_state"]["change"]["power_state_reasons"] == [switched]
