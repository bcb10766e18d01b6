from __future__ import annotations

import time

import pytest

from bench_job.power import EnergyMeter
from bench_job.power.battery import discover
from bench_job.power.discovery import DiscoveryContext
from tests.power.helpers import write


def battery(root, status="Discharging", **values):
    write(root, "class/power_supply/BAT0/type", "Battery")
    write(root, "class/power_supply/BAT0/status", status)
    for name, value in values.items():
        write(root, f"class/power_supply/BAT0/{name}", value)
    write(root, "class/power_supply/AC/type", "Mains")


def test_power_now_in_microwatts(tmp_path):
    battery(tmp_path, power_now=12_500_000)
    (source,), _ = discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    assert source.read_power_w() == pytest.approx(12.5)


def test_current_times_voltage_with_negative_discharge_current(tmp_path):
    battery(tmp_path, current_now=-1_500_000, voltage_now=11_400_000)
    (source,), _ = discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    assert source.read_power_w() == pytest.approx(17.1)


def test_charging_battery_is_not_a_source(tmp_path):
    battery(tmp_path, status="Charging", power_now=20_000_000)
    found, missing = discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    assert found == [] and "unplug" in missing[0][1]


def test_plugging_in_mid_run_voids_the_window(tmp_path):
    battery(tmp_path, power_now=10_000_000)
    (source,), _ = discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    meter = EnergyMeter([source])
    plug_at = time.monotonic() + 0.3

    def run_once():
        if time.monotonic() >= plug_at:
            write(tmp_path, "class/power_supply/BAT0/status", "Charging")
        time.sleep(0.01)

    result = meter.measure(run_once, min_window_s=0.6)
    meter.close()
    figures = result.sources[0]
    assert figures.energy_j is None and "Charging" in figures.reason
