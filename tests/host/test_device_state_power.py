"""The power state in a device-state snapshot, read from real-format nvpmodel output, nvpmodel files and sysfs
trees (sources in tests/host/jetson_trees.py and beside each string), its row columns, its one-line description,
and the flags a change of it raises."""

from __future__ import annotations

import json

import pytest

from bench_job.host.device_state import (
    compare_device_state,
    describe_power_state,
    parse_cpu_list,
    power_state_columns,
    read_device_state,
)
from bench_job.host.jetson_power import parse_nvpmodel_query, read_power_mode
from bench_job.power.sysfs import FileReader
from tests.host import jetson_trees
from tests.power.helpers import fake_program, opener_denying, write

# `nvpmodel -q` as boards print it (JETSON.md §5): Thor (jetpack-nixos#460); jetson_stats' emulator, which prints
# the fan warning first (tests/nvpmodel show_query); the fan mode first (public Xavier notes); `-q --verbose`
# (Orin NX R36.5 capture).
QUERIES = [
    ("NV Power Mode: MAXN\n0\n", ("MAXN", 0)),
    ("NVPM WARN: fan mode is not set!\nNV Power Mode: MODE_30W\n2\n", ("MODE_30W", 2)),
    ("NV Fan Mode:quiet\nNV Power Mode: MAXN\n0\n", ("MAXN", 0)),
    (
        "NVPM VERB: Config file: /etc/nvpmodel.conf\nNVPM VERB: parsing done for /etc/nvpmodel.conf\n"
        "NVPM VERB: Current mode: NV Power Mode: 40W\n4\n"
        "NVPM VERB: PARAM CPU_ONLINE: ARG CORE_0: PATH /sys/devices/system/cpu/cpu0/online: REAL_VAL: 1 CONF_VAL: 1\n",
        ("40W", 4),
    ),
    ("NV Power Mode: MAXN_SUPER\n", ("MAXN_SUPER", None)),
    ("nvpmodel emulator\n", (None, None)),
]


@pytest.mark.parametrize("text, expected", QUERIES)
def test_nvpmodel_query_gives_the_name_and_the_id_on_the_next_line(text, expected):
    assert parse_nvpmodel_query(text) == expected


def test_the_status_file_is_named_through_the_conf_and_a_missing_part_is_looked_up(tmp_path):
    files = FileReader()
    jetson_trees.nvpmodel_files(tmp_path, 1, jetson_trees.NANO_CONF)
    assert read_power_mode(None, str(tmp_path), files) == ("5W", 1)
    write(tmp_path, "var/lib/nvpmodel/status", "pmode:0000 fmode:fan_mode_quiet")  # JetPack 4.3's fan mode
    assert read_power_mode(None, str(tmp_path), files) == ("MAXN", 0)
    # -q output without its id line: the id is the conf's for that name
    assert read_power_mode("NV Power Mode: 5W\n", str(tmp_path), files) == ("5W", 1)
    write(tmp_path, "var/lib/nvpmodel/status", "pmode:0007 fmode:quiet")  # an id the conf does not name
    assert read_power_mode(None, str(tmp_path), files) == (None, 7)
    assert read_power_mode(None, str(tmp_path / "nowhere"), files) == (None, None)


@pytest.mark.parametrize(
    "text, expected",
    [("0-3,6", [0, 1, 2, 3, 6]), ("0-11", list(range(12))), ("0", [0]), ("", []), ("2,0", [0, 2]), ("0-x", None)],
)
def test_cpu_lists_in_the_sysfs_format(text, expected):
    assert parse_cpu_list(text) == expected


def test_orin_in_maxn_with_jetson_clocks(tmp_path):
    sys_root, host_root = jetson_trees.orin_maxn_jetson_clocks(tmp_path)
    state = read_device_state(sys_root, host_root, search_path="")
    assert (state["jetson_power_mode"], state["jetson_power_mode_id"], state["jetson_clocks"]) == ("MAXN", 0, True)
    assert state["cpus_online"] == list(range(12)) and state["cpus_present"] == 12
    assert state["cpu_min_freq_mhz"]["cpu11"] == 2201.6
    assert state["devfreq_mhz"] == {
        "15340000.vic": {"kind": "other", "cur": 115.2, "min": 115.2, "max": 729.6},
        "17000000.gpu": {"kind": "gpu", "cur": 1300.5, "min": 1300.5, "max": 1300.5},
    }
    assert state["emc_cap_mhz"] == 3199.0
    assert power_state_columns(state) == {
        "power_mode": "MAXN",
        "power_mode_id": 0,
        "jetson_clocks": True,
        "cpu_freq_cap_mhz": 2201.6,
        "gpu_freq_cap_mhz": 1300.5,
        "emc_freq_cap_mhz": 3199.0,
        "cpus_online": 12,
    }
    assert describe_power_state(state) == (
        "nvpmodel MAXN (id 0), jetson_clocks on; CPU cap 2202 MHz, GPU cap 1300 MHz, EMC cap 3199 MHz"
    )
    json.dumps(state)


def test_orin_in_15w_without_jetson_clocks_names_the_cores_offline(tmp_path):
    sys_root, host_root = jetson_trees.orin_mode_15w(tmp_path)
    state = read_device_state(sys_root, host_root, search_path="")
    assert state["jetson_clocks"] is False and state["cpus_online"] == [0, 1, 2, 3]
    assert describe_power_state(state) == (
        "nvpmodel MODE_15W (id 1), jetson_clocks off; CPU cap 1114 MHz, GPU cap 421 MHz, EMC cap 2133 MHz, "
        "4 of 12 CPUs online"
    )


def test_jetson_clocks_in_a_capped_mode_holds_the_modes_maximum(tmp_path):
    # jetson_clocks writes max_freq into min_freq: in MODE_15W that is the mode's cap, not the GPU's top frequency
    sys_root, host_root = jetson_trees.orin_mode_15w(tmp_path)
    jetson_trees.cpufreq(tmp_path / "sys", range(4), 1113600, 1113600, 1113600)
    write(tmp_path / "sys", "class/devfreq/17000000.gpu/min_freq", 420750000)
    assert read_device_state(sys_root, host_root, search_path="")["jetson_clocks"] is True


def test_nano_read_in_a_container_from_the_hosts_files(tmp_path):
    sys_root, host_root = jetson_trees.nano_maxn(tmp_path)
    state = read_device_state(sys_root, host_root, search_path="")
    assert (state["jetson_power_mode"], state["jetson_power_mode_id"], state["jetson_clocks"]) == ("MAXN", 0, False)
    assert state["cpus_online"] == [0, 1, 2, 3] and state["cpus_present"] == 4
    assert state["devfreq_mhz"]["57000000.gpu"]["kind"] == "gpu" and state["emc_cap_mhz"] == 0.0
    # EMC MAX_FREQ 0 in MAXN: no EMC cap, so the column is empty rather than 0 MHz
    assert power_state_columns(state)["emc_freq_cap_mhz"] is None
    assert describe_power_state(state) == "nvpmodel MAXN (id 0), jetson_clocks off; CPU cap 1479 MHz, GPU cap 922 MHz"
    # the image's own / has no nvpmodel files: read there, the mode is unknown (the bug of reading without host_root)
    assert read_device_state(sys_root, str(tmp_path / "image"), search_path="")["jetson_power_mode"] is None


def test_a_laptop_has_no_jetson_state_but_its_cpu_cap(tmp_path):
    sys_root, host_root = jetson_trees.laptop(tmp_path)
    state = read_device_state(sys_root, host_root, search_path="")
    assert state["jetson_clocks"] is None and state["devfreq_mhz"] == {} and state["emc_cap_mhz"] is None
    assert power_state_columns(state)["cpus_online"] == 8
    assert describe_power_state(state) == "CPU cap 4700 MHz"


def test_another_socs_gpu_held_at_one_frequency_is_not_jetson_clocks(tmp_path):
    sys_root, host_root = jetson_trees.rk3588(tmp_path)
    state = read_device_state(sys_root, host_root, search_path="")
    assert state["devfreq_mhz"]["fb000000.gpu"]["kind"] == "gpu" and state["jetson_clocks"] is None
    assert power_state_columns(state)["gpu_freq_cap_mhz"] == 1000.0


def test_a_jetson_whose_gpu_clock_is_unreadable_cannot_tell_jetson_clocks(tmp_path):
    sys_root, host_root = jetson_trees.orin_maxn_jetson_clocks(tmp_path)
    files = FileReader(opener_denying("devfreq"))
    state = read_device_state(sys_root, host_root, search_path="", files=files)
    assert state["jetson_power_mode"] == "MAXN" and state["jetson_clocks"] is None


def test_nothing_raises_on_an_empty_tree_or_unreadable_files(tmp_path):
    state = read_device_state(str(tmp_path / "sys"), str(tmp_path / "host"), search_path="")
    assert state["cpus_online"] == [] and state["cpus_present"] == 0 and state["devfreq_mhz"] == {}
    assert state["jetson_power_mode_id"] is None and state["jetson_clocks"] is None
    assert describe_power_state(state) is None
    assert set(power_state_columns(state).values()) == {None}
    sys_root, host_root = jetson_trees.orin_maxn_jetson_clocks(tmp_path / "orin")
    denied = FileReader(opener_denying("cpu", "devfreq", "nvpmodel"))
    state = read_device_state(sys_root, host_root, search_path="", files=denied)
    assert state["jetson_power_mode"] is None and state["cpu_max_freq_mhz"] == {} and state["emc_cap_mhz"] is None


def test_nvpmodel_on_path_comes_before_the_files(tmp_path):
    sys_root, host_root = jetson_trees.orin_maxn_jetson_clocks(tmp_path)
    bin_dir = fake_program(
        tmp_path / "bin", "nvpmodel", "print('NVPM WARN: fan mode is not set!\\nNV Power Mode: MODE_50W\\n3')\n"
    )
    state = read_device_state(sys_root, host_root, search_path=bin_dir)
    assert (state["jetson_power_mode"], state["jetson_power_mode_id"]) == ("MODE_50W", 3)


def test_a_mode_change_is_a_power_state_change_and_not_throttling(tmp_path):
    before = read_device_state(*jetson_trees.orin_maxn_jetson_clocks(tmp_path / "a"), search_path="")
    after = read_device_state(*jetson_trees.orin_mode_15w(tmp_path / "b"), search_path="")
    change = compare_device_state(before, after)
    assert change["power_state_changed"] is True and change["throttled"] is False
    assert change["power_state_reasons"] == [
        "nvpmodel mode changed from MAXN (id 0) to MODE_15W (id 1)",
        "jetson_clocks switched off",
        "CPU clock cap fell from 2202 to 1114 MHz",
        "GPU clock cap fell from 1300 to 421 MHz",
        "EMC clock cap fell from 3199 to 2133 MHz",
        "cpu4, cpu5, cpu6, cpu7, cpu8, cpu9, cpu10, cpu11 went offline",
    ]


def test_jetson_clocks_switched_alone_and_an_emc_cap_set_where_there_was_none(tmp_path):
    sys_root, host_root = jetson_trees.orin_maxn_jetson_clocks(tmp_path)
    write(tmp_path / "sys", "kernel/nvpmodel_clk_cap/emc", 0)
    before = read_device_state(sys_root, host_root, search_path="")
    write(tmp_path / "sys", "class/devfreq/17000000.gpu/min_freq", 114750000)  # jetson_clocks --restore
    write(tmp_path / "sys", "kernel/nvpmodel_clk_cap/emc", 2133000000)
    after = read_device_state(sys_root, host_root, search_path="")
    assert compare_device_state(before, after)["power_state_reasons"] == [
        "jetson_clocks switched off",
        "EMC clock capped at 2133 MHz (it had no cap)",
    ]


def test_a_cpu_cap_that_fell_without_a_mode_change_is_throttling_and_a_power_state_change(tmp_path):
    sys_root, host_root = jetson_trees.laptop(tmp_path)
    before = read_device_state(sys_root, host_root, search_path="")
    jetson_trees.cpufreq(tmp_path / "sys", range(8), 400000, 2000000, 1200000, governor="powersave")
    change = compare_device_state(before, read_device_state(sys_root, host_root, search_path=""))
    assert change["throttled"] is True and "cpu0 frequency cap fell from 4700 to 2000 MHz" in change["throttle_reasons"]
    assert change["power_state_reasons"] == ["CPU clock cap fell from 4700 to 2000 MHz"]


def test_a_steady_state_and_an_unreadable_after_raise_nothing(tmp_path):
    sys_root, host_root = jetson_trees.orin_maxn_jetson_clocks(tmp_path)
    state = read_device_state(sys_root, host_root, search_path="")
    assert compare_device_state(state, state)["power_state_changed"] is False
    # a snapshot that could read nothing says nothing changed: unknown is not a change
    empty = read_device_state(str(tmp_path / "none"), str(tmp_path / "none"), search_path="")
    assert compare_device_state(state, empty)["power_state_reasons"] == []


def test_snapshots_from_before_the_power_state_compare_without_error():
    old = {"cpu_max_freq_mhz": {"cpu0": 1500.0}, "jetson_power_mode": "MAXN", "thermal_c": {}}
    change = compare_device_state(old, dict(old, jetson_power_mode="5W"))
    assert change["power_state_reasons"] == ["nvpmodel mode changed from MAXN to 5W"]
    assert power_state_columns(old)["cpu_freq_cap_mhz"] == 1500.0


def test_a_mode_change_mid_run_flags_exactly_the_configurations_whose_reads_straddle_it(tmp_path):
    """The worker reads each configuration's state before it (in plan order, before timing) and after it; a
    status file switched between B's read and C's touches A and B, not C, which ran wholly in the new mode."""
    sys_root, host_root = jetson_trees.orin_maxn_jetson_clocks(tmp_path)

    def read():
        return read_device_state(sys_root, host_root, search_path="")

    before = {"A": read(), "B": read()}
    write(tmp_path / "host", "var/lib/nvpmodel/status", "pmode:0002 fmode:quiet")  # `nvpmodel -m 2` on the host
    before["C"] = read()
    flagged = {key: compare_device_state(before[key], read())["power_state_reasons"] for key in "ABC"}
    assert flagged == {
        "A": ["nvpmodel mode changed from MAXN (id 0) to MODE_30W (id 2)"],
        "B": ["nvpmodel mode changed from MAXN (id 0) to MODE_30W (id 2)"],
        "C": [],
    }
    assert power_state_columns(before["C"])["power_mode"] == "MODE_30W"
