from __future__ import annotations

import json

from bench_job.host.device_state import compare_device_state, decode_rpi_throttled, read_device_state
from tests.power.helpers import fake_program, write


def cpu_tree(root, max_khz=2400000):
    for cpu, cur in (("cpu0", 1800000), ("cpu1", 2400000)):
        write(root, f"devices/system/cpu/{cpu}/cpufreq/scaling_governor", "schedutil")
        write(root, f"devices/system/cpu/{cpu}/cpufreq/scaling_cur_freq", cur)
        write(root, f"devices/system/cpu/{cpu}/cpufreq/scaling_max_freq", max_khz)
    write(root, "class/thermal/thermal_zone0/type", "cpu-thermal")
    write(root, "class/thermal/thermal_zone0/temp", 51187)
    write(root, "class/thermal/thermal_zone0/trip_point_0_type", "passive")
    write(root, "class/thermal/thermal_zone0/trip_point_0_temp", 85000)
    write(root, "class/thermal/thermal_zone1/type", "gpu-thermal")
    write(root, "class/thermal/thermal_zone1/temp", "garbage")


def test_reads_cpufreq_thermal_and_is_json(tmp_path):
    cpu_tree(tmp_path / "sys")
    state = read_device_state(sysfs_root=str(tmp_path / "sys"), host_root=str(tmp_path), search_path="")
    assert state["cpu_governors"] == {"cpu0": "schedutil", "cpu1": "schedutil"}
    assert state["cpu_freq_mhz"] == {"cpu0": 1800.0, "cpu1": 2400.0}
    assert state["thermal_c"] == {"cpu-thermal": 51.187}
    assert state["rpi_throttled"] is None and state["jetson_power_mode"] is None
    json.dumps(state)


def test_rpi_flags_from_fake_vcgencmd(tmp_path):
    bin_dir = fake_program(tmp_path / "bin", "vcgencmd", "print('throttled=0x50005')\n")
    state = read_device_state(sysfs_root=str(tmp_path), host_root=str(tmp_path), search_path=bin_dir)
    assert state["rpi_throttled"] == {
        "raw": "0x50005",
        "now": ["under-voltage", "throttled"],
        "since_boot": ["under-voltage", "throttled"],
    }


def test_jetson_mode_from_nvpmodel_or_files(tmp_path):
    bin_dir = fake_program(tmp_path / "bin", "nvpmodel", "print('NV Power Mode: MAXN\\n0')\n")
    assert read_device_state(str(tmp_path), str(tmp_path), bin_dir)["jetson_power_mode"] == "MAXN"
    write(tmp_path, "var/lib/nvpmodel/status", "pmode:0002")
    write(
        tmp_path,
        "etc/nvpmodel.conf",
        "< POWER_MODEL ID=0 NAME=15W >\nCPU_ONLINE CORE_0 1\n< POWER_MODEL ID=2 NAME=MAXN_SUPER >\n",
    )
    assert read_device_state(str(tmp_path), str(tmp_path), "")["jetson_power_mode"] == "MAXN_SUPER"


def test_throttling_flagged_from_flags_caps_and_trips(tmp_path):
    cpu_tree(tmp_path / "a")
    cpu_tree(tmp_path / "b", max_khz=1500000)
    write(tmp_path / "b", "class/thermal/thermal_zone0/temp", 86000)
    before = read_device_state(str(tmp_path / "a"), str(tmp_path), "")
    after = read_device_state(str(tmp_path / "b"), str(tmp_path), "")
    after["rpi_throttled"] = decode_rpi_throttled("throttled=0x40000")
    flags = compare_device_state(before, after)
    assert flags["throttled"] is True
    text = " ".join(flags["throttle_reasons"])
    assert "cpu0 frequency cap fell from 2400 to 1500 MHz" in text
    assert "passive trip 85.0" in text and "throttled during the run" in text
    assert flags["temp_max_c_before"] == 51.187 and flags["temp_max_c_after"] == 86.0


def test_steady_state_is_not_throttled(tmp_path):
    cpu_tree(tmp_path)
    state = read_device_state(str(tmp_path), str(tmp_path), "")
    flags = compare_device_state(state, state)
    assert flags["throttled"] is False and flags["throttle_reasons"] == [] and flags["temp_rise_c"] == 0
