from __future__ import annotations

import sys
import types

import pytest

from bench_job.power.discovery import DiscoveryContext
from bench_job.power.nvml import discover
from tests.power.helpers import write


def fake_pynvml(energy_supported=True, init_error=None):
    module = types.ModuleType("pynvml")

    class NVMLError(Exception):
        pass

    state = {"energy_mj": 1_000_000}

    def init():
        if init_error:
            raise NVMLError(init_error)

    def total_energy(handle):
        if not energy_supported:
            raise NVMLError("Not Supported")
        return state["energy_mj"]

    module.NVMLError = NVMLError
    module.nvmlInit = init
    module.nvmlDeviceGetCount = lambda: 1
    module.nvmlDeviceGetHandleByIndex = lambda index: f"handle{index}"
    module.nvmlDeviceGetName = lambda handle: b"Tesla T4"
    module.nvmlDeviceGetTotalEnergyConsumption = total_energy
    module.nvmlDeviceGetPowerUsage = lambda handle: 70_500
    module.state = state
    return module


def test_total_energy_counter_in_millijoules(monkeypatch):
    module = fake_pynvml()
    monkeypatch.setitem(sys.modules, "pynvml", module)
    (source,), _ = discover(DiscoveryContext(sysfs_root="/nonexistent"))
    assert source.kind == "counter" and "Tesla T4" in source.scope
    before = source.read_energy_j()
    module.state["energy_mj"] += 2500
    assert source.read_energy_j() - before == pytest.approx(2.5)


def test_power_sampling_where_energy_is_not_supported(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml(energy_supported=False))
    (source,), _ = discover(DiscoveryContext(sysfs_root="/nonexistent"))
    assert source.kind == "polled" and source.read_power_w() == pytest.approx(70.5)


def test_missing_package_driver_and_jetson(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import fails as if not installed
    _, missing = discover(DiscoveryContext(sysfs_root="/nonexistent"))
    assert "pip install nvidia-ml-py" in missing[0][1]
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml(init_error="Driver Not Loaded"))
    _, missing = discover(DiscoveryContext(sysfs_root="/nonexistent"))
    assert "Driver Not Loaded" in missing[0][1]
    write(tmp_path, "firmware/devicetree/base/compatible", "nvidia,p3768-0000+p3767-0005\0nvidia,tegra234")
    _, missing = discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    assert "Jetson" in missing[0][1]
