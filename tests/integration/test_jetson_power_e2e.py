"""The real CLI on a Jetson AGX Orin power-monitor tree laid out as NVIDIA documents it
(tests/power/jetson_boards.py): the probe and a run both report the documented board total, the three
supplies without VDDQ_VDD2_1V8AO, which is inside VIN_SYS_5V0."""

from __future__ import annotations

import pytest

from tests.integration.helpers import bundle_records
from tests.power.jetson_boards import agx_orin_jp5


def test_probe_and_run_report_the_agx_orin_documented_total(cli, tmp_path):
    tree = tmp_path / "sys"
    total = agx_orin_jp5(tree)
    probe = cli("probe", "--sysfs-root", str(tree))
    assert probe.returncode == 0, probe.stderr
    line = next(row for row in probe.stdout.splitlines() if row.startswith("power source jetson-ina3221"))
    assert f"{total:.2f} W over 1 s" in line and "VDDQ_VDD2_1V8AO is inside VIN_SYS_5V0" in line

    # power.min_samples above what a window capped at 1.5 s can hold: the row says so with the config's number
    result = cli(
        "run",
        "--models",
        "squeezenet1_1",
        "--out",
        str(tmp_path / "out"),
        "--sysfs-root",
        str(tree),
        "--set",
        "sweeps.vision.batch_sizes=[1]",
        "--set",
        "sweeps.vision.input_size=32",
        "--set",
        "sweeps.vision.input_sizes=[32]",
        "--set",
        "measure.max_time_per_config_s=0.2",
        "--set",
        "power.idle_seconds=1",
        "--set",
        "power.min_samples=200",
        "--set",
        "power.max_window_s=1.5",
    )
    assert result.returncode == 0, result.stderr
    (record,) = bundle_records(result.stdout.split()[-1])
    assert record["status"] == "ok" and record["power_source"] == "jetson-ina3221"
    assert record["avg_power_w"] == pytest.approx(total) and record["idle_power_w"] == pytest.approx(total)
    assert record["power_scope"].startswith("Jetson AGX Orin module: VDD_GPU_SOC + VDD_CPU_CV + VIN_SYS_5V0")
    assert "power samples in the energy window (< 200)" in record["invalid_reasons"]
