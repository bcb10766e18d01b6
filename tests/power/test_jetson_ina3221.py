import os

import pytest

from bench_job.power import discover_sources
from bench_job.power.base import SourceUnavailable
from bench_job.power.discovery import DiscoveryContext
from bench_job.power.jetson_ina3221 import discover
from tests.power.helpers import write


def jp4_tree(root):
    """Jetson Nano, L4T 32: iio device of driver ina3221x, power in mW."""
    folder = "bus/i2c/drivers/ina3221x/6-0040/iio:device0"
    for channel, (rail, milliwatts) in enumerate([("POM_5V_IN", 3234), ("POM_5V_GPU", 120), ("POM_5V_CPU", 800)]):
        write(root, f"{folder}/rail_name_{channel}", rail)
        write(root, f"{folder}/in_power{channel}_input", milliwatts)
        write(root, f"{folder}/in_voltage{channel}_input", 5000)
        write(root, f"{folder}/in_current{channel}_input", milliwatts // 5)
    return os.path.join(str(root), folder)


def jp5_tree(root, rails, hwmon="hwmon3"):
    """JetPack 5/6: hwmon of driver ina3221, mV and mA, no power file; channel 7 is the shunt sum."""
    folder = f"bus/i2c/drivers/ina3221/1-0040/hwmon/{hwmon}"
    write(root, f"{folder}/name", "ina3221")
    for channel, (label, millivolts, milliamps) in enumerate(rails, start=1):
        write(root, f"{folder}/in{channel}_label", label)
        write(root, f"{folder}/in{channel}_input", millivolts)
        write(root, f"{folder}/curr{channel}_input", milliamps)
    write(root, f"{folder}/in7_label", "sum of shunt voltages")
    write(root, f"{folder}/in7_input", 8080)
    write(root, f"{folder}/curr7_input", 9999)
    return os.path.join(str(root), folder)


def test_jp4_board_total_rail(tmp_path):
    jp4_tree(tmp_path)
    (source,), missing = discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    assert source.read_power_w() == pytest.approx(3.234)
    assert "POM_5V_IN" in source.scope


def test_jp5_vdd_in_by_volts_times_amps_under_any_hwmon_number(tmp_path):
    jp5_tree(tmp_path, [("VDD_IN", 5000, 1000), ("VDD_CPU_GPU_CV", 5000, 200), ("VDD_SOC", 5000, 300)],
             hwmon="hwmon7")
    (source,), _ = discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    assert source.read_power_w() == pytest.approx(5.0)
    assert "VDD_IN" in source.scope


def test_agx_orin_without_total_sums_rails_skipping_nc_and_shunt_sum(tmp_path):
    jp5_tree(tmp_path, [("VDD_GPU_SOC", 12000, 500), ("VDD_CPU_CV", 12000, 250), ("VIN_SYS_5V0", 5000, 1000)])
    write(tmp_path, "bus/i2c/drivers/ina3221/1-0041/hwmon/hwmon4/in1_label", "NC")
    write(tmp_path, "bus/i2c/drivers/ina3221/1-0041/hwmon/hwmon4/in1_input", 5000)
    write(tmp_path, "bus/i2c/drivers/ina3221/1-0041/hwmon/hwmon4/curr1_input", 3000)
    (source,), _ = discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    assert source.read_power_w() == pytest.approx(6.0 + 3.0 + 5.0)
    assert "no VDD_IN" in source.scope and "NC" not in source.scope


def test_rail_vanishing_mid_run_and_garbage(tmp_path):
    folder = jp5_tree(tmp_path, [("VDD_IN", 5000, 1000)])
    (source,), _ = discover(DiscoveryContext(sysfs_root=str(tmp_path)))
    write(folder, "curr1_input", "-EIO")
    with pytest.raises(SourceUnavailable, match="not an integer"):
        source.read_power_w()
    os.remove(os.path.join(folder, "curr1_input"))
    with pytest.raises(SourceUnavailable, match="vanished"):
        source.read_power_w()


def test_tegrastats_stands_aside_when_sysfs_rails_are_read(tmp_path):
    jp5_tree(tmp_path, [("VDD_IN", 5000, 1000)])
    found, missing = discover_sources(sysfs_root=str(tmp_path), search_path="")
    assert [s.name for s in found] == ["jetson-ina3221"]
    assert "sysfs" in dict(missing)["tegrastats"]
